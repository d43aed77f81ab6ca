/** The egress timeline alone: numbering and re-basing, on virtual time. */
import t from 'tap';
import fc from 'fast-check';
import { seqDistance, tsDistance } from '../../lib/rtp/seq.js';
import { EgressTimeline } from '../../lib/gateway/egress-timeline.js';

const JUMP_MS = 10_000;

function timeline(firstSequenceNumber: number, firstTimestamp: number): EgressTimeline {
  return new EgressTimeline({ clockRate: 90_000, timestampJumpMs: JUMP_MS, firstSequenceNumber, firstTimestamp });
}

/** What happens to a source between two units. */
const step = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('frame' as const), dt: fc.integer({ min: 1, max: 200 }), packets: fc.integer({ min: 0, max: 40 }) }) },
  // a camera restart: a new session with any timestamp base, after a pause
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), dt: fc.integer({ min: 0, max: 5000 }), base: fc.nat({ max: 0xffffffff }) }) },
  // the source's clock jumps (forwards or back) by more than the limit, within one session
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), dt: fc.integer({ min: 1, max: 200 }), by: fc.integer({ min: JUMP_MS * 90 + 1, max: 0x7fffffff }), back: fc.boolean() }) },
);

t.test('sequence numbers: contiguous from the first, across the 65535 wrap and restarts, none skipped or repeated', async (t) => {
  let wraps = 0;
  fc.assert(fc.property(
    fc.oneof(fc.integer({ min: 65_400, max: 65_535 }), fc.nat({ max: 0xffff })),
    fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }),
    (first, steps) => {
      const tl = timeline(first, 0);
      let expected = first;
      let source = 1000;
      let now = 0;
      const buf = new Uint8Array(12);
      for (const s of steps) {
        now += s.dt;
        if (s.kind === 'restart') {
          tl.restart();
          source = s.base;
          continue;
        }
        tl.unitAt(source, now);
        source = (source + 3000) >>> 0;
        if (s.kind !== 'frame') continue;
        for (let i = 0; i < s.packets; i++) {
          if (tl.nextSeq !== expected) throw new Error(`nextSeq ${tl.nextSeq}, expected ${expected}`);
          const seq = tl.stamp(buf);
          if (seq !== expected || ((buf[2] << 8) | buf[3]) !== expected) throw new Error(`stamped ${seq}, expected ${expected}`);
          expected = (expected + 1) & 0xffff;
        }
      }
      if (expected < first) wraps++;
    },
  ), { numRuns: 300 });
  t.ok(wraps > 0, `runs through the wrap: ${wraps}`);
});

t.test('timestamps: each unit after the one before, across restarts and jumps; within a session they follow the source exactly', async (t) => {
  let rebased = 0;
  fc.assert(fc.property(
    fc.nat({ max: 0xffffffff }),
    fc.nat({ max: 0xffffffff }),
    fc.array(step, { minLength: 1, maxLength: 80, size: 'max' }),
    (firstTs, base, steps) => {
      const tl = timeline(0, firstTs);
      let source = base;
      let now = 1000;
      let prev: { egress: number; source: number } | undefined;
      let expectedRebases = 0;
      let restarted = false;
      for (const s of steps) {
        now += s.dt;
        if (s.kind === 'restart') {
          tl.restart();
          source = s.base;
          restarted = true;
          continue;
        }
        if (s.kind === 'jump') source = (source + (s.back ? -s.by : s.by)) >>> 0;
        else source = (source + s.dt * 90) >>> 0;
        const rebase = prev === undefined || restarted || s.kind === 'jump';
        const ts = tl.unitAt(source, now);
        if (prev === undefined) {
          if (ts !== firstTs >>> 0) throw new Error('the first unit is stamped with the first timestamp');
        } else if (rebase) {
          expectedRebases++;
          // At least 1 ms after where the last unit's timestamp has run on to by now.
          const extrapolated = tsDistance(prev.egress, ts);
          if (extrapolated < 90) throw new Error(`re-based unit only ${extrapolated} ticks after the last`);
        } else if (tsDistance(prev.egress, ts) !== tsDistance(prev.source, source)) {
          throw new Error('within a session egress steps equal source steps');
        }
        if (prev !== undefined && tsDistance(prev.egress, ts) <= 0) throw new Error('timestamps went back');
        if (tl.lastTimestamp !== ts) throw new Error('lastTimestamp is the newest unit\'s');
        prev = { egress: ts, source };
        restarted = false;
      }
      if (tl.rebases !== expectedRebases) throw new Error(`rebases ${tl.rebases}, expected ${expectedRebases}`);
      rebased += expectedRebases;
    },
  ), { numRuns: 400 });
  t.ok(rebased > 0, `re-bases seen: ${rebased}`);
});

t.test('egressTsAt runs on from the last unit at the clock rate; before any unit it is the first timestamp', async (t) => {
  const tl = timeline(0, 0xffffff00);
  t.equal(tl.egressTsAt(5000), 0xffffff00);
  tl.unitAt(123, 1000);
  t.equal(tl.egressTsAt(1000), 0xffffff00);
  t.equal(tl.egressTsAt(1010), (0xffffff00 + 900) >>> 0, 'wraps at 2^32');
  tl.unitAt(123 + 2 * 90, 1002);
  t.equal(tl.shift, (0xffffff00 - 123) >>> 0);
  t.equal(tl.rebases, 0);
  t.equal(seqDistance(0, tl.nextSeq), 0, 'units alone use no sequence numbers');
});
