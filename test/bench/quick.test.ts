/** CI smoke for `npm run bench -- --quick`: every benchmark runs and prints well-formed JSON. Speed is not judged. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/env.js';

t.test('every benchmark runs in --quick mode and prints one JSON line per result', async (t) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist/bench/run.js'), '--quick'], { encoding: 'utf8', timeout: 240_000 });
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  t.ok(lines.length >= 3, `${lines.length} results`);
  for (const line of lines) {
    const j = JSON.parse(line) as Record<string, unknown>;
    t.type(j.name, 'string');
    t.type(j.unit, 'string');
    t.ok(typeof j.median === 'number' && Number.isFinite(j.median) && (j.median as number) > 0, `${j.name} median ${j.median}`);
  }
});
