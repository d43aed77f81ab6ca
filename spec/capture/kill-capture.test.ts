/**
 * `camwire --capture DIR` killed with SIGKILL mid-capture: the file holds whole blocks only
 * (each write is a run of complete blocks), so tshark reads every packet in it without error.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../../test/support/env.js';

const CLI = fileURLToPath(new URL('../../lib/app/cli.js', import.meta.url));

t.test('kill -9 during a capture: tshark still opens the file', async (t) => {
  const why = missingTool('tshark', '-v');
  if (why) return void t.comment('skip: ' + why);
  const dir = mkdtempSync(join(tmpdir(), 'camwire-kill-capture-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'camwire.json');
  // No camera given: the built-in demo camera, played without viewers (onDemand off).
  writeFileSync(cfg, JSON.stringify({ streamDefaults: { onDemand: false } }));
  const captures = join(dir, 'captures');
  const child = spawn(process.execPath, [CLI, '--http', '127.0.0.1:0', '--capture', captures, '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
  // Until the file has grown past its first writes.
  const deadline = Date.now() + 15_000;
  let size = 0;
  while (Date.now() < deadline && size < 200_000) {
    await new Promise((r) => setTimeout(r, 200));
    const f = !existsSync(captures) ? undefined : readdirSync(captures, { withFileTypes: true }).find((e) => e.name.endsWith('.pcapng'));
    size = f ? statSync(join(captures, f.name)).size : 0;
  }
  t.ok(size >= 200_000, `the capture is being written (${size} bytes)`);
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL', 'killed mid-capture');
  const [file] = readdirSync(captures).filter((f) => f.endsWith('.pcapng'));
  t.match(file, /^demo-\d{8}T\d{6}Z\.pcapng$/);
  const r = spawnSync('tshark', ['-r', join(captures, file), '--enable-heuristic', 'rtp_udp', '-T', 'fields', '-e', 'frame.interface_name', '-e', 'rtp.seq'], {
    encoding: 'utf8', maxBuffer: 256 << 20,
  });
  const complaints = r.stderr.split('\n').filter((l) => l.trim() && !l.includes('Running as user')).join(' ');
  t.equal(r.status, 0, `tshark reads it to the end without error ${complaints}`);
  const rtp = r.stdout.split('\n').filter((l) => /^camera\t\d+/.test(l)).length;
  t.ok(rtp > 100, `camera RTP packets decoded (${rtp})`);
});
