/**
 * `camwire probe --renditions` as a user runs it: the CLI against a real RTSP server (the demo
 * camera, which serves /demo and /demo-360p), its printed block pasted into a config file's
 * stream, and that config accepted and served: /api/streams lists both renditions.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startGateway } from '../../lib/app/index.js';
import { parseConfig } from '../../lib/gateway/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { repoRoot } from '../../test/support/env.js';

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/app/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

t.test('probe --renditions prints a block the config accepts, and camwire serves it', async (t) => {
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  t.teardown(() => camera.close());
  const run = await cli(['probe', '--renditions', camera.url]);
  t.equal(run.code, 0, `exit 0 (${run.err})`);
  t.comment(run.out);
  t.match(run.out, /^ok {2}H264 1280x720, \d+ kbit\/s {2}rtsp:\/\/\S+\/demo {2}\(main\)$/m, 'the main profile, measured');
  t.match(run.out, /^ok {2}H264 640x360, \d+ kbit\/s {2}rtsp:\/\/\S+\/demo-360p {2}\(camwire-demo\)$/m, 'the sub profile found by its pattern');
  const block = run.out.slice(run.out.indexOf('"renditions"'));
  const file = `{ "http": { "host": "127.0.0.1", "port": 0 }, "streams": { "hall": { ${block} } } }`;
  const config = parseConfig(JSON.parse(file));
  t.same(config.streams.hall.renditions, [{ name: '720p', url: camera.url }, { name: '360p', url: camera.subUrl }], 'pasted into a stream, the config accepts it');
  const gateway = await startGateway(config);
  t.teardown(() => gateway.close());
  const api = (await (await fetch(gateway.address + '/api/streams')).json()) as { streams: { name: string; renditions?: { name: string }[] }[] };
  t.same(api.streams.find((s) => s.name === 'hall')?.renditions?.map((r) => r.name), ['720p', '360p'], '/api/streams lists both renditions');
});
