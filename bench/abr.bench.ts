/**
 * Adaptive bitrate's cost on the fan-out: 100 viewers of a stream with two renditions, each
 * packet through the viewer's rendition switch and sender, with bandwidth estimation on
 * (transport-wide CC negotiated: the extension written on every packet, the browser's feedback
 * parsed and run through the estimator, about every 100 ms as Chromium sends it) against off
 * (the same offer without the extension). CPU per delivered packet; the ratio is what matters;
 * and the bytes allocated per delivered packet in each mode.
 */
import type { AccessUnit } from '../lib/gateway/source.js';
import { NullTransport } from './support/null-transport.js';
import { H264_OFFER, PushSource } from './support/push-source.js';
import { Gateway } from '../lib/gateway/gateway.js';
import { createDeps } from '../lib/gateway/wiring.js';
import { transportCcSize, writeTransportCc, TWCC_SMALL_DELTA, TWCC_LARGE_DELTA } from '../lib/rtcp/index.js';
import { measureNs, quick, withPeer, type Benchmark, type BenchResult } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';
import { allocatedBytes } from './support/alloc.js';

const TWCC_LINE = 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n';

/** 2.6 Mbit/s-like 720p: a 60 KB IDR, then 10 KB P frames. */
function frames(): AccessUnit[] {
  const sps = new Uint8Array([0x67, 0x42, 0xe0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40]);
  const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
  const idr = pseudoRandomBytes(60_000, 1);
  idr[0] = 0x65;
  const out: AccessUnit[] = [{ nalus: [sps, pps, idr], keyframe: true, timestamp: 0 }];
  for (let i = 1; i < 30; i++) {
    const p = pseudoRandomBytes(10_000, i + 1);
    p[0] = 0x41;
    out.push({ nalus: [p], keyframe: false, timestamp: i * 3000 });
  }
  return out;
}

type Mode = 'off' | 'extension' | 'on';

interface Fanout {
  feed(i: number): void;
  packets(): number;
  /** Viewers on the top rendition now. */
  onTop(): number;
  close(): Promise<void>;
}

/** A gateway with one stream of two renditions and `viewers` viewers, estimation as `mode` says. */
async function fanout(viewers: number, mode: Mode): Promise<Fanout> {
  const transport = new NullTransport();
  const sources: PushSource[] = [];
  let now = 0;
  const gw = new Gateway(
    { streams: { cam: { renditions: [{ name: '720p', url: 'rtsp://b/main' }, { name: '360p', url: 'rtsp://b/sub' }], maxViewers: viewers, viewerRtcpTimeoutMs: 3_600_000 } }, tickMs: 3_600_000 },
    transport,
    createDeps({}, { clock: { now: () => now, wallClock: () => 1_700_000_000_000 + now, setTimer: () => ({ cancel() {} }) } }),
    () => {
      const s = new PushSource();
      sources.push(s);
      return s;
    },
  );
  const stream = gw.stream('cam')!;
  for (let v = 0; v < viewers; v++) await stream.addViewer(H264_OFFER + (mode === 'off' ? '' : TWCC_LINE));
  await new Promise((r) => setImmediate(r));
  const aus = frames();
  let ts = 0;
  let reported = 0;
  /** When each packet not yet reported was sent (every viewer sends the same packets at the same times). */
  const sentAt: number[] = [];
  const feedback = () => {
    // A fast link: every packet arrived 20 ms after it was sent; one feedback serves every viewer.
    const n = Math.min(sentAt.length, 8000);
    if (n <= 0) return;
    const referenceTime = Math.floor((sentAt[0] + 20) / 64);
    const statuses = new Uint8Array(n);
    const deltas = new Int32Array(n);
    let last = referenceTime * 64;
    for (let k = 0; k < n; k++) {
      deltas[k] = Math.round((sentAt[k] + 20 - last) * 4);
      statuses[k] = deltas[k] <= 255 ? TWCC_SMALL_DELTA : TWCC_LARGE_DELTA;
      last = sentAt[k] + 20;
    }
    const fb = { senderSsrc: 1, mediaSsrc: 2, baseSeq: reported & 0xffff, referenceTime, feedbackCount: 0, statuses, deltas };
    const buf = new Uint8Array(transportCcSize(fb));
    writeTransportCc(fb, buf, 0);
    for (const p of transport.peers) p.handlers.onRtcp(buf);
    reported += n;
    sentAt.splice(0, n);
  };
  const feed = (i: number) => {
    const au = aus[i % aus.length];
    ts = (ts + 3000) >>> 0;
    now += 33;
    const before = transport.peers[0].packets;
    sources[0].sink!.onAccessUnit({ nalus: au.nalus, keyframe: au.keyframe, timestamp: ts });
    sources[1].sink!.onAccessUnit({ nalus: [au.nalus[au.nalus.length - 1].subarray(0, 1500)], keyframe: au.keyframe, timestamp: ts });
    const sent = transport.peers[0].packets - before;
    if (mode === 'on') for (let k = 0; k < sent; k++) sentAt.push(now);
    // Chromium sends transport-cc feedback about every 100 ms: every third frame at 30 fps.
    if (mode === 'on' && i % 3 === 2) feedback();
    if (i % 8 === 0) stream.tick();
  };
  for (let i = 0; i < 60; i++) feed(i);
  return {
    feed, packets: () => transport.peers.reduce((n, p) => n + p.packets, 0), close: () => gw.close(),
    onTop: () => stream.viewerInfo().filter((v) => v.rendition?.current === '720p').length,
  };
}

