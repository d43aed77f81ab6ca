/**
 * The whole camera-to-viewer pipeline without I/O on a realistic 1080p30 stream (150 KB IDR
 * every 2 s, 12-18 KB P frames, ~4.1 Mbit/s), in ns per camera packet, beside the UDP
 * forwarding floor measured in the same run (target: <= 2 us, <= 20% of that floor).
 * `pipeline.gateway.*` is camwire as it runs (gateway Stream and Viewers);
 * `pipeline.modules.*` composes the same modules without the gateway, allocation-free.
 */
import { performance } from 'node:perf_hooks';
import { setRtpSequenceNumber, setRtpTimestamp } from '../lib/rtp/packet.js';
import { quick, round, summarize, type Benchmark, type BenchResult } from './harness.js';
import { cameraTrace, gopBitrate, gop, TS_STEP, FPS, type CameraTrace } from './stream1080p.js';
import { CameraToViewers, VirtualTime } from './support/pipeline.js';
import { DirectPipeline } from './support/pipeline-direct.js';
import { depsSource } from './support/gateway-deps.js';
import { allocatedBytes } from './support/alloc.js';
import { forwardRun } from './udp.bench.js';

interface Feeder {
  push(buf: Uint8Array, now: number): void;
}

/** Replays a trace over and over with continuing sequence numbers and timestamps. */
class Replay {
  private seq: number;
  private ts: number;
  private t = 0;
  readonly arrival: Float64Array;

  constructor(readonly trace: CameraTrace) {
    this.seq = (trace.packets[0][2] << 8) | trace.packets[0][3];
    this.ts = 123456;
    this.arrival = new Float64Array(trace.packets.length);
    for (let f = 0; f < trace.frames; f++) {
      for (let i = trace.frameStart[f]; i < trace.frameStart[f + 1]; i++) this.arrival[i] = (f * 1000) / FPS + (i - trace.frameStart[f]) * 0.01;
    }
  }

  /** Restamps the trace for its next pass (not timed). */
  restamp(): void {
    const tr = this.trace;
    let f = 0;
    for (let i = 0; i < tr.packets.length; i++) {
      while (i >= tr.frameStart[f + 1]) f++;
      setRtpSequenceNumber(tr.packets[i], (this.seq + i) & 0xffff);
      setRtpTimestamp(tr.packets[i], (this.ts + f * TS_STEP) >>> 0);
    }
    this.seq = (this.seq + tr.packets.length) & 0xffff;
    this.ts = (this.ts + tr.frames * TS_STEP) >>> 0;
  }

  /**
   * Feeds one pass; returns the process CPU time it took in ns (CPU, not wall time: the
   * machine is shared, and wall time would count other processes' turns).
   */
  pass(into: Feeder, time: { t: number }): { cpuNs: number; wallNs: number } {
    this.restamp();
    const pk = this.trace.packets;
    const base = this.t;
    const arrival = this.arrival;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < pk.length; i++) {
      time.t = base + arrival[i];
      into.push(pk[i], time.t);
    }
    const wallNs = (performance.now() - t0) * 1e6;
    const c = process.cpuUsage(c0);
    this.t += (this.trace.frames * 1000) / FPS;
    return { cpuNs: (c.user + c.system) * 1000, wallNs };
  }
}

function measure(replay: Replay, into: Feeder, time: { t: number }, runs: number) {
  const n = replay.trace.packets.length;
  for (let w = 0; w < (quick ? 1 : 3); w++) replay.pass(into, time);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = replay.pass(into, time);
    cpu.push(s.cpuNs / n);
    wall.push(s.wallNs / n);
  }
  const alloc = allocatedBytes(() => { replay.pass(into, time); });
  return { m: summarize(cpu), wallMedian: summarize(wall).median, allocPerPacket: round(alloc.bytes / n), gcs: alloc.gcs };
}

/** The UDP forwarding floor in this run: process CPU and wall time per forwarded packet. */
async function udpFloor(): Promise<{ cpuNs: number; wallNs: number }> {
  const count = quick ? 300 : 10_000;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < (quick ? 1 : 5); r++) {
    const f = await forwardRun(count, 32);
    wall.push(f.wallNs);
    cpu.push(f.processCpuNs);
  }
  return { cpuNs: summarize(cpu).median, wallNs: summarize(wall).median };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'pipeline',
    async run(): Promise<BenchResult[]> {
      const gops = quick ? 1 : 2;
      const runs = quick ? 2 : 9;
      const mbps = round(gopBitrate(gop()) / 1e6);
      const results: BenchResult[] = [];
      const floor = await udpFloor();
      const viewerCounts = quick ? [1, 10] : [1, 10, 100];
      const gatewayNs: Record<number, number> = {};
      for (const v of viewerCounts) {
        const time = new VirtualTime();
        const p = new CameraToViewers(time);
        await p.addViewers(v);
        const replay = new Replay(cameraTrace(gops));
        const { m, wallMedian, allocPerPacket, gcs } = measure(replay, p, time, runs);
        gatewayNs[v] = m.median;
        const delivered = p.peers.reduce((s, x) => s + x.packets, 0);
        results.push({
          name: `pipeline.gateway.v${v}`, unit: 'ns/packet', ...m,
          viewers: v, streamMbps: mbps, wallMedian, udpFloorCpuNs: floor.cpuNs, udpFloorWallNs: floor.wallNs, vsUdpFloor: round(m.median / floor.cpuNs),
          bytesAllocatedPerPacket: allocPerPacket, gcsDuringAllocRun: gcs,
          egressPerIngress: round(delivered / v / (replay.trace.packets.length * (runs + (quick ? 2 : 4)))),
          deps: depsSource,
          note: 'process CPU per camera packet: parse, reorder, depacketize, packetize (MTU 1200), history, per-viewer rewrite',
        });
      }
      for (const v of viewerCounts) {
        const time = { t: 0 };
        const p = new DirectPipeline(v);
        const replay = new Replay(cameraTrace(gops));
        const { m, wallMedian, allocPerPacket, gcs } = measure(replay, p, time, runs);
        results.push({
          name: `pipeline.modules.v${v}`, unit: 'ns/packet', ...m, viewers: v, wallMedian,
          udpFloorCpuNs: floor.cpuNs, vsUdpFloor: round(m.median / floor.cpuNs), gatewayNs: gatewayNs[v], gatewayVsModules: round(gatewayNs[v] / m.median),
          bytesAllocatedPerPacket: allocPerPacket, gcsDuringAllocRun: gcs,
          note: 'same modules composed without the gateway, packetizer writeNext into one scratch buffer',
        });
      }
      return results;
    },
  },
];
