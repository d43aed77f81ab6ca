/**
 * The whole camera-to-viewer pipeline without I/O on a realistic 1080p30 stream (150 KB IDR
 * every 2 s, 12-18 KB P frames, ~4.1 Mbit/s), in ns per camera packet, beside the UDP
 * forwarding floor measured in the same run (target: <= 2 us, <= 20% of that floor).
 * `pipeline.gateway.*` is camwire as it runs (gateway Stream and Viewers);
 * `pipeline.modules.*` composes the same modules without the gateway, allocation-free.
 */
import { quick, round, summarize, type Benchmark, type BenchResult } from './harness.js';
import { cameraTrace, gopBitrate, gop } from './stream1080p.js';
import { Replay, type Feeder } from './support/replay.js';
import { CameraToViewers, VirtualTime } from './support/pipeline.js';
import { DirectPipeline } from './support/pipeline-direct.js';
import { depsSource } from './support/gateway-deps.js';
import { allocatedBytes } from './support/alloc.js';
import { forwardRun } from './udp.bench.js';

function measure(replay: Replay, into: Feeder, time: { t: number }, runs: number) {
  const n = replay.trace.packets.length;
  const warmup = quick ? 1 : 8;
  for (let w = 0; w < warmup; w++) replay.pass(into, time);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = replay.pass(into, time);
    cpu.push(s.cpuNs / n);
    wall.push(s.wallNs / n);
  }
  const alloc = allocatedBytes(() => { replay.pass(into, time); });
  // every pass: warm-up, measured, and the allocation run
  const passes = warmup + runs + 1;
  return { m: summarize(cpu), wallMedian: summarize(wall).median, allocPerPacket: round(alloc.bytes / n), gcs: alloc.gcs, passes };
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
      const runs = quick ? 2 : 15;
      const mbps = round(gopBitrate(gop()) / 1e6);
      const results: BenchResult[] = [];
      const floor = await udpFloor();
      const viewerCounts = quick ? [1, 10] : [1, 10, 100];
      const gatewayNs: Record<number, number> = {};
      // Packet forwarding re-cuts each camera packet alone: a camera sending 1400-byte packets
      // costs two egress packets per packet at MTU 1200, a camera set to 1200 one.
      for (const [forwarding, cameraMtu] of [['frame', 1400], ['packet', 1400], ['packet', 1200]] as const) {
        for (const v of viewerCounts) {
          const time = new VirtualTime();
          const p = new CameraToViewers(time, undefined, forwarding);
          await p.addViewers(v);
          const replay = new Replay(cameraTrace(gops, 65000, cameraMtu));
          const { m, wallMedian, allocPerPacket, gcs, passes } = measure(replay, p, time, runs);
          if (forwarding === 'frame') gatewayNs[v] = m.median;
          const delivered = p.peers.reduce((s, x) => s + x.packets, 0);
          results.push({
            name: forwarding === 'frame' ? `pipeline.gateway.v${v}` : `pipeline.gateway-packet-cam${cameraMtu}.v${v}`, unit: 'ns/packet', ...m, forwarding, cameraMtu,
            viewers: v, streamMbps: mbps, wallMedian, udpFloorCpuNs: floor.cpuNs, udpFloorWallNs: floor.wallNs, vsUdpFloor: round(m.median / floor.cpuNs),
            bytesAllocatedPerPacket: allocPerPacket, gcsDuringAllocRun: gcs,
            egressPerIngress: round(delivered / v / (replay.trace.packets.length * passes)),
            deps: depsSource,
            note: forwarding === 'frame'
              ? 'process CPU per camera packet: parse, reorder, depacketize, packetize (MTU 1200), history, per-viewer rewrite'
              : 'the same with packet forwarding: each camera packet re-cut to MTU 1200 as it arrives (the depacketizer still runs, for counting)',
          });
        }
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
