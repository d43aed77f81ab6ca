/**
 * What an operator sees and does with the main job (a child process): the log lines of an
 * unreachable camera (connecting, lost with its typed code, retry in N s) and of a viewer's
 * join and leave (stream, address, path, reason), in text and in JSON (every line an object);
 * SIGHUP re-reading --config (a stream added, one removed, the unchanged one untouched, a
 * broken file refused whole), and no password in any line.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/env.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import nodeDataChannel from 'node-datachannel';
import { WhepViewer } from '../deploy/whep-viewer.js';

t.teardown(() => nodeDataChannel.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nobody listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Run {
  child: ChildProcess;
  out: () => string;
  waitFor: (re: RegExp, ms?: number) => Promise<boolean>;
  stop: () => Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/app/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    waitFor: async (re, ms = 10_000) => {
      for (let i = 0; i < ms / 50; i++) {
        if (re.test(out)) return true;
        await sleep(50);
      }
      return false;
    },
    stop: async () => {
      child.kill('SIGINT');
      const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') child.kill('SIGKILL');
      return code === 'timeout' ? null : code;
    },
  };
}

for (const format of ['text', 'json'] as const) {
  t.test(`${format} log: unreachable camera, viewer join and leave, SIGHUP`, async (t) => {
    const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
    t.teardown(() => camera.close());
    const dir = mkdtempSync(join(tmpdir(), 'camwire-ops-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'camwire.json');
    const dead = `rtsp://admin:hunter22secret@127.0.0.1:${await deadPort()}/cam`;
    const base = { http: { host: '127.0.0.1', port: 0 }, webrtc: { bindAddress: '127.0.0.1' } };
    writeFileSync(file, JSON.stringify({ ...base, streams: { hall: { url: camera.url, transport: 'tcp' }, dead: { url: dead, onDemand: false } } }));
    const cw = run(['--config', file, '--log-format', format]);
    try {
      t.ok(await cw.waitFor(/"?camwire\.running"?|camwire is running/), 'started');
      const address = format === 'json' ? /"address":"(http:[^"]+)"/.exec(cw.out())![1] : /open (http:\/\/\S+)\//.exec(cw.out())![1];
      const lost = format === 'json'
        ? /"level":"warn","event":"source\.lost","stream":"dead","code":"RTSP_CONNECTION_REFUSED","error":"[^"]+","retryInS":1}/
        : /WARN source\.lost stream=dead code=RTSP_CONNECTION_REFUSED error="connection refused" retryInS=1\n/;
      t.ok(await cw.waitFor(lost, 5000), 'the unreachable camera: lost, with its code and the retry delay');
      t.match(cw.out(), format === 'json' ? /"event":"source\.connecting","stream":"dead","url":"rtsp:\/\/\*\*\*@127\.0\.0\.1/ : /INFO source\.connecting stream=dead url=rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/cam transport=udp/);

      const viewer = await WhepViewer.join(address + '/whep/hall');
      const joined = format === 'json' ? /"event":"viewer\.join","stream":"hall","viewer":"hall-[^"]+","address":"127\.0\.0\.1","path":"webrtc"/ : /INFO viewer\.join stream=hall viewer=hall-\S+ address=127\.0\.0\.1 path=webrtc viewers=1/;
      t.ok(await cw.waitFor(joined), 'the viewer joined');
      t.ok(await cw.waitFor(format === 'json' ? /"event":"source\.playing","stream":"hall","transport":"tcp","codec":"H264"/ : /INFO source\.playing stream=hall transport=tcp codec=H264 profile=\w+ width=1280 height=720/), 'the camera plays, with transport, codec and size');
      await fetch(new URL(viewer.location!, address), { method: 'DELETE' });
      viewer.close();
      t.ok(await cw.waitFor(format === 'json' ? /"event":"viewer\.leave","stream":"hall",.*"reason":"delete"/ : /INFO viewer\.leave stream=hall viewer=\S+ address=127\.0\.0\.1 path=webrtc reason=delete seconds=\d+ viewers=0/), 'the viewer left, with the reason');

      // SIGHUP: dead removed, added added, hall untouched
      writeFileSync(file, JSON.stringify({ ...base, streams: { hall: { url: camera.url, transport: 'tcp' }, added: { url: camera.url } } }));
      cw.child.kill('SIGHUP');
      t.ok(await cw.waitFor(format === 'json' ? /"event":"config\.reloaded","added":\["added"\],"removed":\["dead"\],"changed":\[\],"unchanged":1/ : /INFO config\.reloaded added=\[added\] removed=\[dead\] changed=\[\] unchanged=1/), 'reloaded');
      const names = ((await (await fetch(address + '/api/streams')).json()) as { streams: { name: string }[] }).streams.map((s) => s.name).sort();
      t.same(names, ['added', 'hall'], 'the running set follows the file');
      writeFileSync(file, JSON.stringify({ ...base, streams: { hall: { url: camera.url, bogus: true } } }));
      cw.child.kill('SIGHUP');
      t.ok(await cw.waitFor(/config\.reload-refused.*streams\.hall\.bogus is not a known setting/), 'a broken file is refused whole');
      const after = ((await (await fetch(address + '/api/streams')).json()) as { streams: { name: string }[] }).streams.map((s) => s.name).sort();
      t.same(after, ['added', 'hall'], 'the running set stays');
    } finally {
      const code = await cw.stop();
      t.equal(code, 0, 'exits cleanly');
    }
    const out = cw.out();
    t.notOk(out.includes('hunter22secret'), 'no password in any line');
    if (format === 'json') {
      const bad = out.split('\n').filter((l) => l !== '' && !/^\{.*\}$/.test(l));
      t.same(bad, [], 'every line is one JSON object');
      for (const l of out.split('\n').filter((x) => x !== '')) JSON.parse(l);
    }
    t.comment(out.split('\n').slice(0, 14).join('\n'));
  });
}
