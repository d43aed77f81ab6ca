import t from 'tap';
import fc from 'fast-check';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { STREAM_DEFAULTS } from '../../lib/gateway/stream-options.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

class IdleSource implements VideoSource {
  constructor(readonly url: string) {}
  start(sink: SourceSink) {
    sink.onState('playing');
  }
  stop() {}
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
}

async function withGateway(fn: (gw: GatewayHandle, transport: FakeTransport) => Promise<void>): Promise<void> {
  const transport = new FakeTransport();
  const gw = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0, maxBodyBytes: 16 * 1024 },
      streams: { demo: { url: 'rtsp://user:secret@cam.invalid/stream1' } },
      allowSources: ['rtsp://allowed.invalid/*'],
      maxSourceStreams: 2,
    },
    { transport, deps: createDeps(), sourceFactory: (_name, cfg) => new IdleSource(cfg.url) },
  );
  try {
    await fn(gw, transport);
  } finally {
    await gw.close();
  }
  t.ok(transport.cleanedUp, 'close() cleans the transport up');
}

const offer = (url: string, body = CHROMIUM_OFFER, type = 'application/sdp') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

t.test('WHEP: offer -> 201 + Location + answer; DELETE ends the session', (t) =>
  withGateway(async (gw) => {
    const r = await offer(gw.address + '/whep/demo');
    t.equal(r.status, 201);
    t.equal(r.headers.get('content-type'), 'application/sdp');
    t.equal(r.headers.get('access-control-allow-origin'), '*');
    const loc = r.headers.get('location')!;
    t.match(loc, /^\/whep\/demo\/demo-/);
    t.match(await r.text(), /a=mid:0/);
    t.equal(gw.gateway.stream('demo')!.viewerCount, 1);
    t.equal((await fetch(gw.address + loc, { method: 'DELETE' })).status, 200);
    t.equal(gw.gateway.stream('demo')!.viewerCount, 0);
    t.equal((await fetch(gw.address + loc, { method: 'DELETE' })).status, 404, 'second DELETE: no such session');
    t.equal((await fetch(gw.address + loc, { method: 'PATCH', body: 'a=candidate' })).status, 405, 'no trickle');
  }));

t.test('WHEP: CORS preflight', (t) =>
  withGateway(async (gw) => {
    const r = await fetch(gw.address + '/whep/demo', { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } });
    t.equal(r.status, 204);
    t.match(r.headers.get('access-control-allow-methods')!, /POST/);
    t.match(r.headers.get('access-control-allow-headers')!, /content-type/);
    t.equal(r.headers.get('access-control-allow-origin'), '*');
    t.match(r.headers.get('access-control-expose-headers')!, /location/);
    for (const m of ['POST', 'PATCH', 'DELETE']) t.match(r.headers.get('access-control-allow-methods')!, m, `${m} allowed cross-origin`);
    t.match(r.headers.get('access-control-allow-headers')!, /if-match/);
    for (const h of ['location', 'link', 'etag']) t.match(r.headers.get('access-control-expose-headers')!, h, `${h} readable cross-origin`);
    const session = await fetch(gw.address + '/whep/demo/some-viewer', {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type, if-match' },
    });
    t.equal(session.status, 204, 'the trickle PATCH preflight on a session URL passes');
    t.match(session.headers.get('access-control-allow-methods')!, /PATCH/);
  }));

t.test('WHEP: clear errors for bad requests', (t) =>
  withGateway(async (gw) => {
    t.equal((await offer(gw.address + '/whep/nope')).status, 404, 'unknown stream');
    t.equal((await offer(gw.address + '/whep/demo', CHROMIUM_OFFER, 'text/plain')).status, 415, 'wrong content type');
    t.equal((await offer(gw.address + '/whep/demo', 'x'.repeat(20000))).status, 413, 'body over the limit');
    const bad = await offer(gw.address + '/whep/demo', 'v=0\r\nm=audio 9 RTP/AVP 0\r\n');
    t.equal(bad.status, 400);
    t.match(await bad.text(), /OFFER_NO_VIDEO/);
    const vp8 = CHROMIUM_OFFER.split('\r\n').filter((l) => !/H264|apt=1|rtpmap:1/.test(l)).join('\r\n');
    t.equal((await offer(gw.address + '/whep/demo', vp8)).status, 400, 'no H.264 in the offer');
    t.equal((await fetch(gw.address + '/whep/demo', { method: 'PUT' })).status, 405);
    t.equal((await fetch(gw.address + '/nothing/here')).status, 404);
    t.equal((await fetch(gw.address + '/watch/nope')).status, 404);
    t.equal((await fetch(gw.address + '/whep/%zz')).status, 405, 'bad escapes do not crash');
    t.equal(gw.gateway.stream('demo')!.viewerCount, 0);
  }));

