/**
 * `npm run fuzz -- [--minutes N] [--target NAME[,NAME]] [--seed S]`: the long fuzz run. Time
 * is shared equally by the targets; each runs batches of fast-check inputs with consecutive
 * seeds. Prints one JSON line per target and a table; exits 1 when anything was found.
 */
import { TARGETS } from './targets.js';
import { fuzzBatch, mergeResults, type FuzzResult } from './engine.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const minutes = Number(arg('minutes') ?? '1');
const firstSeed = Number(arg('seed') ?? String(Date.now() % 1_000_000));
const wanted = arg('target')?.split(',');
const targets = TARGETS.filter((t) => !wanted || wanted.includes(t.name));
if (!(minutes > 0) || targets.length === 0) {
  process.stderr.write(`usage: npm run fuzz -- [--minutes N] [--target ${TARGETS.map((t) => t.name).join(',')}] [--seed S]\n`);
  process.exit(2);
}

const BATCH = 2000;
const results: FuzzResult[] = [];
const perTargetMs = (minutes * 60_000) / targets.length;
for (const target of targets) {
  const seeds = target.seeds();
  const total: FuzzResult = { target: target.name, inputs: 0, accepted: 0, typedErrors: {}, findings: [], slowestMs: 0, seeds: seeds.length };
  const start = performance.now();
  let seed = firstSeed;
  while (performance.now() - start < perTargetMs) mergeResults(total, fuzzBatch(target, seeds, BATCH, seed++));
  const seconds = (performance.now() - start) / 1000;
  results.push(total);
  process.stdout.write(JSON.stringify({ ...total, seconds: Math.round(seconds), inputsPerSecond: Math.round(total.inputs / seconds), firstSeed, lastSeed: seed - 1 }) + '\n');
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const nameWidth = Math.max(14, ...results.map((r) => r.target.length + 2));
process.stdout.write(`\n${pad('target', nameWidth)}${pad('inputs', 12)}${pad('accepted', 10)}${pad('typed errors', 14)}${pad('slowest ms', 12)}findings\n`);
for (const r of results) {
  const typed = Object.values(r.typedErrors).reduce((a, b) => a + b, 0);
  process.stdout.write(`${pad(r.target, nameWidth)}${pad(r.inputs, 12)}${pad(r.accepted, 10)}${pad(typed, 14)}${pad(r.slowestMs.toFixed(1), 12)}${r.findings.length}\n`);
}
for (const r of results) for (const f of r.findings) process.stdout.write(`FINDING ${r.target} (seed ${f.seed}): ${f.message}\n  input: ${f.inputHex}\n`);
process.exit(results.some((r) => r.findings.length > 0) ? 1 : 0);
