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

t.test('copyTo copies into a caller buffer', async (t) => {
  const h = new RetransmissionHistory();
  h.store(packet(5, 100), 0);
  const out = new Uint8Array(1500);
  t.equal(h.copyTo(5, 1, out, 4), 100);
  t.same(out.subarray(4, 104), packet(5, 100));
  t.equal(h.copyTo(6, 1, out), -1);
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
