/**
 * /recordings over HTTP (fake transport and sources, segments made by the Segmenter): who may
 * list and download (admin token, a viewer's JWT for the stream or not, ?token=), Range, only
 * segment names served; and `record` through the stream API, validated as the config file is.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { SourceInfo, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { Segmenter, type SegmentInfo } from '../../lib/record/segmenter.js';
import { segmentName } from '../../lib/record/segment-name.js';
import { parseRange } from '../../lib/http/recordings-route.js';
import { scanSegment } from '../../lib/record/segment-scan.js';
import { FakeTransport } from '../support/fake-transport.js';
import { signJwt } from '../support/jwt-sign.js';
import { keyframe, pframe } from '../mp4/fixtures.js';

const ADMIN = 'admin-token-123';
const SECRET = 'jwt-secret-for-recordings';

const source = (): VideoSource => ({
  start: (sink) => sink.onState('playing'), stop: () => undefined, requestKeyframe: () => undefined,
  info: (): SourceInfo => ({}), stats: () => ({}),
});

/** One segment file of `frames` frames at 30 fps. */
function segmentFile(frames: number): Buffer {
  const chunks: Uint8Array[] = [];
  const seg = new Segmenter({ mark: (_op: { kind: string } | { kind: 'close'; segment: SegmentInfo }) => undefined, data: (b) => (chunks.push(b), true) },
    { segmentSeconds: 60, fragmentSeconds: 0.5, wallClock: () => 0 });
  for (let i = 0; i < frames; i++) seg.pushVideo(i === 0 ? keyframe(i * 3000) : pframe(i * 3000));
  seg.end();
  return Buffer.concat(chunks);
}

