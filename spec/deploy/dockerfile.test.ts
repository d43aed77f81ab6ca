/**
 * The Dockerfile, without Docker (it does not run here): its shape is checked, then the runtime
 * stage is assembled in a temporary directory as its COPY, ENV and `npm ci --omit=dev` lines
 * say (production dependencies only, so a dev dependency imported by dist/lib would fail), and
 * its CMD runs there as a plain process on the demo camera: /healthz, /readyz and the
 * HEALTHCHECK command answer; SIGTERM drains (a node-datachannel viewer keeps its stream, new
 * WHEP offers get 503, /readyz 503) and the process exits 0 after drainTimeoutMs; a second
 * SIGTERM cuts the drain short.
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import nodeDataChannel from 'node-datachannel';
import { parseGatewayArgs } from '../../lib/app/cli-gateway.js';
import { repoRoot } from '../../test/support/env.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';
import { execForm, healthcheck, only, parseDockerfile, type Stage } from './dockerfile.js';
import { WhepViewer } from './whep-viewer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const [build, runtime] = stages;
const lastOf = (stage: Stage, keyword: string) => only(stage, keyword).at(-1)?.args ?? '';

t.teardown(() => nodeDataChannel.cleanup());

t.test('Dockerfile: two node:20-bookworm-slim stages, production dependencies only at run time', (t) => {
  t.equal(stages.length, 2);
  t.same(stages.map((s) => s.image), ['node:20-bookworm-slim', 'node:20-bookworm-slim']);
  t.equal(build.name, 'build');
  const buildRuns = only(build, 'RUN').map((i) => i.args);
  t.ok(buildRuns.some((r) => /^npm ci\b/.test(r)), 'build: npm ci');
  t.ok(buildRuns.some((r) => r === 'npm run build'), 'build: npm run build');
  t.ok(only(runtime, 'RUN').some((i) => /^npm ci\b.*--omit=dev/.test(i.args)), 'runtime: npm ci --omit=dev');
  t.equal(lastOf(runtime, 'USER'), 'node');
  t.equal(lastOf(runtime, 'EXPOSE'), '8080');
  t.equal(lastOf(runtime, 'STOPSIGNAL'), 'SIGTERM');
  t.same(execForm(lastOf(runtime, 'CMD')), ['node', 'dist/lib/app/cli.js', '--http', '0.0.0.0:8080']);
  const args = parseGatewayArgs(execForm(lastOf(runtime, 'CMD')).slice(2));
  t.same(args, { sources: [], http: { host: '0.0.0.0', port: 8080 } }, 'camwire reads the CMD as it should');
  const check = healthcheck(lastOf(runtime, 'HEALTHCHECK'));
  t.equal(check.command[0], 'node', 'the health check needs nothing but node (no curl in the slim image)');
  t.match(check.command.join(' '), /127\.0\.0\.1:8080\/healthz/);
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const p of ['node_modules', 'dist', '.git']) t.ok(ignored.includes(p), `.dockerignore: ${p}`);
  t.end();
});

/**
 * The runtime stage's file tree, as its instructions make it, in `into` (its WORKDIR); `--from`
 * sources are the build stage's, which is this checkout after `npm run build`. Returns its ENV.
 */
function assembleRuntime(into: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  let workdir = '/';
  for (const ins of runtime.instructions) {
    if (ins.keyword === 'WORKDIR') workdir = ins.args;
    if (ins.keyword === 'ENV') for (const m of ins.args.matchAll(/(\w+)=(\S+)/g)) env[m[1]] = m[2];
    if (ins.keyword === 'COPY') {
      const words = ins.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='));
      const paths = words.filter((w) => !w.startsWith('--'));
      const dest = paths.pop()!;
      const destDir = join(into, relative(workdir, dest.startsWith('/') ? dest : join(workdir, dest)));
      for (const src of paths) {
        const source = join(repoRoot, from ? relative(workdir, src) : src);
        const isDir = statSync(source).isDirectory();
        const target = isDir || !(dest.endsWith('/') || paths.length > 1) ? destDir : join(destDir, basename(src));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(source, target, { recursive: true });
      }
    }
    if (ins.keyword === 'RUN' && /^npm ci\b.*--omit=dev/.test(ins.args)) linkProductionDependencies(into);
  }
  return env;
}

/** node_modules with what `npm ci --omit=dev` installs: the production dependency tree, linked from this checkout. */
function linkProductionDependencies(into: string): void {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8' });
  const top = join(repoRoot, 'node_modules');
  for (const dir of r.stdout.split('\n')) {
    const rel = relative(top, dir);
    if (!dir || rel.startsWith('..') || rel.includes('node_modules') || rel === '') continue;
    const link = join(into, 'node_modules', rel);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(dir, link, 'dir');
  }
  if (!existsSync(join(into, 'node_modules', 'node-datachannel'))) throw new Error(`npm ls gave no node-datachannel:\n${r.stdout}${r.stderr}`);
}