const FRAMES_PER_RUN = 120;

/** ns per delivered packet of one timed run (packets counted in the run: the same in every mode while the viewers stay on 720p). */
function run(f: Fanout): number {
  const before = f.packets();
  const m = measureNs(f.feed, { iterations: FRAMES_PER_RUN, runs: 1, warmup: 0 });
  return (m.median * FRAMES_PER_RUN) / Math.max(1, f.packets() - before);
}

/** Bytes allocated per delivered packet over `frames` frames (JS heap and ArrayBuffers, GCs added back). */
function allocation(f: Fanout, frames: number): number {
  const before = f.packets();
  let i = 0;
  const a = allocatedBytes(() => {
    for (; i < frames; i++) f.feed(i);
  });
  return Math.round((a.bytes / Math.max(1, f.packets() - before)) * 100) / 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * The three modes' runs interleaved (off, extension, on, off...), so a busy machine's drift
 * falls on all of them alike; each ratio is the median of the per-round ratios.
 */
async function ratio(viewers: number): Promise<BenchResult[]> {
  const modes: Mode[] = ['off', 'extension', 'on'];
  const setups = await Promise.all(modes.map((m) => fanout(viewers, m)));
  const rounds = quick ? 3 : 15;
  const ns: number[][] = modes.map(() => []);
  for (let r = 0; r < rounds; r++) setups.forEach((f, k) => ns[k].push(run(f)));
  const bytes = setups.map((f) => allocation(f, quick ? 3 : 90));
  const onTop = setups.map((f) => f.onTop());
  await Promise.all(setups.map((f) => f.close()));
  const summary = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length });
  const off = summary(ns[0]);
  const ratioOf = (k: number) => Math.round(median(ns[k].map((x, r) => x / ns[0][r])) * 100) / 100;
  return [
    withPeer(`abr.fanout.${viewers}.extension`, 'ns/delivered packet', summary(ns[1]), 'estimation off', off, { viewers, onOverOff: ratioOf(1), viewersOnTop: onTop[1], bytesPerPacket: bytes[1], offBytesPerPacket: bytes[0] }),
    withPeer(`abr.fanout.${viewers}`, 'ns/delivered packet', summary(ns[2]), 'estimation off', off, { viewers, onOverOff: ratioOf(2), viewersOnTop: onTop[2], bytesPerPacket: bytes[2], offBytesPerPacket: bytes[0] }),
  ];
}

export const benchmarks: Benchmark[] = [{ name: 'abr.fanout', run: () => ratio(100) }];

