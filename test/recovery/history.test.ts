import t from 'tap';
import fc from 'fast-check';
import { RetransmissionHistory, ResendLimiter, type ResendSink } from '../../lib/recovery/history.js';
import { serializeRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { seqAdd } from '../../lib/rtp/seq.js';

function packet(seq: number, size = 1200, fill = seq & 0xff): Uint8Array {
  const p: RtpPacket = {
    version: 2, padding: false, extension: false, marker: false, payloadType: 96, sequenceNumber: seq,
    timestamp: 1000, ssrc: 0xabcdef01, csrc: [], headerExtension: undefined, payload: new Uint8Array(size - 12).fill(fill), paddingLength: 0,
  };
  return serializeRtp(p);
}

class Collector implements ResendSink {
  readonly seqs: number[] = [];
  resend(pkt: Uint8Array, seq: number): void {
    if (((pkt[2] << 8) | pkt[3]) !== seq) throw new Error('wrong packet');
    this.seqs.push(seq);
  }
}

t.test('stores copies: mutating the sent buffer afterwards does not change what is resent', async (t) => {
  const h = new RetransmissionHistory();
  const p = packet(7);
  h.store(p, 0);
  p.fill(0);
  const got = h.get(7, 10)!;
  t.same(got, packet(7));
  t.equal(h.stats.served, 1);
});

t.test('lookups distinguish served, expired and unknown; age bound', async (t) => {
  const h = new RetransmissionHistory({ maxAgeMs: 1000, maxPackets: 512 });
  for (let i = 0; i < 100; i++) h.store(packet(seqAdd(65500, i)), i * 10);
  t.ok(h.get(65500, 999), 'young enough');
  t.notOk(h.get(65500, 1001), 'older than maxAgeMs');
  t.ok(h.get(seqAdd(65500, 99), 1001), 'newest still held across the wrap');
  t.notOk(h.get(seqAdd(65500, 100), 1001), 'never sent');
  t.same(h.stats, { stored: 100, refused: 0, evicted: 0, served: 2, expired: 1, unknown: 1 });
  h.store(packet(seqAdd(65500, 100)), 2000);
  t.equal(h.size, 1, 'storing evicts what aged out');
  t.equal(h.stats.evicted, 100);
});

t.test('count bound: at most maxPackets held, the oldest go first', async (t) => {
  const h = new RetransmissionHistory({ maxPackets: 512, maxAgeMs: 1e9 });
  for (let i = 0; i < 600; i++) h.store(packet(i), i);
  t.equal(h.size, 512);
  t.notOk(h.has(87, 600));
  t.ok(h.has(88, 600));
  t.ok(h.has(599, 600));
  t.notOk(h.get(10, 600));
  t.equal(h.stats.expired, 1);
});

t.test('memory: one preallocated ring; with MTU-sized packets the bytes allocated are within 1.1x of the bytes held', async (t) => {
  const h = new RetransmissionHistory({ maxPackets: 1024, maxAgeMs: 1e9 });
  for (let i = 0; i < 3000; i++) h.store(packet(i & 0xffff), i);
  t.equal(h.size, 1024);
  t.ok(h.byteCapacity <= 1.1 * h.bytesHeld, `${h.byteCapacity} allocated for ${h.bytesHeld} held`);
});

t.test('byte bound: large packets evict more than one old one; oversize refused', async (t) => {
  const h = new RetransmissionHistory({ maxPackets: 100, byteCapacity: 4000, maxPacketSize: 1500, maxAgeMs: 1e9 });
  for (let i = 0; i < 10; i++) h.store(packet(i, 500), i);
  t.equal(h.size, 8);
  h.store(packet(10, 1500), 10);
  t.ok(h.bytesHeld <= 4000);
  t.ok(h.has(10, 10));
  h.store(packet(11, 1600), 11);
  t.equal(h.stats.refused, 1);
  h.store(new Uint8Array(5), 11);
  t.equal(h.stats.refused, 2);
});

t.test('per-receiver suppression: not the same packet twice to one receiver within one RTT; others unaffected', async (t) => {
  const h = new RetransmissionHistory();
  for (let i = 0; i < 10; i++) h.store(packet(i), 0);
  const a = new ResendLimiter();
  const b = new ResendLimiter();
  const ca = new Collector();
  const cb = new Collector();
  t.equal(h.serve([1, 2, 3], 10, a, 50, ca), 3);
  t.equal(h.serve([2, 3, 4], 30, a, 50, ca), 1, 'only 4 is new for a');
  t.equal(h.serve([2, 3], 30, b, 50, cb), 2, 'b gets its own copies');
  t.equal(h.serve([2, 3, 42], 61, a, 50, ca), 2, 'one RTT later a may get them again; 42 unknown');
  t.same(ca.seqs, [1, 2, 3, 4, 2, 3]);
  t.same(a.stats, { allowed: 6, suppressed: 2 });
  t.equal(h.stats.unknown, 1);
});

t.test('property: any sizes and timings, across the wrap: what is held is byte-exact, and within every bound', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }),
    fc.array(fc.record({ size: fc.integer({ min: 12, max: 1500 }), dt: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 800 }),
    fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1500, max: 200_000 }), fc.integer({ min: 10, max: 2000 }),
    (seq0, sends, maxPackets, byteCapacity, maxAgeMs) => {
      const h = new RetransmissionHistory({ maxPackets, byteCapacity, maxAgeMs });
      let now = 0;
      const sent: { seq: number; bytes: Uint8Array; at: number }[] = [];
      sends.forEach((s, i) => {
        now += s.dt;
        const seq = seqAdd(seq0, i);
        const bytes = packet(seq, s.size, (i * 7) & 0xff);
        h.store(bytes, now);
        sent.push({ seq, bytes, at: now });
      });
      if (h.size > maxPackets || h.bytesHeld > byteCapacity) return false;
      // The newest packet is always held; held packets are byte-exact; none older than maxAgeMs is served.
      if (!h.has(sent[sent.length - 1].seq, now)) return false;
      for (const s of sent.slice(-Math.min(sent.length, 1000))) {
        const got = h.get(s.seq, now);
        if (got && (got.length !== s.bytes.length || !got.every((b, k) => b === s.bytes[k]))) return false;
        if (got && now - s.at > maxAgeMs) return false;
      }
      return true;
    }), { numRuns: 100 });
});