interface Running {
  child: ChildProcess;
  address: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The image's CMD in the assembled tree, with `--config`. Its `--http 0.0.0.0:8080` becomes
 * 127.0.0.1 and a free port: these machines allow loopback only, and 8080 may be taken.
 */
async function runImage(t: Test, config: object): Promise<Running | undefined> {
  const root = mkdtempSync(join(tmpdir(), 'camwire-image-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const env = assembleRuntime(root);
  writeFileSync(join(root, 'camwire.json'), JSON.stringify(config));
  const cmd = execForm(lastOf(runtime, 'CMD'));
  const http = cmd.indexOf('--http');
  const args = [...cmd.slice(1, http + 1), '127.0.0.1:0', ...cmd.slice(http + 2), '--config', 'camwire.json'];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  let address: string | undefined;
  for (let i = 0; i < 300 && !address; i++) {
    address = /open (http:\/\/\S+)\//.exec(out)?.[1];
    if (!address) await sleep(50);
  }
  t.ok(address, `camwire printed its address:\n${out}`);
  if (!address) return undefined;
  return { child, address, port: Number(new URL(address).port), output: () => out, exited };
}

/** The image's HEALTHCHECK command against `port`: its exit code. */
async function runHealthcheck(port: number): Promise<number | null> {
  const command = healthcheck(lastOf(runtime, 'HEALTHCHECK')).command.map((a) => a.replace('127.0.0.1:8080', `127.0.0.1:${port}`));
  const child = spawn(process.execPath, command.slice(1), { stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function waitFor(what: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; !what() && waited < ms; waited += 25) await sleep(25);
  return what();
}

const whep = (address: string) => fetch(address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });

t.test('the image runs: probes and HEALTHCHECK answer; SIGTERM drains, then exits 0', async (t) => {
  const drainTimeoutMs = 2000;
  const run = await runImage(t, { drainTimeoutMs, webrtc: { bindAddress: '127.0.0.1' } });
  if (!run) return;
  const { address } = run;
  const health = await fetch(address + '/healthz');
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });
  t.same(await (await fetch(address + '/readyz')).json(), { ready: true, reason: 'ready' }, 'ready: the demo stream starts on demand');
  t.equal(await runHealthcheck(run.port), 0, 'the HEALTHCHECK command passes');

  const viewer = await WhepViewer.join(address + '/whep/demo');
  t.teardown(() => viewer.close());
  t.ok(await waitFor(() => viewer.packets >= 20, 10_000), `the viewer receives video (${viewer.packets} packets)`);

  const signalledAt = performance.now();
  run.child.kill('SIGTERM');
  t.ok(await waitFor(() => /draining/.test(run.output()), 5000), 'drain started');
  const before = viewer.packets;
  const ready = await fetch(address + '/readyz');
  t.equal(ready.status, 503);
  t.same(await ready.json(), { ready: false, reason: 'draining' });
  const refused = await whep(address);
  t.equal(refused.status, 503, 'a new viewer is refused');
  t.equal(refused.headers.get('retry-after'), '2');
  t.match(await refused.text(), /^DRAINING/);
  t.equal((await fetch(address + '/healthz')).status, 200, 'alive while draining');
  t.equal(await runHealthcheck(run.port), 0, 'so the HEALTHCHECK still passes');
  await sleep(800);
  t.ok(viewer.packets > before + 10, `the viewer keeps its stream during the drain (${before} -> ${viewer.packets} packets)`);

  const code = await Promise.race([run.exited, sleep(drainTimeoutMs + 8000).then(() => 'timeout' as const)]);
  const tookMs = performance.now() - signalledAt;
  t.equal(code, 0, `exits with 0\n${run.output()}`);
  t.ok(tookMs >= drainTimeoutMs - 100, `the drain lasted drainTimeoutMs with a viewer watching (${Math.round(tookMs)} ms)`);
  t.ok(tookMs < drainTimeoutMs + 3000, `then shut down promptly (${Math.round(tookMs)} ms after SIGTERM)`);
  t.match(run.output(), /draining: 1 viewers keep watching for up to 2000 ms/);
  t.match(run.output(), /drain over \(drainTimeoutMs reached\): 1 of 1 viewers still connected/);
  t.match(run.output(), /shutting down/);
});

t.test('a second SIGTERM cuts the drain short', async (t) => {
  const run = await runImage(t, { webrtc: { bindAddress: '127.0.0.1' } });
  if (!run) return;
  const viewer = await WhepViewer.join(run.address + '/whep/demo');
  t.teardown(() => viewer.close());
  run.child.kill('SIGTERM');
  t.ok(await waitFor(() => /draining: 1 viewers keep watching for up to 30000 ms/.test(run.output()), 5000), 'drain started (default drainTimeoutMs)');
  const secondAt = performance.now();
  run.child.kill('SIGTERM');
  const code = await Promise.race([run.exited, sleep(10_000).then(() => 'timeout' as const)]);
  t.equal(code, 0, `exits with 0\n${run.output()}`);
  t.ok(performance.now() - secondAt < 3000, `at once (${Math.round(performance.now() - secondAt)} ms)`);
  t.match(run.output(), /drain over \(cut short by SIGTERM\): 1 of 1 viewers still connected/);
});

t.test('with no viewer, SIGTERM has nothing to wait for', async (t) => {
  const run = await runImage(t, {});
  if (!run) return;
  const signalledAt = performance.now();
  run.child.kill('SIGTERM');
  const code = await Promise.race([run.exited, sleep(10_000).then(() => 'timeout' as const)]);
  t.equal(code, 0, `exits with 0\n${run.output()}`);
  t.ok(performance.now() - signalledAt < 3000, `promptly (${Math.round(performance.now() - signalledAt)} ms)`);
  t.match(run.output(), /drain over \(every viewer left\): 0 of 0 viewers still connected/);
});
