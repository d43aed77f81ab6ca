import t from 'tap';
import type { Test } from 'tap';
import { createHmac } from 'node:crypto';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import type { CamwireConfig } from '../../lib/gateway/config.js';
import { FakeTransport } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

const SECRET = 'coturn-static-auth-secret-42';

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

async function withGateway(extra: Partial<CamwireConfig>, fn: (gw: GatewayHandle) => Promise<void>): Promise<void> {
  const gw = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0 },
      streams: { demo: { url: 'rtsp://cam.invalid/stream1' } },
      webrtc: {
        iceServers: [
          { urls: 'stun:stun.example.org:3478' },
          { urls: ['turn:turn.example.org:3478?transport=tcp'], secret: SECRET, ttlSeconds: 600 },
        ],
      },
      ...extra,
    },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: (_name, cfg) => new IdleSource(cfg.url) },
  );
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

/** The TURN link's username and credential, checked to be coturn's HMAC of the username. */
function turnCredentials(t: Test, link: string): { username: string; expiry: number } {
  const m = /<turn:turn\.example\.org:3478\?transport=tcp>; rel="ice-server"; username="(\d+):([^"]+)"; credential="([^"]+)"; credential-type="password"/.exec(link);
  t.ok(m, `a TURN link in ${link}`);
  const username = `${m![1]}:${m![2]}`;
  t.equal(m![3], createHmac('sha1', SECRET).update(username).digest('base64'), 'credential = base64(HMAC-SHA1(secret, username))');
  return { username, expiry: Number(m![1]) };
}

t.test('WHEP 201 carries the ICE servers as Link headers, minted for that viewer', (t) =>
  withGateway({}, async (gw) => {
    const before = Math.floor(Date.now() / 1000);
    const r = await fetch(gw.address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
    t.equal(r.status, 201);
    const link = r.headers.get('link')!;
    t.match(link, /^<stun:stun\.example\.org:3478>; rel="ice-server", </, 'STUN first, without credentials');
    const viewerId = decodeURIComponent(r.headers.get('location')!.split('/').pop()!);
    const { username, expiry } = turnCredentials(t, link);
    t.ok(username.endsWith(':' + viewerId), 'the username names the viewer');
    t.ok(expiry >= before + 600 && expiry <= before + 602, 'expires ttlSeconds from now');
    t.match(r.headers.get('access-control-expose-headers')!, /link/, 'a cross-origin player may read them');
    t.notOk(link.includes(SECRET));
  }));

t.test('OPTIONS before the offer returns the same Link headers; a CORS preflight gets none', (t) =>
  withGateway({}, async (gw) => {
    const r = await fetch(gw.address + '/whep/demo', { method: 'OPTIONS' });
    t.equal(r.status, 204);
    turnCredentials(t, r.headers.get('link')!);
    t.equal(r.headers.get('cache-control'), 'no-store', 'credentials are not cached');
    const pre = await fetch(gw.address + '/whep/demo', { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } });
    t.equal(pre.status, 204);
    t.equal(pre.headers.get('link'), null);
  }));

t.test('behind a token, only an authorized OPTIONS gets credentials', (t) =>
  withGateway({ http: { host: '127.0.0.1', port: 0, token: 'viewer-token-123' } }, async (gw) => {
    const anon = await fetch(gw.address + '/whep/demo', { method: 'OPTIONS' });
    t.equal(anon.status, 204, 'still a CORS-style answer');
    t.equal(anon.headers.get('link'), null, 'but no TURN credentials');
    const authed = await fetch(gw.address + '/whep/demo', { method: 'OPTIONS', headers: { authorization: 'Bearer viewer-token-123' } });
    turnCredentials(t, authed.headers.get('link')!);
  }));

t.test('secrets appear in no API answer and no page', (t) =>
  withGateway({}, async (gw) => {
    for (const path of ['/api/streams', '/metrics', '/watch/demo', '/']) {
      const body = await (await fetch(gw.address + path)).text();
      t.notOk(body.includes(SECRET), path);
    }
  }));

t.test('without iceServers: no ice-server Link (the answer links only the event extension)', (t) =>
  withGateway({ webrtc: {} }, async (gw) => {
    t.equal((await fetch(gw.address + '/whep/demo', { method: 'OPTIONS' })).headers.get('link'), null);
    const r = await fetch(gw.address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
    t.equal(r.status, 201);
    t.notMatch(r.headers.get('link') ?? '', /ice-server/);
    t.match(r.headers.get('link'), /^<[^>]+\/sse>; rel="urn:ietf:params:whep:ext:core:server-sent-events"; events="[a-z,]+"$/);
  }));
