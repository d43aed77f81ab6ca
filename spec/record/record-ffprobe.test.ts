/**
 * `camwire --record DIR` with the built-in demo camera (a child process), short segments:
 * /api/streams shows the recording's counters, GET /recordings lists each segment (start,
 * duration, size), a segment downloads whole and by Range, the page has its player; retention
 * (a few seconds here) deletes the oldest segments, and a time range comes as one MP4 ffprobe
 * decodes whole. After a clean stop, ffprobe decodes every
 * segment: as many frames as camwire wrote, its duration what its frames span, and the
 * segments follow each other with no frames missing between them.
 *
 * RECORD_SPEC_SECONDS (default 8) sets how long it records: the 2-minute run is
 * `RECORD_SPEC_SECONDS=120 npx tap --timeout=300 dist/spec/record/record-ffprobe.test.js`.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool, repoRoot } from '../../test/support/env.js';

const SECONDS = Number(process.env.RECORD_SPEC_SECONDS ?? 8);
const SEGMENT_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Segment {
  name: string;
  start: string;
  durationMs: number;
  bytes: number;
  frames: number;
}

function ffprobe(file: string): { frames: number; packets: number; durationS: number; rate: number; codec: string; errors: string } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-count_packets', '-select_streams', 'v:0', '-show_entries',
    'stream=codec_name,nb_read_frames,nb_read_packets,avg_frame_rate:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(r.stdout) as { streams: { codec_name: string; nb_read_frames: string; nb_read_packets: string; avg_frame_rate: string }[]; format: { duration: string } };
  const [num, den] = j.streams[0].avg_frame_rate.split('/').map(Number);
  return {
    frames: Number(j.streams[0].nb_read_frames), packets: Number(j.streams[0].nb_read_packets), durationS: Number(j.format.duration),
    rate: num / (den || 1), codec: j.streams[0].codec_name, errors: r.stderr.trim(),
  };
}

t.test(`the demo camera recorded for ${SECONDS} s in ${SEGMENT_SECONDS} s segments: listed, downloaded, read by ffprobe`, async (t) => {
  const why = missingTool('ffprobe', '-version');
  if (why) return void t.comment('skip: ' + why);
  const dir = mkdtempSync(join(tmpdir(), 'camwire-record-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'camwire.json');
  // keep most of what is recorded, so retention deletes the oldest on the way
  const retainHours = Math.max(0.001, (SECONDS * 0.7) / 3600);
  writeFileSync(cfg, JSON.stringify({ http: { adminToken: 'record-spec-admin' }, record: { segmentSeconds: SEGMENT_SECONDS, fragmentSeconds: 0.5, retainHours } }));
  const recordings = join(dir, 'recordings');
  const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/app/cli.js'), '--http', '127.0.0.1:0', '--record', recordings, '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => void child.kill('SIGKILL'));
  let base = '';
  for (let i = 0; i < 200 && !base; i++) {
    base = /camwire is running: open (http:\/\/[^/\s]+)\//.exec(out)?.[1] ?? '';
    await sleep(50);
  }
  t.ok(base, 'started');
  await sleep(SECONDS * 1000);
  const admin = { authorization: 'Bearer record-spec-admin' };

  const api = await (await fetch(`${base}/api/streams`)).json() as { streams: { name: string; recording?: Record<string, number | string> }[] };
  const rec = api.streams.find((s) => s.name === 'demo')?.recording;
  t.ok(rec, '/api/streams shows the recording');
  t.equal(rec?.state, 'recording');
  t.equal(rec?.fragmentsDropped, 0, 'no fragment dropped');
  t.ok(Number(rec?.segments) >= Math.floor(SECONDS / SEGMENT_SECONDS) - 1, `segments begun: ${rec?.segments}`);
  t.ok(Number(rec?.segmentsDeleted) >= 1, `retention deleted the oldest (${rec?.segmentsDeleted})`);
  t.match(out, /record\.deleted stream=demo/, 'and said so in the log');

  t.equal((await fetch(`${base}/recordings`, { headers: { authorization: 'Bearer wrong-token-xx' } })).status, 200, 'no http.token set: listing is open as /api/streams is');
  const listing = await (await fetch(`${base}/recordings`, { headers: admin })).json() as { streams: { name: string; segments: Segment[] }[] };
  const segments = listing.streams.find((s) => s.name === 'demo')?.segments ?? [];
  t.ok(segments.length >= 2, `listed ${segments.length} segments`);
  const closed = segments.slice(0, -1);
  for (const s of closed) {
    t.match(s.name, /^\d{8}T\d{6}\.\d{3}Z\.mp4$/);
    t.ok(Math.abs(s.durationMs - SEGMENT_SECONDS * 1000) <= 1000, `${s.name}: ${s.durationMs} ms, ${s.frames} frames, ${s.bytes} bytes`);
    t.equal(s.bytes, statSync(join(recordings, 'demo', s.name)).size, 'size as on disk');
  }
  const first = closed[0];
  const whole = await fetch(`${base}/recordings/demo/${first.name}`);
  t.equal(whole.status, 200);
  t.equal(whole.headers.get('content-type'), 'video/mp4');
  t.same(Buffer.from(await whole.arrayBuffer()), readFileSync(join(recordings, 'demo', first.name)), 'downloads whole');
  const part = await fetch(`${base}/recordings/demo/${first.name}`, { headers: { range: 'bytes=4-11' } });
  t.equal(part.status, 206);
  t.equal(part.headers.get('content-range'), `bytes 4-11/${first.bytes}`);
  t.same(Buffer.from(await part.arrayBuffer()), readFileSync(join(recordings, 'demo', first.name)).subarray(4, 12), 'the range asked (ftyp...)');
  t.equal((await fetch(`${base}/recordings/demo/${first.name}`, { headers: { range: `bytes=${first.bytes}-` } })).status, 416);
  t.equal((await fetch(`${base}/recordings/demo/..%2Fcamwire.json`)).status, 404, 'only segment names are served');
  const page = await (await fetch(`${base}/recordings/demo`, { headers: { accept: 'text/html' } })).text();
  t.match(page, /<video id="player"/);
  t.match(page, first.name);

  // the closed segments as one MP4 (a time range): ffprobe decodes every frame of them all, on one timeline
  const last = closed[closed.length - 1];
  const spanS = (Date.parse(last.start) + last.durationMs - Date.parse(first.start)) / 1000;
  const joined = await fetch(`${base}/recordings/demo?start=${first.start}&duration=${spanS - 0.5}`, { headers: admin });
  t.equal(joined.status, 200, `a ${spanS.toFixed(1)} s range`);
  const joinedFile = join(dir, 'joined.mp4');
  writeFileSync(joinedFile, Buffer.from(await joined.arrayBuffer()));
  const j = ffprobe(joinedFile);
  const want = closed.reduce((n, s) => n + s.frames, 0);
  t.equal(j.errors, '', 'ffprobe reads the joined file without error');
  t.equal(j.frames, want, `the joined file decodes all ${want} frames of the ${closed.length} closed segments`);
  t.ok(Math.abs(j.durationS - want / j.rate) <= 1.5 / j.rate, `joined duration ${j.durationS} s`);

  child.kill('SIGINT');
  t.equal(await exited, 0, 'stopped cleanly (the open segment finished)');
  const files = readdirSync(join(recordings, 'demo')).sort();
  t.ok(files.length >= 2);
  let prevEnd: number | undefined;
  for (const name of files) {
    const p = ffprobe(join(recordings, 'demo', name));
    const listed = segments.find((s) => s.name === name);
    t.equal(p.errors, '', `${name}: ffprobe reads it without error`);
    t.equal(p.codec, 'h264');
    t.equal(p.frames, p.packets, `${name}: every one of its ${p.packets} frames decodes`);
    if (listed && listed !== segments[segments.length - 1]) t.equal(p.frames, listed.frames, `${name}: as many frames as camwire listed`);
    t.ok(Math.abs(p.durationS - p.frames / p.rate) <= 1.5 / p.rate, `${name}: duration ${p.durationS} s for ${p.frames} frames at ${p.rate} fps`);
    // the next segment starts where this one ends (arrival clock: within a few frames)
    const start = Date.parse(name.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z\.mp4$/, '$1-$2-$3T$4:$5:$6.$7Z'));
    if (prevEnd !== undefined) t.ok(Math.abs(start - prevEnd) < 250, `${name} follows the previous segment (${start - prevEnd} ms)`);
    prevEnd = start + p.durationS * 1000;
  }
});
