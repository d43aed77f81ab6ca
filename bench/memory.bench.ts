/**
 * Memory: what the retransmission history costs per packet it holds (target <= 1.1x the
 * bytes held), and what one more viewer costs on the JS side (the native node-datachannel
 * peer's share is in fanout.*: rssPerViewerKB, and RSS at 100 viewers).
 */
import { RetransmissionHistory } from '../lib/recovery/history.js';
import { quick, round, type Benchmark, type BenchResult } from './harness.js';
import { cameraTrace, FPS } from './stream1080p.js';
import { CameraToViewers, VirtualTime } from './support/pipeline.js';
import { retainedBytes, forceGc } from './support/alloc.js';
import { Replay } from './support/replay.js';
import { H264Packetizer } from '../lib/h264/packetizer.js';
import { gop } from './stream1080p.js';

/** Egress packets (MTU 1200) of `seconds` of the stream at `scale` x its bitrate, with send times. */
function egress(seconds: number, scale: number): { packets: Uint8Array[]; at: number[] } {
  const pz = new H264Packetizer({ mtu: 1200, ssrc: 1 });
  const g = gop();
  const packets: Uint8Array[] = [];
  const at: number[] = [];
  for (let f = 0; f < seconds * FPS; f++) {
    for (let k = 0; k < scale; k++) {
      for (const p of pz.packetize(g[f % g.length].nalus, f * 3000)) {
        packets.push(p);
        at.push((f * 1000) / FPS + k);
      }
    }
  }
  return { packets, at };
}

function historyCost(name: string, scale: number): BenchResult {
  const { packets, at } = egress(quick ? 1.5 : 3, scale);
  const r = retainedBytes(() => {
    const h = new RetransmissionHistory();
    for (let i = 0; i < packets.length; i++) h.store(packets[i], at[i]);
    return h;
  });
  const h = r.value;
  const total = r.heap + r.external;
  const held = h.bytesHeld;
  return {
    name, unit: 'bytes/packet', median: round(total / h.size), min: round(total / h.size), max: round(total / h.size), runs: 1,
    packetsHeld: h.size, bytesHeld: held, bytesAllocated: total, ringBytes: h.byteCapacity,
    perPayloadByte: round(total / held),
    // What the history itself holds in typed arrays (ring + per-slot metadata): exact, no GC noise.
    typedArrayBytes: h.bytesAllocated, typedArrayPerPayloadByte: round(h.bytesAllocated / held), maxBytes: h.maxBytes,
    streamMbps: round((scale * 4.13)), maxAgeMs: h.maxAgeMs, maxPackets: h.maxPackets,
    note: 'default RetransmissionHistory after 3 s of stream: (JS heap + ArrayBuffers retained) / packets held; perPayloadByte = allocated / bytes held; typedArrayPerPayloadByte = the history\'s own typed-array bytes (bytesAllocated) / bytes held',
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'memory',
    async run(): Promise<BenchResult[]> {
      const out = [historyCost('memory.history.4mbps', 1), historyCost('memory.history.full', 4)];
      const viewers = quick ? 10 : 100;
      const time = new VirtualTime();
      const p = new CameraToViewers(time);
      const replay = new Replay(cameraTrace(1));
      await p.addViewers(1);
      replay.pass(p, time);
      forceGc();
      const before = process.memoryUsage();
      await p.addViewers(viewers);
      // Every viewer starts on a keyframe and carries traffic, so its state is in use.
      replay.pass(p, time);
      forceGc();
      const after = process.memoryUsage();
      const perViewer = (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / viewers;
      out.push({
        name: 'memory.viewer', unit: 'bytes/viewer', median: round(perViewer), min: round(perViewer), max: round(perViewer), runs: 1, viewers,
        note: 'JS heap + ArrayBuffers per gateway Viewer (with a null transport peer); excludes the native PeerConnection',
      });
      return out;
    },
  },
];