// Growth: the ring starts small and grows only as the age/count window needs, never past maxBytes.

/** Sends as bursts (several packets at one instant) with random sizes and gaps. */
const bursts = fc.array(fc.record({
  count: fc.integer({ min: 1, max: 40 }), dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 })),
  sizes: fc.array(fc.integer({ min: 12, max: 1500 }), { minLength: 1, maxLength: 8 }),
}), { minLength: 1, maxLength: 40 });

interface Sent { seq: number; bytes: Uint8Array; at: number }

/**
 * Stores the bursts of `plan` (consecutive seqs from `seq0`) into `h`, calling `check` after
 * every store; false as soon as a check fails, else every packet sent with its send time.
 */
function playBursts(h: RetransmissionHistory, seq0: number, plan: { count: number; dt: number; sizes: number[] }[],
  check: (sent: Sent[], now: number) => boolean): Sent[] | false {
  const sent: Sent[] = [];
  let now = 0;
  for (const b of plan) {
    now += b.dt;
    for (let j = 0; j < b.count; j++) {
      const i = sent.length;
      const seq = seqAdd(seq0, i);
      const bytes = packet(seq, b.sizes[(i + j) % b.sizes.length], (i * 13) & 0xff);
      h.store(bytes, now);
      sent.push({ seq, bytes, at: now });
      if (!check(sent, now)) return false;
    }
  }
  return sent;
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, k) => x === b[k]);
}

/** Largest typed-array bytes the history may hold besides its ring: 18 bytes a slot, slots a power of two >= maxPackets. */
function metadataBound(maxPackets: number): number {
  let slots = 1;
  while (slots < maxPackets) slots *= 2;
  return slots * 18;
}

t.test('growth: starts at 64 KiB and grows with the window, not to the worst case; bytesAllocated counts every typed array', async (t) => {
  const h = new RetransmissionHistory();
  t.equal(h.maxBytes, 1024 * 1200 + 1500, 'documented default bound');
  t.equal(h.byteCapacity, 64 * 1024);
  t.ok(h.bytesAllocated < 64 * 1024 + 2048, `${h.bytesAllocated} allocated when empty`);
  // ~4 Mbit/s: 400 packets of 1200 bytes a second.
  for (let i = 0; i < 2000; i++) h.store(packet(seqAdd(64000, i)), i * 2.5);
  t.equal(h.size, 401);
  t.ok(h.byteCapacity <= 1.1 * h.bytesHeld, `${h.byteCapacity} ring bytes for ${h.bytesHeld} held`);
  t.ok(h.bytesAllocated <= 1.1 * h.bytesHeld, `${h.bytesAllocated} allocated for ${h.bytesHeld} held`);
  for (let i = 1599; i < 2000; i++) t.ok(same(h.get(seqAdd(64000, i), 1999 * 2.5), packet(seqAdd(64000, i))), `seq ${i}`);
  const legacy = new RetransmissionHistory({ byteCapacity: 5000 });
  t.equal(legacy.maxBytes, 5000, 'byteCapacity is still accepted as the bound');
  t.equal(new RetransmissionHistory({ byteCapacity: 5000, maxBytes: 6000 }).maxBytes, 6000);
  t.throws(() => new RetransmissionHistory({ maxBytes: 1000 }), /maxBytes/);
});

