/**
 * Access control on a real gateway over loopback: with a token (or basic auth) every route
 * refuses without it; `?src=` outside the allow-list is refused however the URL is dressed up;
 * camera credentials appear nowhere a client or a log can see.
 */
import t from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { CamwireConfig } from '../../lib/gateway/config.js';
import { parseConfig } from '../../lib/gateway/config.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import { captureOutput } from '../support/capture-output.js';

const TOKEN = 'lecture-hall-7f3a9c';
const CAMERA_PASSWORD = 'Sup3rSecretPw';

async function withGateway(config: Partial<CamwireConfig>, fn: (gw: GatewayHandle) => Promise<void>): Promise<void> {
  const gw = await startGateway(
    parseConfig({
      streams: { hall: { url: `rtsp://admin:${CAMERA_PASSWORD}@127.0.0.1:9/axis-media/media.amp`, onDemand: false, rtsp: { reconnect: { initialDelayMs: 50, maxDelayMs: 100 } } } },
      allowSources: ['rtsp://cams.example/*', 'rtsp://*.campus.example/live/*'],
      ...config,
      http: { host: '127.0.0.1', port: 0, ...config.http },
    }),
    { transport: new FakeTransport() },
  );
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

/** Every route the router serves, with a request that would succeed (or fail on its merits) when authorized. */
const ROUTES: { method: string; path: string; body?: string }[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/watch/hall' },
  { method: 'GET', path: '/watch?src=rtsp://cams.example/a' },
  { method: 'GET', path: '/api/streams' },
  { method: 'GET', path: '/metrics' },
  { method: 'POST', path: '/whep/hall', body: CHROMIUM_OFFER },
  { method: 'POST', path: '/whep?src=rtsp://cams.example/a', body: CHROMIUM_OFFER },
  { method: 'DELETE', path: '/whep/hall/nobody' },
  { method: 'PATCH', path: '/whep/hall/nobody', body: 'a=candidate' },
  { method: 'GET', path: '/no/such/thing' },
];

const call = (base: string, r: (typeof ROUTES)[number], headers: Record<string, string> = {}, query = '') =>
  fetch(base + r.path + (query ? (r.path.includes('?') ? '&' : '?') + query : ''), {
    method: r.method, body: r.body, headers: { ...(r.body ? { 'content-type': 'application/sdp' } : {}), ...headers },
  });

t.test('with a token, every route refuses without it (401 + challenge) and serves with it', (t) =>
  withGateway({ http: { token: TOKEN } }, async (gw) => {
    for (const r of ROUTES) {
      const none = await call(gw.address, r);
      t.equal(none.status, 401, `${r.method} ${r.path} without a token`);
      t.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      t.equal((await call(gw.address, r, { authorization: 'Bearer wrong-token-123' })).status, 401, `${r.method} ${r.path} wrong token`);
      t.equal((await call(gw.address, r, { authorization: `Basic ${Buffer.from('x:' + TOKEN).toString('base64')}` })).status, 401, 'the token is not a password');
      const ok = await call(gw.address, r, { authorization: `Bearer ${TOKEN}` });
      t.not(ok.status, 401, `${r.method} ${r.path} with the token: ${ok.status}`);
      t.not((await call(gw.address, r, {}, `token=${TOKEN}`)).status, 401, `${r.method} ${r.path} with ?token=`);
    }
    const pre = await fetch(gw.address + '/whep/hall', { method: 'OPTIONS' });
    t.equal(pre.status, 204, 'a CORS preflight needs no credentials (browsers send none)');
    t.equal(gw.httpStats().unauthorized >= ROUTES.length * 3, true, 'refusals are counted');
    const page = await (await fetch(gw.address + `/?token=${TOKEN}`)).text();
    t.match(page, /authorization: 'Bearer ' \+ token/, 'the player sends the token on its own calls');
  }));

t.test('with basic auth, every route refuses without the password', (t) =>
  withGateway({ http: { basicAuth: { user: 'teacher', password: 'blackboard42' } } }, async (gw) => {
    const good = `Basic ${Buffer.from('teacher:blackboard42').toString('base64')}`;
    const bad = `Basic ${Buffer.from('teacher:blackboard43').toString('base64')}`;
    for (const r of ROUTES) {
      const none = await call(gw.address, r);
      t.equal(none.status, 401, `${r.method} ${r.path}`);
      t.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="camwire"/, 'browsers prompt for it');
      t.equal((await call(gw.address, r, { authorization: bad })).status, 401);
      t.not((await call(gw.address, r, { authorization: good })).status, 401);
    }
  }));

