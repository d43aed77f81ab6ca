/** The keyframe cache alone, against a model: what it holds, for how long, and within which bounds. */
import t from 'tap';
import fc from 'fast-check';
import { KeyframeCache } from '../../lib/gateway/keyframe-cache.js';
import { MAX_EGRESS_PACKET } from '../../lib/gateway/egress-packet.js';

/** An egress packet of `size` bytes numbered `seq`, its bytes derived from both. */
function packet(seq: number, size: number): Uint8Array {
  const p = new Uint8Array(size).map((_, i) => (seq * 31 + i) & 0xff);
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  return p;
}

/** One keyframe unit as it goes out: its packets, how it ends, and the time after it. */
interface Unit {
  sizes: number[];
  inPlace: boolean;
  /** 'open': never finished (the next unit replaces it). */
  end: 'finish' | 'abandon' | 'invalidate' | 'open';
  waitMs: number;
}

const unitArb: fc.Arbitrary<Unit> = fc.record({
  sizes: fc.array(fc.integer({ min: 12, max: MAX_EGRESS_PACKET }), { maxLength: 12 }),
  inPlace: fc.boolean(),
  end: fc.constantFrom('finish', 'finish', 'finish', 'abandon', 'invalidate', 'open'),
  waitMs: fc.integer({ min: 0, max: 4000 }),
});

t.test('against a model: only whole units within maxBytes are cached, usable until maxAgeMs, gone when invalidated', async (t) => {
  let overflowsOverCached = 0;
  fc.assert(fc.property(
    fc.array(unitArb, { minLength: 1, maxLength: 30 }),
    fc.integer({ min: 0, max: 12_000 }),
    fc.integer({ min: 1, max: 10_000 }),
    fc.nat({ max: 0xffff }),
    (units, maxBytes, maxAgeMs, seq0) => {
      const cache = new KeyframeCache({ maxBytes, maxAgeMs });
      let now = 0;
      let seq = seq0;
      // the model: the cached unit's packets and when it began
      let cached: { packets: Uint8Array[]; at: number } | undefined;
      const check = () => {
        const usable = cache.usable(now);
        const fresh = cached && now - cached.at <= maxAgeMs ? cached : undefined;
        if (!fresh !== !usable) throw new Error(`usable: model ${!!fresh}, cache ${!!usable}`);
        if (cache.packetCount !== (cached?.packets.length ?? 0)) throw new Error('packetCount');
        if (cache.ageMs(now) !== (cached ? Math.round(now - cached.at) : -1)) throw new Error('ageMs');
        if (!usable || !fresh) return;
        let bytes = 0;
        usable.packets.forEach((p, i) => {
          bytes += p.length;
          if (Buffer.compare(Buffer.from(p), Buffer.from(fresh.packets[i])) !== 0) throw new Error(`packet ${i} differs`);
        });
        if (bytes > maxBytes) throw new Error('cached unit over maxBytes');
        const f = fresh.packets[0];
        if (usable.firstSeq !== ((f[2] << 8) | f[3])) throw new Error('firstSeq is the first packet\'s');
      };
      for (const u of units) {
        cache.begin(0, now);
        const at = now;
        let bytes = 0;
        let building: Uint8Array[] | undefined = [];
        for (const size of u.sizes) {
          if (cache.building !== (building !== undefined)) throw new Error('building disagrees');
          if (!building) break;
          const p = packet(seq, size);
          seq = (seq + 1) & 0xffff;
          let kept: boolean;
          if (u.inPlace) {
            const slot = cache.slot();
            if (slot.length < MAX_EGRESS_PACKET) throw new Error('slot too small for an egress packet');
            slot.set(p);
            kept = cache.commit(slot.subarray(0, size));
          } else {
            kept = cache.store(p) !== undefined;
            p.fill(0xee); // the caller's buffer is reused: the cache must hold its own copy
          }
          if ((bytes += size) > maxBytes) {
            if (kept) throw new Error('kept a packet over maxBytes');
            if (cached) overflowsOverCached++;
            // the frames after the new keyframe reference it, not the cached one: that is stale too
            building = cached = undefined;
          } else {
            if (!kept) throw new Error('refused a packet within maxBytes');
            building.push(packet((seq - 1) & 0xffff, size));
          }
          check();
        }
        if (u.end === 'finish') {
          cache.finish();
          if (building && building.length > 0) cached = { packets: building, at };
        } else if (u.end === 'abandon') {
          cache.abandon();
        } else if (u.end === 'invalidate') {
          cache.invalidate();
          cached = undefined;
        }
        check();
        now += u.waitMs;
        check();
      }
    },
  ), { numRuns: 400 });
  t.ok(overflowsOverCached > 0, `a unit over maxBytes replaced a cached one (${overflowsOverCached} times)`);
});

t.test('a keyframe larger than one arena spans several and stays whole; the next arena is sized from it', async (t) => {
  const cache = new KeyframeCache({ maxBytes: 8 << 20, maxAgeMs: 30_000 });
  cache.begin(3000, 0);
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    const p = packet(i, 1200);
    sent.push(p);
    cache.store(p);
  }
  cache.finish();
  const first = cache.usable(0)!;
  t.equal(first.packets.length, 300);
  t.ok(new Set(first.packets.map((p) => p.buffer)).size > 1, 'several arenas');
  t.ok(first.packets.every((p, i) => Buffer.compare(Buffer.from(p), Buffer.from(sent[i])) === 0));
  cache.begin(6000, 40);
  for (let i = 0; i < 300; i++) cache.store(packet(i, 1200));
  cache.finish();
  t.equal(new Set(cache.usable(40)!.packets.map((p) => p.buffer)).size, 1, 'one arena once the size is known');
  t.same(first.packets.map((p) => p[4]), sent.map((p) => p[4]), 'a replaced keyframe is left as it was (a viewer may still resend from it)');
});
