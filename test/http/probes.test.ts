/**
 * GET /healthz and /readyz: no viewer credentials needed (orchestrators send none), the same
 * rate limit as every route, readiness following the gateway (a live source, the drain), and
 * the drain as WHEP clients see it: 503 DRAINING with Retry-After, sessions kept.
 */
import t, { type Test } from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { CamwireConfig } from '../../lib/gateway/config.js';
import type { SourceInfo, SourceSink, SourceState, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

class ManualSource implements VideoSource {
  sink: SourceSink | undefined;
  start(sink: SourceSink) {
    this.sink = sink;
  }
  stop() {}
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
  set(state: SourceState) {
    this.sink?.onState(state);
  }
}

async function withGateway(
  t: Test,
  config: Partial<CamwireConfig>,
  fn: (gw: GatewayHandle, source: () => ManualSource) => Promise<void>,
): Promise<void> {
  let source: ManualSource | undefined;
  const gw = await startGateway(
    { streams: { hall: { url: 'rtsp://cam.invalid/x', onDemand: false } }, ...config, http: { host: '127.0.0.1', port: 0, ...config.http } },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: () => (source = new ManualSource()) },
  );
  try {
    await fn(gw, () => source!);
  } finally {
    await gw.close();
  }
  t.pass('closed');
}

const offer = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });

t.test('/healthz: 200 and a tiny JSON body; GET and HEAD only', (t) =>
  withGateway(t, {}, async (gw) => {
    const r = await fetch(gw.address + '/healthz');
    t.equal(r.status, 200);
    t.equal(r.headers.get('content-type'), 'application/json');
    t.equal(r.headers.get('cache-control'), 'no-store');
    t.same(await r.json(), { status: 'ok' });
    const head = await fetch(gw.address + '/healthz', { method: 'HEAD' });
    t.equal(head.status, 200);
    t.equal(await head.text(), '', 'no body for HEAD');
    t.equal((await fetch(gw.address + '/healthz', { method: 'POST' })).status, 405);
    t.equal((await fetch(gw.address + '/readyz', { method: 'DELETE' })).status, 405);
  }));

t.test('/readyz follows the camera: 503 until a source plays, and again when it is lost', (t) =>
  withGateway(t, {}, async (gw, source) => {
    let r = await fetch(gw.address + '/readyz');
    t.equal(r.status, 503, 'still connecting to the camera');
    t.same(await r.json(), { ready: false, reason: 'no live source' });
    source().set('playing');
    r = await fetch(gw.address + '/readyz');
    t.equal(r.status, 200);
    t.same(await r.json(), { ready: true, reason: 'ready' });
    source().set('reconnecting');
    t.equal((await fetch(gw.address + '/readyz')).status, 503);
  }));

t.test('probes need no token or password; everything else still does', async (t) => {
  const secret = 'probe-secret-123';
  for (const http of [{ token: secret }, { basicAuth: { user: 'u', password: secret } }]) {
    await withGateway(t, { http, streams: { hall: { url: 'rtsp://cam.invalid/x' } } }, async (gw) => {
      t.equal((await fetch(gw.address + '/healthz')).status, 200, `${Object.keys(http)[0]}: healthz open`);
      t.equal((await fetch(gw.address + '/readyz')).status, 200, 'readyz open (an on-demand stream that is stopped is ready)');
      t.equal((await fetch(gw.address + '/api/streams')).status, 401, 'the API is not');
      t.equal((await fetch(gw.address + '/healthz?x=/api/streams')).status, 200, 'a query string changes nothing');
      t.equal((await fetch(gw.address + '/healthz/../api/streams')).status, 401, 'a path that only starts like a probe is not one');
    });
  }
});

t.test('probes count against the rate limit like every route', (t) =>
  withGateway(t, { http: { rateLimit: { requestsPerSecond: 0.01, burst: 2, exemptLoopback: false } } }, async (gw) => {
    t.equal((await fetch(gw.address + '/healthz')).status, 200);
    t.equal((await fetch(gw.address + '/readyz')).status, 503);
    const limited = await fetch(gw.address + '/healthz');
    t.equal(limited.status, 429);
    t.ok(limited.headers.get('retry-after'));
    t.equal(gw.httpStats().rateLimited, 1);
  }));

t.test('draining: WHEP offers get 503 DRAINING with Retry-After, current sessions are kept', (t) =>
  withGateway(t, { allowSources: ['rtsp://cams.invalid/*'] }, async (gw, source) => {
    source().set('playing');
    const joined = await offer(gw.address + '/whep/hall');
    t.equal(joined.status, 201);
    const drained = gw.gateway.drain(60_000);
    const r = await offer(gw.address + '/whep/hall');
    t.equal(r.status, 503);
    t.equal(r.headers.get('retry-after'), '2');
    t.equal(r.headers.get('x-camwire-error'), 'DRAINING');
    t.match(await r.text(), /^DRAINING: camwire is draining/);
    const adHoc = await offer(gw.address + '/whep?src=' + encodeURIComponent('rtsp://cams.invalid/new'));
    t.equal(adHoc.status, 503, 'ad-hoc sources too');
    t.same(gw.gateway.streamNames(), ['hall'], 'no ad-hoc stream made for a refused viewer');
    const ready = await fetch(gw.address + '/readyz');
    t.equal(ready.status, 503);
    t.same(await ready.json(), { ready: false, reason: 'draining' });
    t.equal((await fetch(gw.address + '/healthz')).status, 200, 'alive all the same');
    t.equal(gw.gateway.stream('hall')!.viewerCount, 1, 'the viewer keeps its session');
    t.equal((await fetch(gw.address + joined.headers.get('location')!, { method: 'DELETE' })).status, 200, 'and may end it');
    t.same(await drained, { viewersAtStart: 1, viewersLeft: 0, ended: 'empty' });
  }));

t.test('the metrics listener answers the probes too, without its token', (t) =>
  withGateway(t, { metrics: { port: 0, host: '127.0.0.1', token: 'metrics-token-1' }, streams: { hall: { url: 'rtsp://cam.invalid/x' } } }, async (gw) => {
    const m = gw.metricsAddress!;
    t.equal((await fetch(m + '/healthz')).status, 200);
    t.same(await (await fetch(m + '/readyz')).json(), { ready: true, reason: 'ready' });
    t.equal((await fetch(m + '/metrics')).status, 401, '/metrics keeps its token');
    void gw.gateway.drain(60_000);
    t.equal((await fetch(m + '/readyz')).status, 503);
  }));
