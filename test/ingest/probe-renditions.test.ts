import t from 'tap';
import { probeRenditions, formatRenditions } from '../../lib/ingest/probe-renditions.js';
import { runProbe, parseProbeArgs } from '../../lib/app/cli-probe.js';
import { startDemoCamera } from '../../lib/rtsp/server/index.js';

t.test("the demo camera's /demo and /demo-360p become a two-rendition block, main first", async (t) => {
  const cam = await startDemoCamera({ port: 0, audio: 'none' });
  t.teardown(() => cam.close());
  const report = await probeRenditions({ url: cam.url, transport: 'tcp', seconds: 1 });
  t.equal(report.main.ok, true);
  t.match(report.main.tracks, [{ codec: 'H264', width: 1280, height: 720 }]);
  t.equal(report.candidates.length, 1);
  t.match(report.candidates[0], { pattern: 'camwire-demo', url: cam.subUrl, skipped: null, result: { ok: true, tracks: [{ codec: 'H264', width: 640, height: 360 }] } });
  t.ok(report.candidates[0].result.bitrate > 0, 'the sub stream was measured');
  t.same(report.renditions, [{ name: '720p', url: cam.url }, { name: '360p', url: cam.subUrl }]);
  const text = formatRenditions(report);
  const block = text.slice(text.indexOf('"renditions"'));
  t.same(JSON.parse(`{${block}}`), { renditions: report.renditions }, 'the block pastes as JSON');
  t.match(text, /^ok {2}H264 1280x720, \d+ kbit\/s {2}rtsp:\/\/.*\/demo {2}\(main\)$/m);
});

t.test('a candidate that does not answer is listed, not proposed; the CLI flag', async (t) => {
  const cam = await startDemoCamera({ port: 0, audio: 'none', subStream: false });
  t.teardown(() => cam.close());
  const report = await probeRenditions({ url: cam.url, transport: 'tcp', seconds: 0.5 });
  t.match(report.candidates, [{ pattern: 'camwire-demo', skipped: 'RTSP_NOT_FOUND', result: { ok: false } }]);
  t.same(report.renditions, [{ name: '720p', url: cam.url }]);
  t.match(formatRenditions(report), /-- {2}RTSP_NOT_FOUND {2}rtsp:\/\/.*\/demo-360p {2}\(camwire-demo\)/);
  t.match(parseProbeArgs(['rtsp://h/x', '--renditions']), { url: 'rtsp://h/x', renditions: true });
  t.notOk('renditions' in (parseProbeArgs(['rtsp://h/x']) as object));
});

t.test('camwire probe --renditions --json: the report, exit 0', async (t) => {
  const cam = await startDemoCamera({ port: 0, audio: 'none' });
  t.teardown(() => cam.close());
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await runProbe([cam.url, '--renditions', '--json', '--transport', 'tcp', '--seconds', '0.5']);
  } finally {
    process.stdout.write = write;
  }
  t.equal(code, 0);
  t.match(JSON.parse(out.join('')), { main: { ok: true }, renditions: [{ name: '720p' }, { name: '360p' }] });
});
