import t from 'tap';
import fc from 'fast-check';
import { SequenceTracker, SEQUENCE_TRACKER_DEFAULTS, type SequenceEvent } from '../../lib/rtp/sequence-tracker.js';

function feed(tracker: SequenceTracker, seqs: number[]): SequenceEvent[] {
  return seqs.map((s) => tracker.track(s));
}

t.test('in order across the wrap, then a late and a duplicate packet', async (t) => {
  const s = new SequenceTracker();
  t.same(feed(s, [65534, 65535, 0, 1]), ['first', 'next', 'next', 'next']);
  t.equal(s.newest, 1);
  t.equal(s.expected, 2);
  t.equal(s.newestExtended, 65536 + 65534 + 3);
  t.equal(s.track(65535), 'late');
  t.equal(s.lastExtended, s.newestExtended - 2, 'a late packet maps to the cycle before the wrap');
  t.equal(s.track(1), 'duplicate');
  t.equal(s.newest, 1, 'neither moves the newest');
});

t.test('a gap over the wrap reports what is missing', async (t) => {
  const s = new SequenceTracker();
  s.track(65530);
  t.equal(s.track(3), 'gap');
  t.equal(s.missing, 8);
  t.equal(s.track(4), 'next');
  t.equal(s.missing, 0, 'missing belongs to the last event only');
});

t.test('the RFC 3550 A.1 bounds are exact', async (t) => {
  const { maxMisorder, maxDropout } = SEQUENCE_TRACKER_DEFAULTS;
  const at = (d: number): SequenceEvent => {
    const s = new SequenceTracker();
    s.track(40000);
    return s.track((40000 + d) & 0xffff);
  };
  t.equal(at(maxDropout), 'gap');
  t.equal(at(maxDropout + 1), 'restart');
  t.equal(at(-(maxMisorder - 1)), 'late');
  t.equal(at(-maxMisorder), 'restart');
});

t.test('Infinity bounds: the whole half of the number space is late or a gap, never a restart', async (t) => {
  const s = new SequenceTracker({ maxMisorder: Infinity, maxDropout: Infinity });
  s.track(0);
  t.equal(s.track(32768), 'late');
  t.equal(s.track(32767), 'gap');
  t.equal(s.missing, 32766);
});

t.test('a restart keeps extended numbers increasing, low 16 bits = seq', async (t) => {
  const s = new SequenceTracker();
  s.track(20000);
  const before = s.newestExtended;
  t.equal(s.track(5), 'restart');
  t.ok(s.newestExtended > before);
  t.equal(s.newestExtended & 0xffff, 5);
  t.equal(s.track(6), 'next');
  t.equal(s.track(20000), 'restart', 'the old numbering is no longer late after a restart');
});

t.test('expect(): the next packet is in order, a gap before it counts', async (t) => {
  const s = new SequenceTracker();
  s.expect(0);
  t.ok(s.isStarted);
  t.equal(s.expected, 0);
  t.equal(s.track(2), 'gap');
  t.equal(s.missing, 2);
  s.expect(100);
  t.equal(s.track(100), 'next');
  s.reset();
  t.notOk(s.isStarted);
  t.equal(s.track(7), 'first');
});

type Action = { kind: 'keep' | 'drop' | 'dup' | 'delay'; by: number };

/**
 * Arrival order of a run of `actions.length` packets (offsets 1..n after the run's base): the
 * ones marked `drop` never arrive, `delay` ones arrive `by` packets later, `dup` ones twice.
 */
function arrivalOffsets(actions: Action[]): number[] {
  const keyed: { key: number; offset: number }[] = [];
  actions.forEach((a, i) => {
    if (a.kind === 'drop') return;
    keyed.push({ key: a.kind === 'delay' ? i + a.by + 0.5 : i, offset: i + 1 });
    if (a.kind === 'dup') keyed.push({ key: i + a.by + 0.25, offset: i + 1 });
  });
  return keyed.sort((x, y) => x.key - y.key).map((k) => k.offset);
}

const bound = fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constant(Infinity));
const action: fc.Arbitrary<Action> = fc.record({
  kind: fc.constantFrom<Action['kind']>('keep', 'keep', 'keep', 'drop', 'dup', 'delay'),
  by: fc.integer({ min: 1, max: 6 }),
});

t.test('property: against an unbounded model under reordering, loss, duplication and restarts, across the wrap', async (t) => {
  fc.assert(fc.property(
    bound, bound,
    fc.oneof(fc.integer({ min: 65400, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
    fc.array(fc.record({
      // where in the range of jumps that must read as a restart (0..1), or none
      restart: fc.option(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { nil: undefined, freq: 3 }),
      actions: fc.array(action, { minLength: 1, maxLength: 60 }),
    }), { minLength: 1, maxLength: 12 }),
    (maxMisorder, maxDropout, startSeq, segments) => {
      // jumps beyond maxDropout ahead that are also at least maxMisorder behind (mod 2^16)
      const lo = maxDropout === Infinity ? 32768 : maxDropout + 1;
      const hi = maxMisorder === Infinity ? 32767 : 65536 - maxMisorder;
      const tracker = new SequenceTracker({ maxMisorder, maxDropout });
      // the model: positions on an unbounded line, a packet's sequence number is position mod 2^16
      let started = false;
      let newest = 0;
      const take = (pos: number, want: SequenceEvent): boolean => {
        const seq = pos & 0xffff;
        const extBefore = tracker.newestExtended;
        const got = tracker.track(seq);
        if (got !== want) return false;
        if (tracker.missing !== (got === 'gap' ? pos - newest - 1 : 0)) return false;
        if ((tracker.lastExtended & 0xffff) !== seq) return false;
        if (got === 'restart') {
          const step = tracker.newestExtended - extBefore;
          if (step <= 0 || step > 65536) return false;
        } else if (got !== 'first' && tracker.lastExtended - extBefore !== pos - newest) return false;
        if (got !== 'late' && got !== 'duplicate') newest = pos;
        started = true;
        return tracker.newest === (newest & 0xffff) && tracker.expected === ((newest + 1) & 0xffff);
      };
      const expected = (pos: number): SequenceEvent => {
        const d = pos - newest;
        if (!started) return 'first';
        if (d === 1) return 'next';
        if (d === 0) return 'duplicate';
        if (d < 0 && -d < maxMisorder) return 'late';
        if (d > 0 && d <= maxDropout) return 'gap';
        return 'restart';
      };
      let base = 65536 * 8 + startSeq;
      for (const seg of segments) {
        if (seg.restart !== undefined && lo <= hi && started) {
          base = newest + lo + Math.floor(seg.restart * (hi - lo + 1));
          if (!take(base, 'restart')) return false;
        }
        for (const offset of arrivalOffsets(seg.actions)) {
          const pos = base + offset;
          if (!take(pos, expected(pos))) return false;
        }
        base += seg.actions.length;
      }
      return true;
    },
  ), { numRuns: 300 });
});
