/**
 * `npm run bench [-- <name>...] [--quick]`: runs every benchmark (or those whose name starts
 * with one of the given names), printing one JSON line each and a table at the end.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchResult } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const files = readdirSync(here).filter((f) => f.endsWith('.bench.js')).sort();
const results: BenchResult[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { benchmarks: Benchmark[] };
  for (const b of mod.benchmarks) {
    if (wanted.length && !wanted.some((w) => b.name.startsWith(w))) continue;
    for (const r of await b.run()) {
      process.stdout.write(JSON.stringify(r) + '\n');
      results.push(r);
    }
  }
}
const rows = results.map((r) => `${r.name.padEnd(40)} ${String(r.median).padStart(12)} ${r.unit.padEnd(10)} ${r.peer ? `${r.peer}: ${r.peerMedian} (x${r.speedup})` : ''}`);
process.stderr.write(`\n${'benchmark'.padEnd(40)} ${'median'.padStart(12)} unit\n${rows.join('\n')}\n`);
