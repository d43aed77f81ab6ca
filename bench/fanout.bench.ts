/**
 * Fan-out: one 1080p30 stream (~4.1 Mbit/s) to N node-datachannel viewers in a separate
 * process that join over WHEP. camwire's CPU time per delivered packet and viewers per core,
 * against the native floor (a bare script sending the same packets on as many
 * node-datachannel tracks). Also RSS per viewer and time to first frame.
 * N defaults to 1,10,50,100 (CAMWIRE_FANOUT_N=1,10,200 to change it).
 */
import { quick, round, summarize, type Benchmark, type BenchResult } from './harness.js';
import { fanoutRun, type FanoutRun } from './fanout/orchestrate.js';
import { depsSource } from './support/gateway-deps.js';
import { H264Packetizer } from '../lib/h264/packetizer.js';
import { gop, FPS } from './stream1080p.js';

function percentile(xs: number[], p: number): number {
  const s = xs.filter((x) => x >= 0).sort((a, b) => a - b);
  if (s.length === 0) return -1;
  return round(s[Math.min(s.length - 1, Math.floor(p * s.length))]);
}

function perPacket(run: FanoutRun) {
  return summarize(run.windows.map((w) => w.cpuNsPerDelivered));
}

/** RTP packets per second one viewer gets at the stream's nominal rate (MTU 1200, 30 fps). */
function nominalPps(): number {
  const pz = new H264Packetizer({ mtu: 1200 });
  const g = gop();
  let n = 0;
  for (const f of g) n += pz.packetize(f.nalus, 0).length;
  return (n * FPS) / g.length;
}

/** Viewers one core could serve at the nominal 4 Mbit/s: 1 s of CPU / (CPU per packet x packets per second). */
function viewersPerCore(cpuNsPerPacket: number, pps: number): number {
  return round(1e9 / (cpuNsPerPacket * pps));
}

/** Packets per second each viewer actually received (below nominal when the sender fell behind). */
function deliveredPps(run: FanoutRun, windowMs: number): number {
  const got = run.windows.reduce((s, w) => s + w.delivered, 0);
  return round(got / Math.max(1, run.viewers) / ((run.windows.length * windowMs) / 1000));
}

function deliveredRatio(run: FanoutRun): number {
  const sent = run.windows.reduce((s, w) => s + w.sent, 0);
  const got = run.windows.reduce((s, w) => s + w.delivered, 0);
  return sent > 0 ? round(got / sent) : 0;
}

/** RSS each viewer after the first added (KB), or -1 with one viewer. */
function perAddedViewerKb(run: FanoutRun): number {
  return run.viewers > 1 ? round((run.rssAfter - run.rssAfterFirst) / 1024 / (run.viewers - 1)) : -1;
}

/** node-datachannel now and then loses a peer mid-run on a loaded machine: one more try. */
async function retried(run: () => Promise<FanoutRun>): Promise<FanoutRun> {
  try {
    return await run();
  } catch (err) {
    process.stderr.write(`fanout: retrying after ${(err as Error).message}\n`);
    return run();
  }
}

