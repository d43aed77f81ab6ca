/** Per-viewer authorization over HTTP: http.jwt on WHEP and the player page, http.authHook with its cache. */
import t from 'tap';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { HttpConfig } from '../../lib/gateway/config.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import { signJwt } from '../support/jwt-sign.js';

const SECRET = 'lecture-signing-secret';

class IdleSource implements VideoSource {
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

async function withGateway(http: Partial<HttpConfig>, fn: (gw: GatewayHandle, lines: string[]) => Promise<void>): Promise<void> {
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l));
  const gw = await startGateway(
    { http: { host: '127.0.0.1', port: 0, ...http }, streams: { 'lecture-101': { url: 'rtsp://cam.invalid/1' }, 'lab-7': { url: 'rtsp://cam.invalid/2' } } },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: () => new IdleSource(), log },
  );
  try {
    await fn(gw, lines);
  } finally {
    await gw.close();
    log.close();
  }
}

const whep = (gw: GatewayHandle, stream: string, token?: string) =>
  fetch(`${gw.address}/whep/${stream}`, {
    method: 'POST', body: CHROMIUM_OFFER,
    headers: { 'content-type': 'application/sdp', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
  });
const now = () => Math.floor(Date.now() / 1000);

t.test('http.jwt: 401 without or with a bad token, 403 for another stream, 201 for this one', (t) =>
  withGateway({ jwt: { secret: SECRET }, token: 'static-token-unused' }, async (gw, lines) => {
    const forLectures = signJwt({ streams: ['lecture-*'], exp: now() + 600 }, 'HS256', SECRET);
    const status = async (r: Promise<Response>) => {
      const res = await r;
      await res.body?.cancel();
      return `${res.status} ${res.headers.get('x-camwire-error') ?? ''}`.trim();
    };
    t.equal(await status(whep(gw, 'lecture-101')), '401 UNAUTHORIZED', 'no token');
    t.equal(await status(whep(gw, 'lecture-101', 'not-a-jwt')), '401 UNAUTHORIZED', 'garbage');
    t.equal(await status(whep(gw, 'lecture-101', signJwt({ streams: ['*'], exp: now() - 3600 }, 'HS256', SECRET))), '401 UNAUTHORIZED', 'expired');
    t.equal(await status(whep(gw, 'lecture-101', signJwt({ streams: ['*'] }, 'none'))), '401 UNAUTHORIZED', 'alg none');
    t.equal(await status(whep(gw, 'lecture-101', signJwt({ streams: ['*'] }, 'HS256', 'someone-elses-key'))), '401 UNAUTHORIZED', 'wrong key');
    t.equal(await status(whep(gw, 'lecture-101', forLectures + 'x'.repeat(9000))), '401 UNAUTHORIZED', 'oversized');
    t.equal(await status(whep(gw, 'lab-7', forLectures)), '403 FORBIDDEN', 'valid, but not for this stream');
    t.equal(await status(whep(gw, 'lecture-101', forLectures)), '201', 'valid for this stream');
    t.equal(await status(fetch(`${gw.address}/watch/lecture-101?token=${forLectures}`)), '200', 'the page with ?token=');
    t.equal(await status(fetch(`${gw.address}/watch/lab-7?token=${forLectures}`)), '403 FORBIDDEN');
    t.equal(await status(fetch(`${gw.address}/watch/lab-7`)), '401 UNAUTHORIZED');
    t.equal(await status(fetch(`${gw.address}/api/streams`)), '401 UNAUTHORIZED', 'other routes keep http.token');
    t.ok(lines.some((l) => /WARN auth\.refused .*code=FORBIDDEN/.test(l)), 'refusals logged');
    t.notOk(lines.join('').includes(forLectures.slice(0, 20)), 'no token in the log');
  }));

t.test('http.authHook: admits on 2xx, caches answers, 503 when it does not answer', async (t) => {
  const calls: unknown[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const q = JSON.parse(body) as { stream: string; token: string };
      calls.push(q);
      res.writeHead(q.token === 'student-1' && q.stream === 'lecture-101' ? 204 : 403).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/auth`;
  try {
    await withGateway({ authHook: { url, cacheMs: 60_000 } }, async (gw) => {
      t.equal((await whep(gw, 'lecture-101', 'student-1')).status, 201);
      t.equal((await whep(gw, 'lecture-101', 'student-1')).status, 201);
      t.equal(calls.length, 1, 'the second answer came from the cache');
      t.match(calls[0], { stream: 'lecture-101', ip: '127.0.0.1', token: 'student-1', action: 'read' });
      t.equal((await whep(gw, 'lab-7', 'student-1')).status, 403);
      t.equal((await whep(gw, 'lab-7')).status, 401, 'no token: 401');
    });
  } finally {
    await new Promise<void>((r) => hook.close(() => r()));
  }
  await withGateway({ authHook: { url, timeoutMs: 500 } }, async (gw) => {
    const r = await whep(gw, 'lecture-101', 'student-1');
    t.equal(r.status, 503, 'hook down');
    t.equal(r.headers.get('x-camwire-error'), 'AUTH_HOOK_UNAVAILABLE');
  });
});

/** The status a WebSocket upgrade of /ws/<stream> gets: 101, or the refusal's status and code. */
function upgradeStatus(gw: GatewayHandle, path: string): Promise<string> {
  const { hostname, port } = new URL(gw.address);
  return new Promise((resolve, reject) => {
    const req = request({
      host: hostname, port, path,
      headers: { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(String(res.statusCode));
    });
    req.on('response', (res) => {
      res.resume();
      resolve(`${res.statusCode} ${res.headers['x-camwire-error'] ?? ''}`.trim());
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('http.jwt guards the WebSocket fallback too: 401, 403, then 101 with ?token=', (t) =>
  withGateway({ jwt: { secret: SECRET }, token: 'static-token-unused' }, async (gw) => {
    const forLectures = signJwt({ streams: ['lecture-*'], exp: now() + 600 }, 'HS256', SECRET);
    t.equal(await upgradeStatus(gw, '/ws/lecture-101'), '401 UNAUTHORIZED', 'no token');
    t.equal(await upgradeStatus(gw, `/ws/lecture-101?token=${signJwt({ streams: ['*'] }, 'none')}`), '401 UNAUTHORIZED', 'alg none');
    t.equal(await upgradeStatus(gw, `/ws/lab-7?token=${forLectures}`), '403 FORBIDDEN', 'valid, but not for this stream');
    t.equal(await upgradeStatus(gw, `/ws/lecture-101?token=${forLectures}`), '101', 'valid for this stream');
  }));