t.test('?src= outside the allow-list is refused, however the URL is dressed up', (t) =>
  withGateway({}, async (gw) => {
    const refused = [
      'rtsp://evil.example/x',
      'rtsp://cams.example@evil.example/x',
      'rtsp://cams.example.evil.example/x',
      'rtsp://evil.example/rtsp://cams.example/x',
      'rtsp://evil.example/@x.campus.example/live/a',
      'rtsp://x.campus.example@evil.example/live/a',
      // the client takes userinfo up to the last @ (passwords may hold one): the host would be evil.example
      'rtsp://cams.example/x@evil.example/',
      'rtsp://a.campus.example/live/x@evil.example/live/b',
      'rtsp://u:p@cams.example/x',
      'rtsp://evil.example/.campus.example/live/a',
      'rtsp://cams.example/a b',
      'RTSP://EVIL.EXAMPLE/x',
      'http://cams.example/a',
      'rtsp://cams.example',
    ];
    for (const src of refused) {
      for (const path of ['/watch?src=', '/whep?src=', '/?id=']) {
        const r = path.startsWith('/whep')
          ? await fetch(gw.address + path + encodeURIComponent(src), { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER })
          : await fetch(gw.address + path + encodeURIComponent(src));
        t.equal(r.status, 403, `${path}${src}`);
      }
    }
    t.equal(gw.gateway.streamNames().filter((n) => n.startsWith('src-')).length, 0, 'no ad-hoc stream was made');
    for (const src of ['rtsp://cams.example/a', 'rtsp://lab.campus.example/live/b?res=hd']) {
      t.equal((await fetch(gw.address + '/watch?src=' + encodeURIComponent(src))).status, 200, `allowed: ${src}`);
    }
  }));

t.test('camera credentials never appear in the page, the API, metrics, errors or logs', (t) => {
  const { logged, restore } = captureOutput();
  return withGateway({ metrics: { port: 0, host: '127.0.0.1' } }, async (gw) => {
    // The camera (port 9) refuses: the source fails, retries, and reports why.
    let api = '';
    for (let i = 0; i < 100; i++) {
      api = await (await fetch(gw.address + '/api/streams')).text();
      if (/ECONNREFUSED|refused|reconnecting|failed/i.test(api)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    t.match(api, /127\.0\.0\.1:9\/axis-media/, 'the camera URL is shown...');
    const seen = [
      api,
      await (await fetch(gw.address + '/')).text(),
      await (await fetch(gw.address + '/watch/hall')).text(),
      await (await fetch(gw.metricsAddress + '/metrics')).text(),
      await (await fetch(gw.address + '/whep/hall', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n' })).text(),
      await (await fetch(gw.address + '/whep/nope', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER })).text(),
      await (await fetch(gw.address + '/metrics')).text(),
    ];
    restore();
    const all = [...seen, ...logged].join('\n');
    t.notMatch(all, new RegExp(CAMERA_PASSWORD), '...but never its password');
    t.notMatch(all, /admin:/, 'nor its user');
    t.match(seen[3], /camwire_stream/, 'metrics served on their own listener');
    t.match(seen[6], /NOT_FOUND/, 'and not on the main one');
  }).finally(restore);
});

t.test('the gateway-wide viewer limit holds across streams', (t) =>
  withGateway({ maxViewersTotal: 2, streams: { a: { url: 'rtsp://127.0.0.1:9/a' }, b: { url: 'rtsp://127.0.0.1:9/b' } } }, async (gw) => {
    const post = (name: string) => fetch(`${gw.address}/whep/${name}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
    const statuses = await Promise.all(['a', 'b', 'a', 'b'].map(post).map(async (p) => (await p).status));
    t.same(statuses.filter((s) => s === 201).length, 2, `two served (${statuses})`);
    t.same(statuses.filter((s) => s === 503).length, 2, 'the rest get 503 PEER_LIMIT');
  }));
