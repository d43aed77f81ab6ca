/**
 * Loss recovery costs per packet: reorder buffer + NACK generator on the receiving side
 * (in order, 5% loss, 25% reordering; arrival traces made by netsim, seeded), and the
 * sending side's retransmission history (store a 1200-byte copy; look one up).
 */
import { ReorderBuffer, type ReorderSink } from '../lib/recovery/reorder-buffer.js';
import { NackGenerator } from '../lib/recovery/nack-generator.js';
import { RetransmissionHistory } from '../lib/recovery/history.js';
import { simulate, type LinkProfile } from '../lib/netsim/link.js';
import { measureNs, withPeer, type Benchmark, type BenchResult } from './harness.js';
import { rtpPackets } from './fixtures.js';

interface Pkt { seq: number }

const TRACE = 65536; // one full sequence cycle, so a trace repeats seamlessly
const INTERVAL_MS = 0.5; // ~2000 packets/s: a 1080p stream at ~20 Mbit/s

class CountingSink implements ReorderSink<Pkt> {
  delivered = 0;
  lost = 0;
  onPacket(): void { this.delivered++; }
  onLoss(_from: number, count: number): void { this.lost += count; }
}

function trace(profile: LinkProfile): { seqs: Uint16Array; times: Float64Array; pkts: Pkt[] } {
  const sent = Array.from({ length: TRACE }, (_, i) => ({ data: i, time: i * INTERVAL_MS, size: 1200 }));
  const arrived = simulate(profile, sent, 12345);
  const seqs = new Uint16Array(arrived.length);
  const times = new Float64Array(arrived.length);
  arrived.forEach((a, i) => { seqs[i] = a.data; times[i] = a.time; });
  return { seqs, times, pkts: Array.from({ length: TRACE }, (_, i) => ({ seq: i })) };
}

function receiverCost(name: string, profile: LinkProfile): BenchResult {
  const tr = trace(profile);
  const n = tr.seqs.length;
  const sink = new CountingSink();
  const rb = new ReorderBuffer<Pkt>(sink, { startupHold: false });
  const ng = new NackGenerator();
  let k = 0;
  let rbDue = Infinity;
  let ngDue = Infinity;
  const step = () => {
    const j = k % n;
    const now = tr.times[j] + Math.floor(k / n) * TRACE * INTERVAL_MS;
    k++;
    const seq = tr.seqs[j];
    ng.onPacket(seq, now);
    rb.push(tr.pkts[seq], seq, now);
    // What a caller's single timer per component would do.
    rbDue = rb.nextDeadline();
    if (rbDue <= now) rb.poll(now);
    ngDue = ng.nextDeadline();
    if (ngDue <= now) ng.poll(now);
  };
  const m = measureNs(step, { iterations: 1_000_000, runs: 7, warmup: 200_000 });
  return withPeer(name, 'ns/packet', m, undefined, undefined, {
    delivered: sink.delivered, lost: sink.lost, nacked: ng.stats.requested, reordered: rb.stats.reordered,
  });
}

export const benchmarks: Benchmark[] = [
  {
    name: 'recovery.receive',
    run() {
      return [
        receiverCost('recovery.receive.in-order', {}),
        receiverCost('recovery.receive.loss-5pct', { loss: 0.05 }),
        receiverCost('recovery.receive.reorder-25pct', { reorder: { probability: 0.25, depth: 5, maxHoldMs: 10 } }),
      ];
    },
  },
  {
    name: 'recovery.history',
    run() {
      const packets = rtpPackets(1024);
      const h = new RetransmissionHistory({ maxPackets: 1024, maxAgeMs: 1e12 });
      let now = 0;
      let k = 0;
      const store = measureNs(() => { h.store(packets[k++ & 1023], now += 0.5); }, { iterations: 500_000, runs: 7 });
      let sink = 0;
      const mask = 1023;
      const newest = (packets[(k - 1) & mask][2] << 8) | packets[(k - 1) & mask][3];
      const lookup = measureNs((i) => { sink += h.get((newest - (i & 511)) & 0xffff, now)?.length ?? 0; }, { iterations: 1_000_000, runs: 7 });
      return [
        withPeer('recovery.history.store-1200B', 'ns/packet', store),
        withPeer('recovery.history.lookup', 'ns/lookup', lookup, undefined, undefined, { served: h.stats.served, sinkBytes: sink > 0 }),
      ];
    },
  },
];
