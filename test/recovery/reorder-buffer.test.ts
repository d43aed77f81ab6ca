import t from 'tap';
import fc from 'fast-check';
import { ReorderBuffer, type ReorderSink } from '../../lib/recovery/reorder-buffer.js';
import { simulate, type LinkProfile } from '../../lib/netsim/link.js';
import { seqAdd } from '../../lib/rtp/seq.js';

interface Pkt { seq: number; id: number }

class Recorder implements ReorderSink<Pkt> {
  readonly packets: { pkt: Pkt; ext: number }[] = [];
  readonly losses: { from: number; count: number }[] = [];
  readonly resyncs: number[] = [];
  onPacket(pkt: Pkt, ext: number): void { this.packets.push({ pkt, ext }); }
  onLoss(from: number, count: number): void { this.losses.push({ from, count }); }
  onResync(ext: number): void { this.resyncs.push(ext); }
  get seqs(): number[] { return this.packets.map((p) => p.pkt.seq); }
}

function make(opts = {}) {
  const sink = new Recorder();
  const rb = new ReorderBuffer<Pkt>(sink, { startupHold: false, ...opts });
  const push = (seq: number, now = 0) => rb.push({ seq, id: seq }, seq, now);
  return { sink, rb, push };
}

t.test('in order: released at once, nothing held', async (t) => {
  const { sink, rb, push } = make();
  for (let s = 10; s < 20; s++) push(s);
  t.same(sink.seqs, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  t.equal(rb.heldCount, 0);
  t.equal(rb.nextDeadline(), Infinity);
  t.equal(sink.packets[0].ext & 0xffff, 10);
  t.equal(rb.stats.delivered, 10);
});

t.test('a gap is held until filled, then released in order', async (t) => {
  const { sink, rb, push } = make();
  push(1, 0); push(3, 1); push(4, 2);
  t.same(sink.seqs, [1]);
  t.equal(rb.nextDeadline(), 1 + 20, 'deadline counts from when the gap became known');
  push(2, 5);
  t.same(sink.seqs, [1, 2, 3, 4]);
  t.equal(rb.stats.reordered, 1);
  t.equal(rb.stats.lost, 0);
  t.equal(rb.nextDeadline(), Infinity);
});

t.test('a gap that outlives the hold time is declared lost once, then late arrival is counted and dropped', async (t) => {
  const { sink, rb, push } = make({ waitMs: 30 });
  push(100, 0); push(103, 10); push(105, 12);
  rb.poll(39);
  t.same(sink.seqs, [100]);
  rb.poll(40);
  t.same(sink.seqs, [100, 103]);
  t.same(sink.losses.map((l) => [l.from & 0xffff, l.count]), [[101, 2]]);
  t.equal(rb.nextDeadline(), 42, 'second gap keeps its own deadline');
  rb.poll(42);
  t.same(sink.seqs, [100, 103, 105]);
  t.same(sink.losses.map((l) => [l.from & 0xffff, l.count]), [[101, 2], [104, 1]]);
  push(101, 50); push(104, 51); push(103, 52);
  t.equal(rb.stats.late, 2);
  t.equal(rb.stats.duplicates, 1);
  t.equal(rb.stats.delivered, 3);
  t.equal(rb.stats.lost, 3);
  t.equal(rb.stats.timeouts, 2);
});

t.test('hold time follows jitter: clamp(2 x jitter, 20, 200)', async (t) => {
  const { rb } = make();
  rb.setJitterMs(3); t.equal(rb.waitMs, 20);
  rb.setJitterMs(40); t.equal(rb.waitMs, 80);
  rb.setJitterMs(500); t.equal(rb.waitMs, 200);
  const fixed = make({ waitMs: 7 }).rb;
  fixed.setJitterMs(100); t.equal(fixed.waitMs, 7);
});

t.test('crosses 65535 -> 0 with reordering at the wrap', async (t) => {
  const { sink, rb, push } = make();
  push(65533); push(65535); push(0); push(65534); push(2); push(1);
  t.same(sink.seqs, [65533, 65534, 65535, 0, 1, 2]);
  const exts = sink.packets.map((p) => p.ext);
  for (let i = 1; i < exts.length; i++) t.equal(exts[i], exts[i - 1] + 1);
  t.equal(rb.stats.lost, 0);
});

t.test('window full: oldest gap given up to make room (size bound)', async (t) => {
  const { sink, rb, push } = make({ capacity: 8, waitMs: 1000 });
  push(0);
  for (let s = 2; s <= 8; s++) push(s);
  t.same(sink.seqs, [0], 'seven held behind the gap at 1');
  push(9);
  t.same(sink.seqs, [0, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.equal(rb.stats.overflows, 1);
  t.same(sink.losses.map((l) => [l.from & 0xffff, l.count]), [[1, 1]]);
});

t.test('camera restart: two consecutive far-off packets resynchronize instead of waiting', async (t) => {
  const { sink, rb, push } = make();
  push(1000); push(1001); push(1003);
  push(40000, 1);
  t.same(sink.seqs, [1000, 1001], 'one far-off packet alone is not trusted');
  push(40001, 2);
  t.same(sink.seqs, [1000, 1001, 1003, 40000, 40001]);
  t.equal(rb.stats.resyncs, 1);
  t.equal(sink.resyncs.length, 1);
  t.equal(sink.resyncs[0] & 0xffff, 40000);
  push(40002, 3);
  const exts = sink.packets.map((p) => p.ext);
  for (let i = 1; i < exts.length; i++) t.ok(exts[i] > exts[i - 1], 'extended numbers keep increasing');
  t.equal(sink.packets[sink.packets.length - 1].ext & 0xffff, 40002);
  // A restart to a number "behind" (as seen from the old one) is handled the same way.
  push(100, 4); push(101, 5);
  t.equal(rb.stats.resyncs, 2);
  t.equal(sink.packets[sink.packets.length - 1].pkt.seq, 101);
});

t.test('startup hold: packets sent before the first arrival but overtaken by it are still delivered', async (t) => {
  const { sink, rb, push } = make({ startupHold: true, waitMs: 20 });
  push(102, 0); push(103, 1); push(100, 2); push(101, 3); push(102, 4);
  t.same(sink.seqs, [], 'nothing released during the startup hold');
  t.equal(rb.nextDeadline(), 20);
  rb.poll(20);
  t.same(sink.seqs, [100, 101, 102, 103]);
  t.equal(rb.stats.duplicates, 1);
  t.equal(rb.stats.lost, 0);
  push(104, 21);
  t.same(sink.seqs, [100, 101, 102, 103, 104], 'then the in-order fast path');
  push(99, 22);
  t.equal(rb.stats.tooOld, 1, 'after the hold, earlier numbers are too old');
});

t.test('a single stray far-off packet is dropped and counted', async (t) => {
  const { sink, rb, push } = make();
  push(5); push(20000); push(6); push(7);
  t.same(sink.seqs, [5, 6, 7]);
  t.equal(rb.stats.strays, 1);
  t.equal(rb.stats.resyncs, 0);
});

interface Params { seq0: number; n: number; interval: number; profile: LinkProfile; seed: number; wait: number; capacity: number }

const profileArb: fc.Arbitrary<LinkProfile> = fc.record({
  loss: fc.double({ min: 0, max: 0.2, noNaN: true }),
  burst: fc.record({ loss: fc.double({ min: 0, max: 0.1, noNaN: true }), meanBurst: fc.double({ min: 1, max: 8, noNaN: true }) }),
  reorder: fc.record({ probability: fc.double({ min: 0, max: 0.3, noNaN: true }), depth: fc.integer({ min: 1, max: 20 }), maxHoldMs: fc.integer({ min: 1, max: 100 }) }),
  duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  delay: fc.record({ delayMs: fc.integer({ min: 0, max: 50 }), jitterMs: fc.double({ min: 0, max: 20, noNaN: true }) }),
});

const paramsArb: fc.Arbitrary<Params> = fc.record({
  seq0: fc.oneof(fc.integer({ min: 65000, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
  n: fc.integer({ min: 1, max: 1500 }),
  interval: fc.double({ min: 0.05, max: 10, noNaN: true }),
  profile: profileArb,
  seed: fc.integer(),
  wait: fc.integer({ min: 1, max: 200 }),
  capacity: fc.integer({ min: 4, max: 512 }),
});

/** Sends n packets through netsim and the buffer on virtual time; the first packet goes straight in (it fixes the start). */
function runThroughNetsim(p: Params) {
  const sink = new Recorder();
  const rb = new ReorderBuffer<Pkt>(sink, { waitMs: p.wait, capacity: p.capacity, startupHold: false });
  const sent = Array.from({ length: p.n }, (_, i) => ({ data: { seq: seqAdd(p.seq0, i), id: i }, time: i * p.interval }));
  rb.push(sent[0].data, sent[0].data.seq, 0);
  const arrivals = simulate(p.profile, sent.slice(1), p.seed);
  for (const a of arrivals) {
    while (rb.nextDeadline() <= a.time) rb.poll(rb.nextDeadline());
    rb.push(a.data, a.data.seq, a.time);
  }
  while (rb.nextDeadline() < Infinity) rb.poll(rb.nextDeadline());
  rb.flush();
  return { sink, rb, arrivals };
}

t.test('property (netsim: loss, bursts, reorder, duplication, jitter, across the wrap): strictly increasing, no duplicate, every seq delivered or lost exactly once', async (t) => {
  fc.assert(fc.property(paramsArb, (p) => {
    const { sink, rb, arrivals } = runThroughNetsim(p);
    const first = sink.packets[0].ext;
    const seen = new Map<number, string>();
    let prev = -Infinity;
    let resultOk = true;
    for (const { pkt, ext } of sink.packets) {
      if (!(ext > prev)) return false;
      prev = ext;
      if ((ext & 0xffff) !== pkt.seq) return false;
      if (ext - first !== pkt.id) return false; // the packet sent i-th is exactly extended number first + i
      seen.set(ext, 'delivered');
    }
    for (const { from, count } of sink.losses) {
      if (count <= 0) return false;
      for (let e = from; e < from + count; e++) {
        if (seen.has(e)) return false; // reported twice, or both delivered and lost
        seen.set(e, 'lost');
      }
    }
    // Everything from the first packet up to the highest released number is accounted for.
    let highest = first;
    for (const e of seen.keys()) if (e > highest) highest = e;
    for (let e = first; e <= highest; e++) if (!seen.has(e)) resultOk = false;
    // Every packet that arrived was delivered, unless it was counted as dropped (late, too old, stray).
    const arrivedIds = new Set(arrivals.map((a) => a.data.id));
    let notDelivered = 0;
    for (const id of arrivedIds) if (seen.get(first + id) !== 'delivered') notDelivered++;
    const dropped = rb.stats.late + rb.stats.tooOld + rb.stats.strays;
    if (notDelivered > dropped) resultOk = false;
    if (rb.stats.delivered !== sink.packets.length || rb.stats.lost !== sink.losses.reduce((a, l) => a + l.count, 0)) resultOk = false;
    if (rb.stats.resyncs !== 0 || rb.heldCount !== 0) resultOk = false;
    return resultOk;
  }), { numRuns: 150 });
});

t.test('property: with no loss and a hold time longer than the worst reordering, nothing is declared lost', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 2, max: 1500 }), fc.integer(),
    fc.double({ min: 0, max: 0.5, noNaN: true }), fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 5, noNaN: true }),
    (seq0, n, seed, reorderP, depth, jitter) => {
      const p: Params = {
        seq0, n, interval: 1, seed, wait: 40, capacity: 512,
        profile: { reorder: { probability: reorderP, depth, maxHoldMs: 20 }, delay: { delayMs: 10, jitterMs: jitter } },
      };
      const { sink, rb } = runThroughNetsim(p);
      return rb.stats.lost === 0 && sink.packets.length === n && rb.stats.late === 0;
    }), { numRuns: 100 });
});
