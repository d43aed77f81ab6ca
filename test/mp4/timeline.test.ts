/** DecodeTimeline: RTP timestamps to decode times that never go back, across the wrap and restarts. */
import t from 'tap';
import fc from 'fast-check';
import { DecodeTimeline } from '../../lib/mp4/timeline.js';
import { tsAdd } from '../../lib/rtp/seq.js';

const MAX_STEP = 900_000; // 10 s at 90 kHz

t.test('steps are taken as they are across the wrap; jumps, repeats and steps back are rebased', async (t) => {
  const tl = new DecodeTimeline(MAX_STEP, 3000);
  t.equal(tl.next(0xffff_f000), 0);
  t.equal(tl.next(0), 4096, 'wrap: 0xfffff000 -> 0 is 4096 ticks on');
  t.equal(tl.next(3000), 7096);
  t.equal(tl.next(3000), 10096, 'a repeat moves on by the last step');
  t.equal(tl.next(1000), 13096, 'a step back too');
  t.equal(tl.next(1000 + MAX_STEP + 1), 16096, 'a jump too');
  t.equal(tl.rebases, 3);
  t.equal(tl.lastSampleDuration, 3000);
});

t.test('before any step, a rebase uses the fallback duration', async (t) => {
  const tl = new DecodeTimeline(MAX_STEP, 1024);
  t.equal(tl.next(5), 0);
  t.equal(tl.next(5 - 1), 1024);
});

t.test('property: decode time strictly rises; steps within the bound are kept exactly, whatever the start and wraps', async (t) => {
  const event = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('step' as const), n: fc.integer({ min: 1, max: MAX_STEP }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), n: fc.integer({ min: 0, max: 0xffff_ffff }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('back' as const), n: fc.integer({ min: 0, max: 2 ** 31 }) }) },
  );
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.array(event, { maxLength: 300 }), (start, events) => {
    const tl = new DecodeTimeline(MAX_STEP, 3000);
    let ts = start;
    let last = tl.next(ts);
    if (last !== 0) return false;
    let lastStep = 3000;
    for (const e of events) {
      const before = ts;
      ts = e.kind === 'step' ? tsAdd(ts, e.n) : e.kind === 'restart' ? e.n : tsAdd(ts, -e.n);
      const d = tl.next(ts);
      const step = (ts - before) | 0;
      const kept = step > 0 && step <= MAX_STEP;
      if (kept) lastStep = step;
      if (d !== last + lastStep) return false;
      if (!(d > last)) return false;
      last = d;
    }
    return true;
  }));
});

t.test('property: an unbroken stream maps to its unwrapped timestamps minus the first', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.array(fc.integer({ min: 1, max: 6000 }), { maxLength: 2000 }), (start, steps) => {
    const tl = new DecodeTimeline(MAX_STEP, 3000);
    tl.next(start);
    let unwrapped = 0;
    let ts = start;
    for (const s of steps) {
      unwrapped += s;
      ts = tsAdd(ts, s);
      if (tl.next(ts) !== unwrapped) return false;
    }
    return tl.rebases === 0;
  }));
});
