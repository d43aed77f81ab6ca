import t from 'tap';
import fc from 'fast-check';
import type { LinkProfile } from '../../lib/netsim/index.js';
import { key, run } from '../support/camera-sim.js';

t.test('whatever the link does, only whole, unchanged frames come out, in order, restarting at keyframes', (t) => {
  fc.assert(
    fc.property(
      fc.record({
        loss: fc.double({ min: 0, max: 0.15, noNaN: true }),
        reorder: fc.double({ min: 0, max: 0.2, noNaN: true }),
        duplicate: fc.double({ min: 0, max: 0.05, noNaN: true }),
        jitter: fc.integer({ min: 0, max: 15 }),
      }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.array(fc.integer({ min: 50, max: 6000 }), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      (p, seed, sizes, nack) => {
        const { emitted, index, original } = run(
          { loss: p.loss, reorder: { probability: p.reorder, depth: 5 }, duplicate: p.duplicate, delay: { delayMs: 10, jitterMs: p.jitter } },
          seed, 45, 15, sizes, nack,
        );
        let last = -1;
        for (const au of emitted) {
          const i = index.get(au.timestamp);
          if (i === undefined || i <= last) return false;
          if (key(au) !== key(original[i])) return false;
          if (i !== last + 1 && !au.keyframe) return false;
          if (last === -1 && !au.keyframe) return false;
          last = i;
        }
        return true;
      },
    ),
    { numRuns: 40 },
  );
  t.end();
});

t.test('reordering and duplication alone lose nothing', (t) => {
  const r = run({ reorder: { probability: 0.1, depth: 4 }, duplicate: 0.02, delay: { delayMs: 5, jitterMs: 5 } }, 7, 60, 30, [800, 3000, 9000], true);
  t.equal(r.emitted.length, 60, 'every frame delivered');
  t.equal(r.pipeline.stats().incompleteDropped, 0);
  t.end();
});

t.test('5% loss: NACKs to the camera recover the frames; without them frames are dropped until a keyframe', (t) => {
  const profile: LinkProfile = { loss: 0.05, delay: { delayMs: 10, jitterMs: 2 } };
  const withNack = run(profile, 42, 90, 30, [1500, 4000, 12000], true);
  const without = run(profile, 42, 90, 30, [1500, 4000, 12000], false);
  t.comment(`with NACK: ${withNack.emitted.length}/90 frames, recovered ${withNack.pipeline.stats().receiver?.recovered}; without: ${without.emitted.length}/90, keyframe requests ${without.keyframeRequests}`);
  t.ok(withNack.emitted.length >= 85, 'nearly every frame recovered');
  t.ok(without.emitted.length < withNack.emitted.length, 'loss costs frames without NACK');
  t.ok(without.keyframeRequests > 1, 'beyond the one every session starts with, lost frames ask the camera for keyframes');
  t.end();
});
