/**
 * Latency camwire adds per packet, clean link, jitter buffer off (no startup hold, nothing
 * reordered): in real time, a 1080p30 camera's frames arrive every 33 ms, each as a burst of
 * RTP packets; for every packet each viewer's transport is handed, the time since the camera
 * packet that completed its access unit arrived. That is camwire's processing latency
 * (depacketize, packetize, history, rewrite, and the viewers served before this one). The
 * transport here drops the packet: node-datachannel's own send cost is in fanout.*.
 * Not included, by design: in frame forwarding (the default) an earlier packet of a frame also
 * waits for the rest of its frame to arrive (the camera's own send spread). Packet forwarding
 * sends each packet when it arrives, except that a fragment's short tail waits for the next
 * packet of its NAL unit to fill an egress packet: its figures are the time since the camera
 * packet before the one that made camwire send (an upper bound: this trace's 1400-byte
 * packets never carry bytes further than that).
 */
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { quick, round, type Benchmark, type BenchResult } from './harness.js';
import { cameraTrace, FPS } from './stream1080p.js';
import { CameraToViewers } from './support/pipeline.js';
import { Replay } from './support/replay.js';
import { systemClock } from '../lib/clock.js';

const realTime = systemClock;

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function latencyRun(viewers: number, seconds: number, forwarding: 'frame' | 'packet'): Promise<BenchResult> {
  const p = new CameraToViewers(realTime, undefined, forwarding);
  await p.addViewers(viewers);
  const frames = Math.round(seconds * FPS);
  const replay = new Replay(cameraTrace(1));
  const tr = replay.trace;
  const samples = new Float64Array(Math.ceil(frames * (tr.packets.length / tr.frames) * 1.3 * viewers) + 1024);
  // The same samples split by frame kind: a 150 KB IDR is processed whole before its last packet goes.
  const idr = new Float64Array(samples.length);
  const pf = new Float64Array(samples.length);
  let n = 0;
  let ni = 0;
  let np = 0;
  let arrivedAt = 0;
  let since = 0;
  let recording = false;
  let keyframe = false;
  for (const peer of p.peers) {
    peer.onSend = () => {
      if (!recording || n >= samples.length) return;
      const d = performance.now() - since;
      samples[n++] = d;
      if (keyframe) idr[ni++] = d;
      else pf[np++] = d;
    };
  }
  const warmFrames = quick ? 10 : 60;
  let frame = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const f = frame % tr.frames;
      if (f === 0 && frame > 0) replay.restamp();
      recording = frame >= warmFrames;
      keyframe = f === 0;
      for (let i = tr.frameStart[f]; i < tr.frameStart[f + 1]; i++) {
        const previous = arrivedAt;
        arrivedAt = performance.now();
        since = forwarding === 'packet' && i > tr.frameStart[f] ? previous : arrivedAt;
        p.push(tr.packets[i], arrivedAt);
      }
      frame++;
      if (frame >= frames + warmFrames) return resolve();
      // Next frame on the camera's schedule, not 33 ms after this one finished.
      setTimeout(tick, Math.max(0, start + (frame * 1000) / FPS - performance.now()));
    };
    replay.restamp();
    tick();
  });
  const sorted = samples.slice(0, n).sort();
  const sortedIdr = idr.slice(0, ni).sort();
  const sortedP = pf.slice(0, np).sort();
  const ms = (x: number) => round(x);
  return {
    name: `latency.${forwarding}.v${viewers}`, unit: 'ms', forwarding, median: ms(quantile(sorted, 0.5)), min: ms(sorted[0]), max: ms(sorted[n - 1]), runs: n,
    p50: ms(quantile(sorted, 0.5)), p99: ms(quantile(sorted, 0.99)), p999: ms(quantile(sorted, 0.999)), viewers,
    pFrameP50: ms(quantile(sortedP, 0.5)), pFrameP99: ms(quantile(sortedP, 0.99)),
    idrP50: ms(quantile(sortedIdr, 0.5)), idrP99: ms(quantile(sortedIdr, 0.99)),
    loadavg1m: round(loadavg()[0]),
    note: forwarding === 'frame'
      ? 'camera packet completing an access unit -> each viewer transport send; runs = samples (packets x viewers)'
      : 'camera packet before the one that made camwire send (a carried fragment tail) -> each viewer transport send; runs = samples (packets x viewers)',
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'latency',
    async run(): Promise<BenchResult[]> {
      const out: BenchResult[] = [];
      for (const forwarding of ['frame', 'packet'] as const) {
        for (const v of quick ? [1] : [1, 10, 100]) out.push(await latencyRun(v, quick ? 0.5 : 10, forwarding));
      }
      return out;
    },
  },
];
