/**
 * The stream API end to end over HTTP (fake transport, sources that record start/stop):
 * adminToken, validation as in the config file, 201/200/204, typed errors, one change per
 * name at a time, TEARDOWN (stop) for every removed or replaced source, atomic persistence,
 * and the operator log of each change.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import { configFileWriter } from '../../lib/app/config-file.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

const ADMIN = 'admin-token-123';

class RecordingSource implements VideoSource {
  started = 0;
  stopped = 0;
  constructor(readonly url: string) {}
  start(sink: SourceSink) {
    this.started++;
    sink.onState('playing');
  }
  stop() {
    this.stopped++;
  }
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
}

interface Ctx {
  gw: GatewayHandle;
  sources: RecordingSource[];
  lines: string[];
  api: (method: string, path: string, body?: unknown, token?: string | null, type?: string) => Promise<Response>;
}

async function withApi(fn: (c: Ctx) => Promise<void>, opts: { adminToken?: string | null; file?: string } = {}): Promise<void> {
  const sources: RecordingSource[] = [];
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l), { format: 'json' });
  const adminToken = opts.adminToken === null ? undefined : (opts.adminToken ?? ADMIN);
  const gw = await startGateway(
    { http: { host: '127.0.0.1', port: 0, adminToken }, streams: { hall: { url: 'rtsp://u:p4ssw0rd@cam.invalid/1', onDemand: false } } },
    {
      transport: new FakeTransport(), deps: createDeps(), log, persist: opts.file ? configFileWriter(opts.file) : undefined,
      sourceFactory: (_n, cfg) => {
        const s = new RecordingSource(cfg.url);
        sources.push(s);
        return s;
      },
    },
  );
  const api: Ctx['api'] = (method, path, body, token = ADMIN, type = 'application/json') =>
    fetch(gw.address + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': type } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  try {
    await fn({ gw, sources, lines, api });
  } finally {
    await gw.close();
    log.close();
  }
}

t.test('POST 201, PATCH 200, DELETE 204, with the camera told each time', (t) =>
  withApi(async ({ gw, sources, lines, api }) => {
    const r = await api('POST', '/api/streams', { name: 'lab', url: 'rtsp://admin:hunter22@10.0.0.9/live', onDemand: false, maxViewers: 3 });
    t.equal(r.status, 201);
    t.equal(r.headers.get('location'), '/api/streams/lab');
    const body = (await r.json()) as Record<string, unknown>;
    t.same(body, { name: 'lab', url: 'rtsp://10.0.0.9/live', onDemand: false, maxViewers: 3 }, 'no credentials in the answer');
    t.ok(gw.gateway.stream('lab'), 'the gateway serves it');
    const lab = sources.at(-1)!;
    t.equal(lab.started, 1, 'not on demand: the source runs');

    const p = await api('PATCH', '/api/streams/lab', { maxViewers: 7 });
    t.equal(p.status, 200);
    t.match(await p.json(), { applied: 'settings', maxViewers: 7 });
    t.equal(lab.stopped, 0, 'a limit changes in place: the camera session stays');

    const viewer = await gw.gateway.addViewer(gw.gateway.stream('lab')!, CHROMIUM_OFFER);
    const p2 = await api('PATCH', '/api/streams/lab', { url: 'rtsp://10.0.0.10/live' });
    t.match(await p2.json(), { applied: 'source', url: 'rtsp://10.0.0.10/live' });
    t.equal(lab.stopped, 1, 'the old camera got its TEARDOWN');
    t.equal(sources.at(-1)!.url, 'rtsp://10.0.0.10/live');
    t.equal(sources.at(-1)!.started, 1, 'the new camera runs');
    t.equal(gw.gateway.stream('lab')!.getViewer(viewer.id), viewer, 'the viewer stays across a new URL');

    const p3 = await api('PATCH', '/api/streams/lab', { forwarding: 'packet' });
    t.match(await p3.json(), { applied: 'rebuilt' });
    t.equal(gw.gateway.stream('lab')!.viewerCount, 0, 'a rebuilt stream closes its viewers');

    const d = await api('DELETE', '/api/streams/lab');
    t.equal(d.status, 204);
    t.notOk(gw.gateway.stream('lab'), 'gone');
    t.ok(sources.every((s) => s.started === s.stopped || s.url.includes('cam.invalid')), 'every source of lab was stopped');
    const events = lines.map((l) => JSON.parse(l) as { event: string; stream?: string; applied?: string });
    t.same(events.filter((e) => e.stream === 'lab' && e.event.startsWith('stream.')).map((e) => e.applied ?? e.event),
      ['stream.added', 'settings', 'source', 'rebuilt', 'stream.removed']);
    t.notOk(lines.join('').includes('hunter22'), 'no password in the log');
  }));

t.test('renditions through the API: validated as in the config file, shown without credentials, a change rebuilds the stream', (t) =>
  withApi(async ({ gw, sources, api }) => {
    const renditions = [{ name: '720p', url: 'rtsp://admin:hunter22@10.0.0.9/main' }, { name: '360p', url: 'rtsp://admin:hunter22@10.0.0.9/sub' }];
    const r = await api('POST', '/api/streams', { name: 'abr', renditions });
    t.equal(r.status, 201);
    t.same(await r.json(), { name: 'abr', renditions: [{ name: '720p', url: 'rtsp://10.0.0.9/main' }, { name: '360p', url: 'rtsp://10.0.0.9/sub' }] }, 'no credentials in the answer');
    t.same(gw.gateway.stream('abr')!.renditionNames, ['720p', '360p'], 'the gateway serves both');
    t.same(sources.slice(-2).map((s) => s.url), renditions.map((x) => x.url), 'a source per rendition');
    const bad = await api('PATCH', '/api/streams/abr', { renditions: [{ name: '720p', url: 'http://10.0.0.9/main' }] });
    t.equal(bad.status, 400);
    t.match(await bad.text(), /streams\.abr\.renditions\[0\]\.url must be an rtsp:\/\/ URL/);
    const both = await api('PATCH', '/api/streams/abr', { url: 'rtsp://10.0.0.9/main' });
    t.equal(both.status, 400, 'url and renditions together are refused');
    const viewer = await gw.gateway.addViewer(gw.gateway.stream('abr')!, CHROMIUM_OFFER);
    const p = await api('PATCH', '/api/streams/abr', { renditions: [renditions[1]] });
    t.match(await p.json(), { applied: 'rebuilt' });
    t.notOk(gw.gateway.stream('abr')!.getViewer(viewer.id), 'its viewers join again');
    t.equal(gw.gateway.stream('abr')!.renditionNames, undefined, 'one rendition is a plain stream');
    const snap = gw.gateway.snapshot().find((x) => x.stream.name === 'abr')!;
    t.equal(snap.url, 'rtsp://10.0.0.9/sub', 'its URL is the first rendition\'s, without credentials');
    const p2 = await api('PATCH', '/api/streams/abr', { maxViewers: 4 });
    t.match(await p2.json(), { applied: 'settings' }, 'a setting beside renditions changes in place');
  }));

t.test('refusals: no token set, wrong token, bad input, each a typed error naming the field', (t) =>
  withApi(async ({ gw, api, lines }) => {
    const e = async (r: Response) => [r.status, r.headers.get('x-camwire-error'), await r.text()] as const;
    t.match(await e(await api('POST', '/api/streams', { name: 'x', url: 'rtsp://h/x' }, null)), [401, 'UNAUTHORIZED']);
    t.match(await e(await api('POST', '/api/streams', { name: 'x', url: 'rtsp://h/x' }, 'wrong-token-1')), [401, 'UNAUTHORIZED']);
    t.ok(lines.some((l) => l.includes('"auth.refused"')), 'refusals are logged');
    t.notOk(lines.join('').includes('wrong-token-1'), 'without the token');
    t.match(await e(await api('POST', '/api/streams', { name: 'x', url: 'rtsp://h/x', bogus: 1 })), [400, 'CONFIG_INVALID', /streams\.x\.bogus is not a known setting/]);
    t.match(await e(await api('POST', '/api/streams', { name: 'x', url: 'http://h/x' })), [400, 'CONFIG_INVALID', /streams\.x\.url must be an rtsp/]);
    t.match(await e(await api('POST', '/api/streams', { name: 'x', url: 'rtsp://h/x', maxViewers: 0 })), [400, 'CONFIG_INVALID', /streams\.x\.maxViewers/]);
    t.match(await e(await api('POST', '/api/streams', { name: 'a/b', url: 'rtsp://h/x' })), [400, 'CONFIG_INVALID', /bad stream name/]);
    t.match(await e(await api('POST', '/api/streams', { url: 'rtsp://h/x' })), [400, 'BAD_JSON', /name/]);
    t.match(await e(await api('POST', '/api/streams', { name: 'hall', url: 'rtsp://h/x' })), [409, 'STREAM_EXISTS']);
    t.match(await e(await api('POST', '/api/streams', '{"name":')), [400, 'BAD_JSON']);
    t.match(await e(await api('POST', '/api/streams', '[1]')), [400, 'BAD_JSON']);
    t.match(await e(await api('POST', '/api/streams', 'x', ADMIN, 'text/plain')), [415, 'BAD_CONTENT_TYPE']);
    t.match(await e(await api('POST', '/api/streams', { name: 'big', url: 'rtsp://h/' + 'x'.repeat(20_000) })), [413, 'BODY_TOO_LARGE']);
    t.match(await e(await api('PATCH', '/api/streams/nope', { maxViewers: 2 })), [404, 'STREAM_UNKNOWN']);
    t.match(await e(await api('PATCH', '/api/streams/hall', { name: 'other' })), [400, 'BAD_JSON', /renamed/]);
    t.match(await e(await api('PATCH', '/api/streams/hall', { transport: 'carrier-pigeon' })), [400, 'CONFIG_INVALID', /streams\.hall\.transport/]);
    t.match(await e(await api('DELETE', '/api/streams/nope')), [404, 'STREAM_UNKNOWN']);
    t.same(Object.keys(gw.streams.configs()), ['hall'], 'nothing half-applied');
    t.equal(gw.gateway.streamNames().length, 1);
  }));

t.test('without http.adminToken the API is off', (t) =>
  withApi(async ({ api }) => {
    const r = await api('POST', '/api/streams', { name: 'x', url: 'rtsp://h/x' }, 'anything-at-all');
    t.equal(r.status, 403);
    t.equal(r.headers.get('x-camwire-error'), 'ADMIN_API_OFF');
  }, { adminToken: null }));

t.test('concurrent POST and DELETE of one name: one wins, the other is STREAM_BUSY or sees the result; no leaked source', (t) =>
  withApi(async ({ gw, sources, api }) => {
    for (let round = 0; round < 5; round++) {
      const rs = await Promise.all([
        api('POST', '/api/streams', { name: 'race', url: 'rtsp://h/race', onDemand: false }),
        api('DELETE', '/api/streams/race'),
        api('POST', '/api/streams', { name: 'race', url: 'rtsp://h/race', onDemand: false }),
      ]);
      for (const r of rs) t.ok([201, 204, 404, 409].includes(r.status), `status ${r.status} ${r.headers.get('x-camwire-error') ?? ''}`);
      const exists = gw.gateway.stream('race') !== undefined;
      t.equal(exists, Object.hasOwn(gw.streams.configs(), 'race'), 'the gateway and the config agree');
      if (exists) t.equal((await api('DELETE', '/api/streams/race')).status, 204);
    }
    const race = sources.filter((s) => s.url === 'rtsp://h/race');
    t.ok(race.length > 0);
    t.ok(race.every((s) => s.stopped === s.started), 'every camera session that started was torn down');
  }));

t.test('persistApi: the config file is rewritten atomically; a failed write undoes the change', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-api-'));
  const file = join(dir, 'camwire.json');
  writeFileSync(file, JSON.stringify({ http: { port: 0 }, streams: {} }));
  await withApi(async ({ gw, api }) => {
    t.equal((await api('POST', '/api/streams', { name: 'lab', url: 'rtsp://a:b1234567@h/x' })).status, 201);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { http: unknown; streams: Record<string, unknown> };
    t.same(saved.http, { port: 0 }, 'other settings kept');
    t.same(Object.keys(saved.streams).sort(), ['hall', 'lab']);
    t.same(readdirSync(dir), ['camwire.json'], 'no temporary file left');
    chmodSync(dir, 0o500);
    try {
      const r = await api('DELETE', '/api/streams/lab');
      // root writes anyway: then the delete simply succeeds
      if (r.status === 500) {
        t.equal(r.headers.get('x-camwire-error'), 'PERSIST_FAILED');
        t.ok(gw.gateway.stream('lab'), 'the stream is back');
        t.ok(Object.hasOwn(gw.streams.configs(), 'lab'));
      } else t.equal(r.status, 204);
    } finally {
      chmodSync(dir, 0o700);
    }
  }, { file });
});
