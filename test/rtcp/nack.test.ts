import t from 'tap';
import fc from 'fast-check';
import { seqsToNackItems, nackItemsToSeqs, type NackItem } from '../../lib/rtcp/nack.js';
import { seqAdd, seqDistance } from '../../lib/rtp/seq.js';

const sortedSet = (xs: Iterable<number>) => [...new Set(xs)].sort((a, b) => a - b);

t.test('NACK items by hand', async (t) => {
  t.same(seqsToNackItems([]), []);
  t.same(seqsToNackItems([5]), [{ pid: 5, blp: 0 }]);
  t.same(seqsToNackItems([100, 101, 103]), [{ pid: 100, blp: 0b101 }]);
  t.same(seqsToNackItems(Array.from({ length: 17 }, (_, i) => 1 + i)), [{ pid: 1, blp: 0xffff }], '17 in a row is one item');
  t.same(seqsToNackItems(Array.from({ length: 18 }, (_, i) => 1 + i)), [{ pid: 1, blp: 0xffff }, { pid: 18, blp: 0 }]);
  t.same(seqsToNackItems([103, 100, 101, 100]), [{ pid: 100, blp: 0b101 }], 'unordered input with duplicates');
  t.same(seqsToNackItems([65536 + 7]), [{ pid: 7, blp: 0 }], 'taken mod 2^16');
});

t.test('NACK items across the 65535 -> 0 wrap', async (t) => {
  t.same(seqsToNackItems([65534, 65535, 0, 1]), [{ pid: 65534, blp: 0b111 }], 'one run, one item');
  t.same(seqsToNackItems([0, 1, 65534, 65535]), [{ pid: 65534, blp: 0b111 }], 'numeric order in, same item');
  t.same(seqsToNackItems([3, 3, 3]), [{ pid: 3, blp: 0 }], 'all the same');
  t.same(seqsToNackItems([1, 65535]), [{ pid: 65535, blp: 0b10 }], 'starts at the older number');
  t.same(seqsToNackItems([65530, 10, 40]), [{ pid: 65530, blp: 1 << 15 }, { pid: 40, blp: 0 }]);
  t.same(nackItemsToSeqs([{ pid: 65534, blp: 0b111 }]), [65534, 65535, 0, 1]);
  t.same(nackItemsToSeqs([{ pid: 65535, blp: 0x8000 }]), [65535, 15]);
});

t.test('nackItemsToSeqs names each number once even when items overlap', async (t) => {
  t.same(nackItemsToSeqs([{ pid: 10, blp: 0b11 }, { pid: 11, blp: 0b11 }]), [10, 11, 12, 13]);
  t.same(nackItemsToSeqs([{ pid: 10, blp: 0 }, { pid: 10, blp: 0 }]), [10]);
  t.same(nackItemsToSeqs([{ pid: 0, blp: 0 }, { pid: 17, blp: 0 }, { pid: 0, blp: 0 }]), [0, 17], 'repeat further back');
  const aroundTheCircle = Array.from({ length: 5 }, (_, i) => ({ pid: (i * 16384) & 0xffff, blp: 0 }));
  t.same(nackItemsToSeqs(aroundTheCircle), [0, 16384, 32768, 49152], 'a full turn comes back to the first');
});

/** Independent count: greedy windows of 17 over the numbers as plain (unwrapped) integers. */
function greedyWindowCount(unwrapped: number[]): number {
  const xs = [...new Set(unwrapped)].sort((a, b) => a - b);
  let count = 0;
  let windowStart = -Infinity;
  for (const x of xs) if (x > windowStart + 16) { count++; windowStart = x; }
  return count;
}

/** A loss set within half the sequence space, often straddling 65535 -> 0. */
const arbLoss = fc.record({
  base: fc.oneof(fc.integer({ min: 65000, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
  offsets: fc.array(fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 32000 })), { minLength: 1, maxLength: 300 }),
});

t.test('property: decode(encode(lost)) is the lost set, in wrap-aware order, with the fewest items', async (t) => {
  fc.assert(fc.property(arbLoss, ({ base, offsets }) => {
    const seqs = offsets.map((o) => seqAdd(base, o));
    const items = seqsToNackItems(seqs);
    const back = nackItemsToSeqs(items);
    if (JSON.stringify(sortedSet(back)) !== JSON.stringify(sortedSet(seqs)) || back.length !== new Set(seqs).size) return false;
    for (let i = 1; i < back.length; i++) if (seqDistance(back[i - 1], back[i]) <= 0) return false;
    if (items.length !== greedyWindowCount(offsets)) return false;
    // the same set given in order (wrapping once), as a NACK generator passes it
    const inOrder = [...new Set(offsets)].sort((a, b) => a - b).map((o) => seqAdd(base, o));
    return JSON.stringify(seqsToNackItems(inOrder)) === JSON.stringify(items);
  }), { numRuns: 3000 });
});

t.test('property: any items decode to distinct numbers that each item covers', async (t) => {
  const arbItems: fc.Arbitrary<NackItem[]> = fc.array(fc.record({ pid: fc.integer({ min: 0, max: 0xffff }), blp: fc.integer({ min: 0, max: 0xffff }) }), { maxLength: 20 });
  fc.assert(fc.property(arbItems, (items) => {
    const seqs = nackItemsToSeqs(items);
    if (new Set(seqs).size !== seqs.length) return false;
    const expected = new Set<number>();
    for (const it of items) {
      expected.add(it.pid);
      for (let i = 0; i < 16; i++) if (it.blp & (1 << i)) expected.add(seqAdd(it.pid, i + 1));
    }
    return seqs.length === expected.size && seqs.every((s) => expected.has(s));
  }), { numRuns: 3000 });
});

t.test('a loss set spread over the whole circle still round-trips', async (t) => {
  const everyThird = Array.from({ length: 21846 }, (_, i) => i * 3); // 0..65535, gaps of 3 and 1 across the wrap
  const items = seqsToNackItems(everyThird);
  t.same(sortedSet(nackItemsToSeqs(items)), everyThird);
  t.ok(items.length <= greedyWindowCount(everyThird) + 1, `${items.length} items`);
});
