import t from 'tap';
import fc from 'fast-check';
import { SeqUnwrapper, seqAdd, seqDistance, seqGreaterThan, seqLessThan, tsAdd, tsDistance, tsLessThan } from '../../lib/rtp/seq.js';

t.test('seqDistance crosses the wrap', async (t) => {
  t.equal(seqDistance(65535, 0), 1);
  t.equal(seqDistance(0, 65535), -1);
  t.equal(seqDistance(65530, 5), 11);
  t.equal(seqDistance(100, 100), 0);
  t.equal(seqDistance(0, 32767), 32767);
  t.equal(seqDistance(0, 32768), -32768);
  t.ok(seqLessThan(65535, 0));
  t.ok(seqGreaterThan(0, 65535));
  t.notOk(seqLessThan(5, 5));
  t.equal(seqAdd(65535, 1), 0);
  t.equal(seqAdd(0, -1), 65535);
});

t.test('timestamps wrap at 2^32', async (t) => {
  t.equal(tsDistance(0xffffffff, 0), 1);
  t.equal(tsDistance(0, 0xffffffff), -1);
  t.ok(tsLessThan(0xfffffff0, 0x10));
  t.equal(tsAdd(0xffffffff, 2), 1);
  t.equal(tsAdd(0, -1), 0xffffffff);
});

t.test('property: seqAdd and seqDistance are inverse for |n| < 32768', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: -32768, max: 32767 }), (a, n) => {
    return seqDistance(a, seqAdd(a, n)) === n && seqLessThan(a, seqAdd(a, n)) === n > 0;
  }));
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (a, n) => {
    return tsDistance(a, tsAdd(a, n)) === n;
  }));
});

t.test('property: unwrapper gives monotonic extended numbers across wraps, reordered input maps back', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }),
    fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 800 }),
    fc.integer({ min: 0, max: 1000 }),
    (start, steps, swapSeed) => {
      // a sequence of extended numbers moving forward (crossing 65535 several times)
      const ext: number[] = [start];
      for (const s of steps) ext.push(ext[ext.length - 1] + s);
      // swap neighbours to reorder
      const order = ext.slice();
      for (let i = swapSeed % 7; i + 1 < order.length; i += 7) [order[i], order[i + 1]] = [order[i + 1], order[i]];
      const u = new SeqUnwrapper();
      const base = u.unwrap(order[0] & 0xffff) - order[0];
      for (let i = 1; i < order.length; i++) {
        if (u.unwrap(order[i] & 0xffff) - base !== order[i]) return false;
      }
      return u.highestExtended - base === ext[ext.length - 1];
    },
  ));
});