async function withGateway(fn: (gw: GatewayHandle, dir: string) => Promise<void>, recordDir = true): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-rec-http-'));
  mkdirSync(join(dir, 'hall'));
  writeFileSync(join(dir, 'hall', segmentName(Date.UTC(2026, 11, 7, 5, 0, 0))), segmentFile(30));
  writeFileSync(join(dir, 'hall', segmentName(Date.UTC(2026, 11, 7, 5, 0, 1))), segmentFile(15));
  writeFileSync(join(dir, 'hall', 'notes.txt'), 'not a segment');
  const gw = await startGateway(
    { http: { host: '127.0.0.1', port: 0, adminToken: ADMIN, jwt: { secret: SECRET } }, streams: { hall: { url: 'rtsp://cam.invalid/1' } },
      ...(recordDir ? { record: { dir } } : {}) },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: source },
  );
  try {
    await fn(gw, dir);
  } finally {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const exp = () => Math.floor(Date.now() / 1000) + 600;

t.test('listing and download: admin token, viewer JWT for the stream (401/403), ?token=, Range', (t) =>
  withGateway(async (gw, dir) => {
    const get = (path: string, headers: Record<string, string> = {}) => fetch(gw.address + path, { headers });
    t.equal((await get('/recordings')).status, 401, 'no token');
    t.equal((await get('/recordings', bearer('forged.jwt.token'))).status, 401, 'a forged one');
    const admin = await get('/recordings', bearer(ADMIN));
    t.equal(admin.status, 200);
    const body = await admin.json() as { streams: { name: string; segments: { name: string; durationMs: number; frames: number; bytes: number }[] }[] };
    t.same(body.streams.map((s) => s.name), ['hall']);
    t.same(body.streams[0].segments.map((s) => [s.name, s.durationMs, s.frames]), [
      ['20261207T050000.000Z.mp4', 1000, 30], ['20261207T050001.000Z.mp4', 500, 15],
    ], 'lengths read from the files; notes.txt is no segment');
    const hall = signJwt({ exp: exp(), streams: ['hall'] }, 'HS256', SECRET);
    const other = signJwt({ exp: exp(), streams: ['other'] }, 'HS256', SECRET);
    t.equal((await get('/recordings/hall', bearer(hall))).status, 200, 'a JWT for the stream');
    t.equal((await get('/recordings/hall', bearer(other))).status, 403, 'a JWT for another stream');
    t.equal((await get('/recordings', bearer(other))).status, 403, 'the listing shows none of it');
    const file = '20261207T050000.000Z.mp4';
    const whole = await get(`/recordings/hall/${file}?token=${hall}`);
    t.equal(whole.status, 200, '?token= as on the player page');
    t.same(Buffer.from(await whole.arrayBuffer()), readFileSync(join(dir, 'hall', file)));
    const part = await get(`/recordings/hall/${file}`, { ...bearer(ADMIN), range: 'bytes=-8' });
    t.equal(part.status, 206);
    t.same(Buffer.from(await part.arrayBuffer()), readFileSync(join(dir, 'hall', file)).subarray(-8));
    t.equal((await get(`/recordings/hall/${file}`, bearer(other))).status, 403);
    t.equal((await get('/recordings/hall/notes.txt', bearer(ADMIN))).status, 404, 'only segment names');
    t.equal((await get('/recordings/hall/..%2F..%2Fetc%2Fpasswd', bearer(ADMIN))).status, 404);
    t.equal((await get('/recordings/nope', bearer(ADMIN))).status, 404);
    t.equal((await fetch(`${gw.address}/recordings/hall`, { method: 'DELETE', headers: bearer(ADMIN) })).status, 405);
    const page = await (await get(`/recordings/hall?token=${hall}`, { accept: 'text/html' })).text();
    t.match(page, `/recordings/hall/${file}?token=${hall}`, 'the page carries the token into its links');
  }));

t.test('a time range joined into one MP4: every frame of the segments it overlaps, on one timeline', (t) =>
  withGateway(async (gw, dir) => {
    const get = (q: string) => fetch(`${gw.address}/recordings/hall?${q}`, { headers: bearer(ADMIN) });
    const r = await get('start=2026-12-07T05:00:00.500Z&duration=1');
    t.equal(r.status, 200);
    t.equal(r.headers.get('content-type'), 'video/mp4');
    const file = join(dir, 'joined.mp4');
    writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    t.same(await scanSegment(file), { durationMs: 1500, frames: 45 }, 'both segments, the second after the first');
    const only = join(dir, 'first.mp4');
    writeFileSync(only, Buffer.from(await (await get('start=2026-12-07T04:59:59Z&duration=1.2')).arrayBuffer()));
    t.same(await scanSegment(only), { durationMs: 1000, frames: 30 }, 'the first alone');
    t.equal((await get('start=2026-12-07T06:00:00Z&duration=10')).status, 404, 'nothing then');
    t.equal((await get('start=yesterday&duration=10')).status, 400);
    t.equal((await get('start=2026-12-07T05:00:00Z&duration=0')).status, 400);
  }));

t.test('record through the stream API: on, shown in /api/streams, off; bad values refused naming the key', (t) =>
  withGateway(async (gw) => {
    const api = (method: string, path: string, body?: unknown) => fetch(gw.address + path, {
      method, headers: { ...bearer(ADMIN), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    t.equal((await api('POST', '/api/streams', { name: 'lab', url: 'rtsp://cam.invalid/2', record: { segmentSeconds: 10 } })).status, 201);
    const streams = async () => (await (await api('GET', '/api/streams')).json() as { streams: { name: string; recording?: { state: string; dir: string } }[] }).streams;
    const lab = (await streams()).find((s) => s.name === 'lab');
    t.equal(lab?.recording?.state, 'recording', 'recording, though nobody watches');
    t.equal((await streams()).find((s) => s.name === 'hall')?.recording, undefined, 'hall does not record');
    const metrics = await (await fetch(`${gw.address}/metrics`)).text();
    t.match(metrics, /camwire_stream_recording_failed\{stream="lab"\} 0/, '/metrics has the recording');
    t.match(metrics, /camwire_stream_recording_bytes_total\{stream="hall"\} 0/);
    t.equal((await api('PATCH', '/api/streams/lab', { record: false })).status, 200);
    t.equal((await streams()).find((s) => s.name === 'lab')?.recording, undefined, 'off again');
    const bad = await api('POST', '/api/streams', { name: 'x', url: 'rtsp://cam.invalid/3', record: { segmentSeconds: 0 } });
    t.equal(bad.status, 400);
    t.match(await bad.text(), 'streams.x.record.segmentSeconds');
    const unknown = await api('POST', '/api/streams', { name: 'y', url: 'rtsp://cam.invalid/3', record: { segments: 3 } });
    t.equal(unknown.status, 400);
    t.match(await unknown.text(), 'streams.y.record.segments is not a known setting');
  }));

t.test('a stream asking to record with no dir anywhere: 400 RECORD_NO_DIR', (t) =>
  withGateway(async (gw) => {
    const r = await fetch(`${gw.address}/api/streams`, {
      method: 'POST', headers: { ...bearer(ADMIN), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'z', url: 'rtsp://cam.invalid/4', record: true }),
    });
    t.equal(r.status, 400);
    t.match(await r.text(), 'RECORD_NO_DIR: streams.z.record needs a dir');
    t.equal(gw.gateway.stream('z'), undefined, 'nothing half made');
  }, false));

t.test('Range: one range clipped to the file; malformed or several served whole; past the end 416', async (t) => {
  t.same(parseRange('bytes=0-9', 100), [0, 9]);
  t.same(parseRange('bytes=90-', 100), [90, 99]);
  t.same(parseRange('bytes=-10', 100), [90, 99]);
  t.same(parseRange('bytes=50-500', 100), [50, 99]);
  t.same(parseRange('bytes=-500', 100), [0, 99]);
  t.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  t.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  for (const h of [undefined, 'bytes=', 'bytes=5-3', 'bytes=0-1,5-6', 'items=0-1', 'bytes=0x10-']) t.equal(parseRange(h, 100), undefined, String(h));
});
