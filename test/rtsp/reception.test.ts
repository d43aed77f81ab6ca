import t from 'tap';
import fc from 'fast-check';
import { RtpReception } from '../../lib/rtsp/client/reception.js';
import { seqAdd } from '../../lib/rtp/seq.js';

t.test('in-order stream across the 65535 -> 0 wrap', async (t) => {
  const r = new RtpReception(90000);
  for (let k = 0; k < 100; k++) r.onPacket(seqAdd(65500, k), k * 3000, 7, 1000, k * 33.333);
  t.match(r.counters, { received: 100, lost: 0, reordered: 0, duplicated: 0, bytes: 100000 });
  const b = r.reportBlock(5000)!;
  t.equal(b.highestSeq, 65500 + 99, 'extended highest crosses the wrap');
  t.equal(b.fractionLost, 0);
  t.ok(b.jitter < 5, 'steady arrival: near-zero jitter');
});

t.test('loss, reorder and duplicates are counted (property, crosses the wrap)', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 2, max: 300 }),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (start, n, swaps, drops, dups) => {
        const order = Array.from({ length: n }, (_, k) => k);
        for (const [a, b] of swaps) {
          const i = a % n, j = Math.min(n - 1, i + 1 + (b % 5));
          [order[i], order[j]] = [order[j], order[i]];
        }
        const dropped = new Set(drops.map((d) => d % n).filter((d) => d !== 0 && d !== n - 1));
        let seqs = order.filter((k) => !dropped.has(k));
        const dupIdx = dups.map((d) => d % seqs.length);
        const withDups: number[] = [];
        seqs.forEach((k, i) => {
          withDups.push(k);
          for (const d of dupIdx) if (d === i) withDups.push(k);
        });
        seqs = withDups;
        const r = new RtpReception(90000);
        let reorderedSeen = 0;
        let maxSoFar = -1;
        const seen = new Set<number>();
        for (const k of seqs) {
          const kind = r.onPacket(seqAdd(start, k), k * 3000, 1, 100, 0);
          if (!seen.has(k) && k < maxSoFar) reorderedSeen++;
          if (!seen.has(k)) maxSoFar = Math.max(maxSoFar, k);
          if ((kind === 'duplicate') !== seen.has(k)) throw new Error(`packet ${k} classified ${kind}`);
          seen.add(k);
        }
        const c = r.counters;
        const block = r.reportBlock(1)!;
        const got = { received: c.received, duplicated: c.duplicated, lost: c.lost, reordered: c.reordered, cum: block.cumulativeLost, highest: block.highestSeq };
        const want = { received: n - dropped.size, duplicated: seqs.length - (n - dropped.size), lost: dropped.size, reordered: reorderedSeen, cum: dropped.size, highest: start + n - 1 };
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 runs');
});

t.test('SSRC change restarts the counters (camera restarted)', async (t) => {
  const r = new RtpReception(90000);
  for (let k = 0; k < 10; k++) r.onPacket(100 + k, 0, 1, 10, 0);
  r.onPacket(5000, 0, 2, 10, 0);
  t.match(r.counters, { ssrc: 2, received: 1, lost: 0, ssrcChanges: 1 });
});

t.test('fraction lost per interval and DLSR', async (t) => {
  const r = new RtpReception(90000);
  for (let k = 0; k < 100; k++) if (k % 4 !== 1) r.onPacket(k, 0, 9, 10, 0);
  t.equal(r.reportBlock(0)!.fractionLost, Math.floor((25 * 256) / 100));
  for (let k = 100; k < 200; k++) r.onPacket(k, 0, 9, 10, 0);
  r.onSenderReport(0x00001234, 0x56780000, 1000);
  const b = r.reportBlock(1500)!;
  t.equal(b.fractionLost, 0, 'new interval without loss');
  t.equal(b.lsr, 0x12345678);
  t.equal(b.dlsr, 32768, '0.5 s in 1/65536 s units');
});
