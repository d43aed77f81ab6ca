/**
 * Preloaded into every test process (.taprc node-arg). In CI the property tests draw from a
 * fixed seed, so a run on a clean clone is repeatable; locally every run draws a new one and
 * keeps exploring (as does `npm run fuzz`). FC_SEED picks a seed either way, e.g. to replay
 * the seed a failure printed.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CAMWIRE_CI === '1' ? '20261203' : undefined);
if (seed !== undefined && Number.isInteger(Number(seed))) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
