/**
 * Gateway egress: the cost of sending one camera's packets to N viewers through one shared
 * packetized sequence (per-viewer header rewrite only), against packetizing the access unit
 * again for every viewer; and the cost of answering a NACK from the shared history.
 */
import { H264Packetizer } from '../lib/h264/index.js';
import { RetransmissionHistory } from '../lib/recovery/index.js';
import type { AccessUnit } from '../lib/gateway/source.js';
import { NullTransport } from './support/null-transport.js';
import { H264_OFFER, PushSource } from './support/push-source.js';
import { Stream } from '../lib/gateway/stream.js';
import { createDeps } from '../lib/gateway/wiring.js';
import { seqsToNackItems, serializeRtcp } from '../lib/rtcp/index.js';
import { measureNs, withPeer, type Benchmark, type BenchResult } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';
import { PolledTimers } from '../test/support/polled-clock.js';


/** 1080p-like: a 150 KB IDR with SPS/PPS, then 15 KB P frames. */
function frames(): AccessUnit[] {
  const sps = new Uint8Array([0x67, 0x42, 0xe0, 0x28, 0xda, 0x01, 0xe0, 0x08, 0x9f, 0x96]);
  const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
  const idr = pseudoRandomBytes(150_000, 1);
  idr[0] = 0x65;
  const out: AccessUnit[] = [{ nalus: [sps, pps, idr], keyframe: true, timestamp: 0 }];
  for (let i = 1; i < 30; i++) {
    const p = pseudoRandomBytes(15_000, i + 1);
    p[0] = 0x41;
    out.push({ nalus: [p], keyframe: false, timestamp: i * 3000 });
  }
  return out;
}

async function fanout(viewers: number): Promise<BenchResult> {
  const transport = new NullTransport();
  const source = new PushSource();
  const stream = new Stream('bench', source, transport, createDeps(), { maxViewers: viewers });
  for (let v = 0; v < viewers; v++) await stream.addViewer(H264_OFFER);
  await new Promise((r) => setImmediate(r));
  const aus = frames();
  let ts = 0;
  const feed = (i: number) => {
    const au = aus[i % aus.length];
    ts = (ts + 3000) >>> 0;
    source.sink!.onAccessUnit({ nalus: au.nalus, keyframe: au.keyframe, timestamp: ts });
  };
  feed(0);
  const packetsPerGop = aus.reduce((n, au) => n + new H264Packetizer().packetize(au.nalus, 0).length, 0);
  const perAu = packetsPerGop / aus.length;
  const opts = { iterations: 300, runs: 9, warmup: 60 };
  const own = measureNs(feed, opts);
  // Peer: a gateway without a shared egress sequence packetizes, and keeps a NACK history,
  // per viewer (the same lib/h264 packetizer and lib/recovery history, so only the design differs).
  const packetizers = Array.from({ length: viewers }, () => new H264Packetizer());
  const histories = Array.from({ length: viewers }, () => new RetransmissionHistory());
  const out = new Uint8Array(1500);
  const naive = measureNs((i) => {
    const au = aus[i % aus.length];
    const now = performance.now();
    for (let v = 0; v < viewers; v++) {
      const pz = packetizers[v];
      pz.start(au.nalus, i * 3000);
      for (let n = pz.writeNext(out); n > 0; n = pz.writeNext(out)) {
        const pkt = out.subarray(0, n);
        histories[v].store(pkt, now);
        transport.peers[v].sendRtp(pkt);
      }
    }
  }, opts);
  const scale = (m: typeof own) => ({ ...m, median: m.median / (perAu * viewers), min: m.min / (perAu * viewers), max: m.max / (perAu * viewers) });
  await stream.close();
  return withPeer(`gateway.fanout.${viewers}`, 'ns/packet/viewer', scale(own), 'packetize + history per viewer', scale(naive), { viewers, packetsPerAccessUnit: Math.round(perAu) });
}

async function nack(): Promise<BenchResult> {
  const transport = new NullTransport();
  const source = new PushSource();
  let now = 0;
  const clock = new PolledTimers(() => now, () => 1_700_000_000_000 + now);
  const stream = new Stream('bench', source, transport, createDeps({ history: { maxAgeMs: 1e9 } }, { clock }), {});
  const viewer = await stream.addViewer(H264_OFFER);
  await new Promise((r) => setImmediate(r));
  const aus = frames();
  let last = 0;
  transport.peers[0].onSend = (p) => { last = (p[2] << 8) | p[3]; };
  for (let i = 0; i < aus.length; i++) source.sink!.onAccessUnit({ ...aus[i], timestamp: i * 3000 });
  // 16 lost packets in the recent past, in one RTCP NACK as Chromium would send it.
  const lost = Array.from({ length: 16 }, (_, k) => (last - 300 + k * 7) & 0xffff);
  const packet = serializeRtcp([{ type: 'nack', senderSsrc: 1, mediaSsrc: viewer.peer.media.ssrc, items: seqsToNackItems(lost) }]);
  // Resend suppression would skip repeats within an RTT: each NACK comes a second later.
  const own = measureNs(() => {
    now += 1000;
    viewer.handleRtcp(packet);
  }, { iterations: 5000, runs: 9 });
  await stream.close();
  return withPeer('gateway.nack', 'ns/resent packet', { ...own, median: own.median / 16, min: own.min / 16, max: own.max / 16 }, undefined, undefined, {
    resent: viewer.stats().retransmitted,
  });
}

export const benchmarks: Benchmark[] = [
  { name: 'gateway.fanout', run: async () => [await fanout(1), await fanout(4), await fanout(16)] },
  { name: 'gateway.nack', run: async () => [await nack()] },
];

