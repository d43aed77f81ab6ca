import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineLock } from '../../tools/machine-lock.js';
import { repoRoot } from '../support/env.js';

const lockModule = pathToFileURL(join(repoRoot, 'dist/tools/machine-lock.js')).href;

/** Another process tries the lock for `ms`: 'got' or 'timeout'. */
function other(name: string, ms: number): Promise<string> {
  const script = `import { machineLock } from '${lockModule}';
try { (await machineLock('${name}', ${ms}))(); console.log('got'); } catch { console.log('timeout'); }`;
  return new Promise((resolve, reject) => execFile(process.execPath, ['--input-type=module', '-e', script], (err, out) => (err ? reject(err) : resolve(out.trim()))));
}

t.test('one process at a time; re-entrant within a process; free again after release', async (t) => {
  const name = `test-${process.pid}`;
  const release = await machineLock(name);
  const again = await machineLock(name, 100); // same process: no wait
  t.equal(await other(name, 300), 'timeout', 'another process waits while it is held');
  again();
  t.equal(await other(name, 300), 'timeout', 'still held after one of two releases');
  release();
  t.equal(await other(name, 2000), 'got', 'free after the last release');
});

t.test('a lock left by a dead process is taken over', async (t) => {
  const name = `stale-${process.pid}`;
  const dir = join(tmpdir(), `camwire-lock-${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pid'), '2147483646'); // no such process
  const release = await machineLock(name, 2000);
  t.ok(existsSync(dir), 'held by this process now');
  release();
  t.notOk(existsSync(dir), 'removed on release');
});