t.test('property (growth): bursts, random sizes, across the wrap, no byte pressure: exactly the window is held, byte-exact; the ring never passes maxBytes and stays near the window', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }), bursts, fc.integer({ min: 1, max: 400 }), fc.integer({ min: 10, max: 2000 }), fc.integer({ min: 12, max: 8000 }),
    (seq0, plan, maxPackets, maxAgeMs, initialBytes) => {
      const maxBytes = (maxPackets + 1) * 1500;
      const h = new RetransmissionHistory({ maxPackets, maxAgeMs, maxBytes, initialBytes });
      const start = h.byteCapacity;
      let peak = 0;
      const sent = playBursts(h, seq0, plan, (sent, now) => {
        if (h.byteCapacity > maxBytes || h.bytesAllocated > maxBytes + metadataBound(maxPackets)) return false;
        let live = 0;
        for (let k = Math.max(0, sent.length - maxPackets); k < sent.length; k++) if (now - sent[k].at <= maxAgeMs) live += sent[k].bytes.length;
        peak = Math.max(peak, live);
        return h.byteCapacity <= Math.max(start, (17 / 16) * (peak + 3 * 1500));
      });
      if (!sent) return false;
      const n = sent.length;
      const now = sent[n - 1].at;
      let held = 0;
      for (let i = 0; i < n; i++) {
        const inWindow = i >= n - maxPackets && now - sent[i].at <= maxAgeMs;
        const got = h.get(sent[i].seq, now);
        if (inWindow ? !same(got, sent[i].bytes) : got !== undefined) return false;
        if (inWindow) held++;
      }
      return h.size === held;
    }), { numRuns: 150 });
});

t.test('property (growth): under byte pressure the ring reaches maxBytes before any packet of the window is dropped; what is held is the newest packets, byte-exact', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }), bursts, fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1500, max: 30_000 }), fc.integer({ min: 12, max: 4000 }),
    (seq0, plan, maxPackets, maxBytes, initialBytes) => {
      const maxAgeMs = 1e9;
      const h = new RetransmissionHistory({ maxPackets, maxAgeMs, maxBytes, initialBytes });
      const sent = playBursts(h, seq0, plan, (sent) => {
        if (h.byteCapacity > maxBytes || h.bytesHeld > maxBytes || h.size > maxPackets) return false;
        if (h.bytesAllocated > maxBytes + metadataBound(maxPackets)) return false;
        // Fewer than the count window held: only the byte bound may have done it, and only once reached.
        return h.size >= Math.min(sent.length, maxPackets) || h.byteCapacity === maxBytes;
      });
      if (!sent) return false;
      // The held packets are the newest ones, each byte-exact; everything before them is gone.
      const n = sent.length;
      const now = sent[n - 1].at;
      for (let i = 0; i < n; i++) {
        const got = h.get(sent[i].seq, now);
        if (i >= n - h.size ? !same(got, sent[i].bytes) : got !== undefined) return false;
      }
      return h.size >= 1;
    }), { numRuns: 150 });
});

t.test('property (growth): sequence jumps, repeats and reordering: every lookup finds the newest copy still held', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }),
    fc.array(fc.record({ step: fc.oneof(fc.constant(1), fc.constant(1), fc.constant(0), fc.integer({ min: -40, max: 40 }), fc.integer({ min: 0, max: 65535 })), size: fc.integer({ min: 12, max: 1500 }), dt: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 500 }),
    fc.integer({ min: 1, max: 300 }), fc.integer({ min: 10, max: 500 }), fc.integer({ min: 12, max: 4000 }),
    (seq0, sends, maxPackets, maxAgeMs, initialBytes) => {
      const h = new RetransmissionHistory({ maxPackets, maxAgeMs, maxBytes: (maxPackets + 1) * 1500, initialBytes });
      const sent: Sent[] = [];
      let now = 0;
      let seq = seq0;
      for (const s of sends) {
        now += s.dt;
        seq = seqAdd(seq, s.step);
        const bytes = packet(seq, s.size, (sent.length * 3) & 0xff);
        h.store(bytes, now);
        sent.push({ seq, bytes, at: now });
      }
      const n = sent.length;
      const newest = new Map<number, Sent>();
      for (let i = Math.max(0, n - maxPackets); i < n; i++) if (now - sent[i].at <= maxAgeMs) newest.set(sent[i].seq, sent[i]);
      for (const s of sent) {
        const want = newest.get(s.seq);
        const got = h.get(s.seq, now);
        if (want ? !same(got, want.bytes) : got !== undefined) return false;
        if (h.has(s.seq, now) !== (want !== undefined)) return false;
      }
      for (let k = 0; k < 50; k++) {
        const probe = seqAdd(seq0, k * 1311);
        if ((h.get(probe, now) !== undefined) !== newest.has(probe)) return false;
      }
      return true;
    }), { numRuns: 150 });
});
