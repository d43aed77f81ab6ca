/** Config keys of operations: log, persistApi, http.adminToken, http.jwt, http.authHook, and parseStreamConfig. */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { parseConfig, parseStreamConfig } from '../../lib/gateway/config.js';

const refused = (cfg: unknown): string => {
  try {
    parseConfig(cfg);
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

t.test('accepted', (t) => {
  for (const http of [{ adminToken: 'a-long-admin-token' }, { jwt: { secret: 'shared-secret' } }, { jwt: { publicKey: pem, algorithms: ['ES256'], leewaySeconds: 5 } },
    { authHook: { url: 'https://auth.example/check', timeoutMs: 500 } }]) {
    t.equal(refused({ http }), 'accepted', JSON.stringify(http).slice(0, 60));
  }
  t.equal(refused({ log: { level: 'debug', format: 'json' }, persistApi: true }), 'accepted');
  t.end();
});

t.test('refused, naming the key', (t) => {
  t.match(refused({ http: { adminToken: 'short' } }), /http\.adminToken must be a string of at least 8/);
  t.match(refused({ http: { jwt: {} } }), /http\.jwt needs exactly one of secret/);
  t.match(refused({ http: { jwt: { secret: 'shared-secret', publicKey: pem } } }), /exactly one/);
  t.match(refused({ http: { jwt: { publicKey: 'not a key' } } }), /publicKey must be a PEM public key/);
  t.match(refused({ http: { jwt: { secret: 'shared-secret', algorithms: ['none'] } } }), /algorithms\[0\] must be HS256, RS256 or ES256/);
  t.match(refused({ http: { authHook: { timeoutMs: 500 } } }), /http\.authHook\.url is required/);
  t.match(refused({ http: { authHook: { url: 'http://user:pw@auth/' } } }), /without credentials/);
  t.match(refused({ log: { level: 'verbose' } }), /log\.level must be one of error, warn, info, debug/);
  t.match(refused({ log: { format: 'xml' } }), /log\.format/);
  t.match(refused({ persistApi: 'yes' }), /persistApi must be true or false/);
  t.end();
});

t.test('parseStreamConfig validates one entry as the file does', (t) => {
  t.same(parseStreamConfig('lab', { url: 'rtsp://h/x', maxViewers: 3 }), { url: 'rtsp://h/x', maxViewers: 3 });
  t.throws(() => parseStreamConfig('lab', { maxViewers: 3 }), /streams\.lab\.url is required/);
  t.throws(() => parseStreamConfig('../x', { url: 'rtsp://h/x' }), /bad stream name/);
  t.throws(() => parseStreamConfig('lab', { url: 'rtsp://h/x', constructor: 1 }), /streams\.lab\.constructor is not a known setting/);
  t.end();
});