/** One run with the windows of all rounds (first round's joins and memory). */
function pool(runs: FanoutRun[]): FanoutRun {
  const windows = runs.flatMap((r) => r.windows);
  const joinFailures = runs.reduce((s, r) => s + r.joinFailures, 0);
  return { ...runs[runs.length - 1], windows, joinFailures, ttffMs: runs.flatMap((r) => r.ttffMs), openMs: runs.flatMap((r) => r.openMs), answerMs: runs.flatMap((r) => r.answerMs) };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'fanout',
    async run(): Promise<BenchResult[]> {
      const ns = quick ? [2] : (process.env.CAMWIRE_FANOUT_N ?? '1,10,50,100').split(',').map(Number);
      const windows = quick ? 2 : 4;
      const windowMs = quick ? 300 : 2000;
      const rounds = quick ? 1 : 2;
      const results: BenchResult[] = [];
      let ttffRun: FanoutRun | undefined;
      const pps = nominalPps();
      for (const n of ns) {
        // Alternating rounds, so both sides see the same (shared, noisy) machine; windows pooled.
        const cams: FanoutRun[] = [];
        const floors: FanoutRun[] = [];
        for (let r = 0; r < rounds; r++) {
          cams.push(await retried(() => fanoutRun('camwire', n, windows, windowMs, quick ? 600 : 2500)));
          floors.push(await retried(() => fanoutRun('floor', n, windows, windowMs, quick ? 600 : 2500)));
        }
        const cam = pool(cams);
        const floor = pool(floors);
        if (!ttffRun || Math.abs(n - 10) < Math.abs(ttffRun.viewers - 10)) ttffRun = cam;
        const own = perPacket(cam);
        const peer = perPacket(floor);
        results.push({
          name: `fanout.n${n}`, unit: 'cpu-ns/delivered-packet', ...own,
          peer: 'node-datachannel floor', peerMedian: peer.median, speedup: round(peer.median / own.median),
          ratioToFloor: round(own.median / peer.median),
          viewers: cam.viewers, floorViewers: floor.viewers, joinRetries: cam.joinFailures + floor.joinFailures,
          viewersPerCore: viewersPerCore(own.median, pps), floorViewersPerCore: viewersPerCore(peer.median, pps),
          nominalPpsPerViewer: round(pps), deliveredPpsPerViewer: deliveredPps(cam, windowMs), floorDeliveredPpsPerViewer: deliveredPps(floor, windowMs),
          cpuFraction: summarize(cam.windows.map((w) => w.cpuFraction)).median, floorCpuFraction: summarize(floor.windows.map((w) => w.cpuFraction)).median,
          deliveredOfSent: deliveredRatio(cam), floorDeliveredOfSent: deliveredRatio(floor),
          sequenceGaps: cam.windows.reduce((s, w) => s + w.gaps, 0),
          rssMB: round(cam.rssAfter / 1e6), rssPerViewerKB: round((cam.rssAfter - cam.rssBefore) / 1024 / Math.max(1, cam.viewers)),
          floorRssMB: round(floor.rssAfter / 1e6), floorRssPerViewerKB: round((floor.rssAfter - floor.rssBefore) / 1024 / Math.max(1, floor.viewers)),
          heapPerViewerKB: round((cam.heapUsedAfter - cam.heapUsedBefore) / 1024 / Math.max(1, cam.viewers)),
          // without the first viewer's one-time costs: what each further viewer adds
          rssPerAddedViewerKB: perAddedViewerKb(cam), floorRssPerAddedViewerKB: perAddedViewerKb(floor),
          heapPerAddedViewerKB: cam.viewers > 1 ? round((cam.heapUsedAfter - cam.heapUsedAfterFirst) / 1024 / (cam.viewers - 1)) : -1,
          deps: depsSource,
          note: 'sender process CPU (user+sys) per RTP packet received by the viewers; viewersPerCore = 1 s / (CPU per packet x nominal packets/s per viewer)',
        });
      }
      if (ttffRun) {
        const r = ttffRun;
        const afterOpen = r.ttffMs.map((t, i) => (t >= 0 && r.openMs[i] >= 0 ? t - r.openMs[i] : -1));
        const ttff = summarize(r.ttffMs.filter((t) => t >= 0).concat(r.ttffMs.every((t) => t < 0) ? [Infinity] : []));
        results.push({
          name: 'ttff.camwire', unit: 'ms', ...ttff, viewers: r.viewers,
          p90: percentile(r.ttffMs, 0.9), answerP50: percentile(r.answerMs, 0.5), openP50: percentile(r.openMs, 0.5), openP90: percentile(r.openMs, 0.9),
          keyframeAfterOpenP50: percentile(afterOpen, 0.5), keyframeAfterOpenP90: percentile(afterOpen, 0.9),
          noFrame: r.ttffMs.filter((t) => t < 0).length,
          note: 'node-datachannel viewers (not Chromium): WHEP POST -> last packet of the first complete keyframe; runs = viewers; answer = POST round trip incl. ICE gathering, open = ICE + DTLS done',
        });
      }
      return results;
    },
  },
];
