/**
 * Referrer-Policy: no-referrer on every response of both listeners, whatever the status:
 * the player URL can carry ?token=, and no response may let a browser pass it on.
 */
import t from 'tap';
import { startGateway } from '../../lib/app/start.js';
import { parseConfig } from '../../lib/gateway/config.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

const TOKEN = 'lecture-hall-7f3a9c';
const METRICS_TOKEN = 'metrics-token-41b2';

t.test('every response carries Referrer-Policy: no-referrer', async (t) => {
  const gw = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0, token: TOKEN, maxBodyBytes: 4096, rateLimit: { requestsPerSecond: 0.01, burst: 25, exemptLoopback: false } },
    metrics: { host: '127.0.0.1', port: 0, token: METRICS_TOKEN },
    streams: { hall: { url: 'rtsp://127.0.0.1:9/x', rtsp: { reconnect: { enabled: false } } } },
  }), { transport: new FakeTransport() });
  t.teardown(() => gw.close());
  const auth = { authorization: `Bearer ${TOKEN}` };
  const sdp = { 'content-type': 'application/sdp', ...auth };
  const created = await fetch(gw.address + '/whep/hall', { method: 'POST', headers: sdp, body: CHROMIUM_OFFER });
  const cases: [string, string, RequestInit, number][] = [
    ['main', `/watch/hall?token=${TOKEN}`, {}, 200],
    ['main', `/?token=${TOKEN}`, {}, 200],
    ['main', '/api/streams', { headers: auth }, 200],
    ['main', '/watch/hall', {}, 401],
    ['main', '/watch/nope', { headers: auth }, 404],
    ['main', '/whep/hall', { method: 'OPTIONS' }, 204],
    ['main', created.headers.get('location') ?? '/x', { method: 'DELETE', headers: auth }, 200],
    ['main', '/whep/hall', { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' }, 415],
    ['main', '/whep/hall', { method: 'POST', headers: sdp, body: 'x'.repeat(5000) }, 413],
    ['main', '/api/streams', { method: 'PUT', headers: auth }, 405],
    ['metrics', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, 200],
    ['metrics', '/metrics', {}, 401],
    ['metrics', '/other', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, 404],
  ];
  t.equal(created.status, 201);
  t.equal(created.headers.get('referrer-policy'), 'no-referrer', 'WHEP 201');
  for (const [listener, path, init, status] of cases) {
    const r = await fetch((listener === 'main' ? gw.address : gw.metricsAddress) + path, init);
    await r.arrayBuffer();
    t.equal(r.status, status, `${listener} ${init.method ?? 'GET'} ${path}`);
    t.equal(r.headers.get('referrer-policy'), 'no-referrer', `${listener} ${init.method ?? 'GET'} ${path} -> ${status}`);
  }
  // The burst (25) is spent by now: the rate limit's own refusal carries it too.
  let limited: Response | undefined;
  for (let i = 0; i < 30 && limited?.status !== 429; i++) {
    limited = await fetch(gw.address + '/api/streams', { headers: auth });
    await limited.arrayBuffer();
  }
  t.equal(limited?.status, 429);
  t.equal(limited?.headers.get('referrer-policy'), 'no-referrer', '429');
});
