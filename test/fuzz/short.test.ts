/**
 * The CI pass of the fuzz suite: a few thousand inputs per network parser, fixed seed, no
 * findings allowed (no exception but the typed errors, no broken bound). `npm run fuzz` runs
 * the same targets for as long as asked.
 */
import t from 'tap';
import { TARGETS } from './targets.js';
import { fuzzBatch } from './engine.js';

const RUNS = 3000;

for (const target of TARGETS) {
  t.test(`fuzz ${target.name}: ${RUNS} inputs, only typed errors`, async (t) => {
    const seeds = target.seeds();
    t.ok(seeds.length > 0, `${seeds.length} seeds`);
    // timing is reported, never judged here: slowMs is set out of reach
    const r = fuzzBatch(target, seeds, RUNS, 20261124, Infinity);
    t.equal(r.inputs, RUNS);
    t.same(r.findings, [], 'no finding');
    t.comment(`${r.accepted} accepted, typed errors ${JSON.stringify(r.typedErrors)}, slowest ${r.slowestMs.toFixed(1)} ms`);
  });
}
