/** RFC 6455 4.2 server handshake: the accept value, the header checks and their typed errors. */
import t from 'tap';
import fc from 'fast-check';
import { validateUpgradeRequest, upgradeResponse, webSocketAccept, WebSocketHandshakeError, type UpgradeHeaders } from '../../lib/http/websocket-handshake.js';

// RFC 6455 1.3: the sample nonce and its accept value
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

// as node:http gives Chromium's request headers: lower-case names
const chromium = (): Record<string, string | string[] | undefined> => ({
  host: '127.0.0.1:8080', connection: 'Upgrade', pragma: 'no-cache', upgrade: 'websocket', origin: 'http://127.0.0.1:8080',
  'sec-websocket-version': '13', 'sec-websocket-key': KEY, 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
});

function failure(headers: UpgradeHeaders): WebSocketHandshakeError {
  try {
    validateUpgradeRequest(headers);
  } catch (e) {
    if (e instanceof WebSocketHandshakeError) return e;
    throw e;
  }
  throw new Error('no error');
}

t.test('RFC 6455 sample key; a browser request; the 101 answer', async (t) => {
  t.equal(webSocketAccept(KEY), ACCEPT);
  t.same(validateUpgradeRequest(chromium()), { accept: ACCEPT, protocols: [] });
  t.equal(upgradeResponse(ACCEPT), `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${ACCEPT}\r\n\r\n`);
  t.match(upgradeResponse(ACCEPT, 'fmp4'), /\r\nSec-WebSocket-Protocol: fmp4\r\n\r\n$/);
  t.throws(() => upgradeResponse(ACCEPT, 'a\r\nX-Injected: 1'), { code: 'WS_BAD_PROTOCOL' });
});

t.test('tokens in any case, in lists; header names in any case; subprotocols in order', async (t) => {
  const r = validateUpgradeRequest({
    Upgrade: 'WebSocket', CONNECTION: 'keep-alive, Upgrade', 'Sec-WebSocket-Version': ' 13 ', 'Sec-WebSocket-Key': ` ${KEY}`,
    'Sec-WebSocket-Protocol': 'fmp4.v2, fmp4', 'sec-websocket-protocol': ['chat'],
  });
  t.same(r, { accept: ACCEPT, protocols: ['fmp4.v2', 'fmp4', 'chat'] });
});

t.test('typed errors with the status to answer', async (t) => {
  const without = (name: string) => { const h = chromium(); delete h[name]; return h; };
  let e = failure(without('upgrade'));
  t.same([e.code, e.status], ['WS_NO_UPGRADE', 400]);
  t.equal(failure({ ...chromium(), upgrade: 'h2c' }).code, 'WS_NO_UPGRADE');
  t.equal(failure({ ...chromium(), upgrade: 'websocket2' }).code, 'WS_NO_UPGRADE', 'a token, not a substring');
  e = failure(without('connection'));
  t.same([e.code, e.status], ['WS_NO_CONNECTION_UPGRADE', 400]);
  t.equal(failure({ ...chromium(), connection: 'keep-alive' }).code, 'WS_NO_CONNECTION_UPGRADE');
  e = failure({ ...chromium(), 'sec-websocket-version': '8' });
  t.same([e.code, e.status, e.headers], ['WS_BAD_VERSION', 426, { 'Sec-WebSocket-Version': '13' }], '426 names the version spoken');
  t.equal(failure(without('sec-websocket-version')).code, 'WS_BAD_VERSION');
  t.equal(failure({ ...chromium(), 'sec-websocket-version': '13, 8' }).code, 'WS_BAD_VERSION');
  e = failure(without('sec-websocket-key'));
  t.same([e.code, e.status], ['WS_BAD_KEY', 400]);
  t.equal(failure({ ...chromium(), 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ' }).code, 'WS_BAD_KEY', 'unpadded');
  t.equal(failure({ ...chromium(), 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZSE=' }).code, 'WS_BAD_KEY', '17 bytes');
  t.equal(failure({ ...chromium(), 'sec-websocket-key': [KEY, KEY] }).code, 'WS_BAD_KEY', 'repeated');
  t.equal(failure({ ...chromium(), 'Sec-WebSocket-Key': KEY }).code, 'WS_BAD_KEY', 'repeated under two spellings');
  t.ok(e instanceof WebSocketHandshakeError && e.name === 'WebSocketHandshakeError');
});

t.test('property: any header values give an answer or a WebSocketHandshakeError', async (t) => {
  const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('websocket', 'Upgrade', '13', KEY), fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }), fc.constant(undefined));
  const name = fc.constantFrom('upgrade', 'Connection', 'sec-websocket-version', 'Sec-WebSocket-Key', 'sec-websocket-protocol', 'host');
  fc.assert(fc.property(fc.dictionary(name, value), (headers) => {
    try {
      const r = validateUpgradeRequest(headers);
      return r.accept.length === 28;
    } catch (e) {
      return e instanceof WebSocketHandshakeError && (e.status === 400 || e.status === 426);
    }
  }));
});