t.test('?src= only for allow-listed URLs', (t) =>
  withGateway(async (gw) => {
    const evil = encodeURIComponent('rtsp://10.0.0.1/secret');
    const r = await offer(gw.address + '/whep?src=' + evil);
    t.equal(r.status, 403);
    t.match(await r.text(), /allow-list/);
    t.equal((await fetch(gw.address + '/?src=' + evil)).status, 403, 'player page too');
    t.equal((await fetch(gw.address + '/watch?id=' + evil)).status, 403, 'the old ?id= form too');
    t.equal(gw.gateway.streamNames().length, 1, 'no stream created');
    const ok = await offer(gw.address + '/whep?src=' + encodeURIComponent('rtsp://allowed.invalid/cam7'));
    t.equal(ok.status, 201);
    t.equal((await fetch(gw.address + '/?src=' + encodeURIComponent('rtsp://allowed.invalid/cam7'))).status, 200);
    t.equal(gw.gateway.streamNames().length, 2, 'an ad-hoc stream');
    t.equal((await offer(gw.address + '/whep?src=' + encodeURIComponent('rtsp://allowed.invalid/cam8'))).status, 201);
    const full = await offer(gw.address + '/whep?src=' + encodeURIComponent('rtsp://allowed.invalid/cam9'));
    t.equal(full.status, 503, 'ad-hoc streams are bounded');
    t.match(await full.text(), /STREAM_LIMIT/);
  }));

t.test('player, /api/streams and /metrics', (t) =>
  withGateway(async (gw) => {
    const page = await fetch(gw.address + '/');
    t.equal(page.status, 200);
    t.match(await page.text(), /<video id="video" muted autoplay/);
    t.equal((await fetch(gw.address + '/watch/demo')).status, 200);
    await offer(gw.address + '/whep/demo');
    const api = (await (await fetch(gw.address + '/api/streams')).json()) as any;
    t.equal(api.streams.length, 1);
    t.equal(api.streams[0].name, 'demo');
    t.equal(api.streams[0].url, 'rtsp://cam.invalid/stream1', 'credentials never shown');
    t.equal(api.streams[0].viewers.length, 1);
    t.equal(typeof api.streams[0].viewers[0].nacksReceived, 'number');
    const m = await (await fetch(gw.address + '/metrics')).text();
    t.match(m, /# TYPE camwire_stream_viewers gauge\ncamwire_stream_viewers\{stream="demo"\} 1\n/);
    t.match(m, /camwire_viewer_nacks_received_total\{stream="demo"\} 0/);
    t.match(m, /camwire_stream_cut_through_gaps_total\{stream="demo"\} 0/, 'packet forwarding counters (zero in frame forwarding)');
    t.notMatch(m, /secret/);
  }));

t.test('/api/streams shows each stream\'s settings in effect: its own, else streamDefaults, else STREAM_DEFAULTS', async (t) => {
  const gw = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0 },
      streams: {
        hall: { url: 'rtsp://user:secret@cam.invalid/hall', maxViewers: 3, forwarding: 'packet', rtsp: { userAgent: 'hall-agent' } },
        lobby: { url: 'rtsp://cam.invalid/lobby' },
      },
      streamDefaults: { idleStopMs: 1234, maxViewers: 9 },
    },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: (_name, cfg) => new IdleSource(cfg.url) },
  );
  try {
    const api = (await (await fetch(gw.address + '/api/streams')).json()) as any;
    const byName = Object.fromEntries(api.streams.map((s: any) => [s.name, s]));
    t.strictSame(byName.hall.settings, { ...STREAM_DEFAULTS, idleStopMs: 1234, maxViewers: 3, forwarding: 'packet' });
    t.strictSame(byName.lobby.settings, { ...STREAM_DEFAULTS, idleStopMs: 1234, maxViewers: 9 });
    t.equal(byName.hall.url, 'rtsp://cam.invalid/hall');
    t.notMatch(JSON.stringify(api), /secret|hall-agent/, 'no credentials, and only the stream options');
  } finally {
    await gw.close();
  }
});

t.test('arbitrary requests never crash the server or answer 500', (t) =>
  withGateway(async (gw) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'),
        fc.array(fc.constantFrom('whep', 'demo', 'watch', 'api', 'streams', 'metrics', '%', '..', 'x?src=', '%2F', ''), { maxLength: 4 }),
        fc.oneof(fc.string({ maxLength: 200 }), fc.constant(CHROMIUM_OFFER.slice(0, 300))),
        async (method, parts, body) => {
          const r = await fetch(gw.address + '/' + parts.join('/'), {
            method, headers: { 'content-type': 'application/sdp' }, body: method === 'GET' || method === 'HEAD' ? undefined : body,
          });
          await r.arrayBuffer();
          return r.status < 500;
        },
      ),
      { numRuns: 150 },
    );
    t.equal((await fetch(gw.address + '/api/streams')).status, 200, 'still serving');
  }));
