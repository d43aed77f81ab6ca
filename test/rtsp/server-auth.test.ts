import t from 'tap';
import fc from 'fast-check';
import { ServerAuth } from '../../lib/rtsp/server/auth.js';
import { digestResponse } from '../../lib/rtsp/protocol/auth.js';
import { parseWwwAuthenticate } from '../../lib/rtsp/protocol/headers/authenticate.js';

function auth(now: { t: number }, extra: Partial<ConstructorParameters<typeof ServerAuth>[0]> = {}): ServerAuth {
  return new ServerAuth({ users: { alice: 'wonder land' }, realm: 'cam', methods: ['digest', 'basic'], now: () => now.t, ...extra });
}

function digestHeader(challenge: string, user: string, pass: string, method: string, uri: string, qop?: 'auth'): string {
  const [ch] = parseWwwAuthenticate(challenge);
  const alg = (ch.params.algorithm ?? 'MD5') as 'MD5' | 'SHA-256';
  const nc = '00000001';
  const cnonce = 'abc123';
  const response = digestResponse({ algorithm: alg, username: user, realm: ch.params.realm, password: pass, method, uri, nonce: ch.params.nonce, qop, nc, cnonce });
  let h = `Digest username="${user}", realm="${ch.params.realm}", nonce="${ch.params.nonce}", uri="${uri}", response="${response}", algorithm=${alg}`;
  if (qop) h += `, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
  return h;
}

t.test('challenges: Digest (qop=auth) then Basic, in the configured order', (t) => {
  const a = auth({ t: 0 });
  const c = a.challenges();
  t.equal(c.length, 2);
  const parsed = parseWwwAuthenticate(c);
  t.equal(parsed[0].scheme, 'Digest');
  t.equal(parsed[0].params.realm, 'cam');
  t.equal(parsed[0].params.qop, 'auth');
  t.equal(parsed[1].scheme, 'Basic');
  t.end();
});

t.test('Basic: right and wrong passwords, unknown users', (t) => {
  const a = auth({ t: 0 });
  const b = (s: string) => 'Basic ' + Buffer.from(s).toString('base64');
  t.equal(a.verify('DESCRIBE', b('alice:wonder land')), 'ok');
  t.equal(a.verify('DESCRIBE', b('alice:wonderland')), 'denied');
  t.equal(a.verify('DESCRIBE', b('bob:wonder land')), 'denied');
  t.equal(a.verify('DESCRIBE', undefined), 'missing');
  t.equal(a.verify('DESCRIBE', 'Basic !!!'), 'denied');
  const digestOnly = auth({ t: 0 }, { methods: ['digest'] });
  t.equal(digestOnly.verify('DESCRIBE', b('alice:wonder land')), 'denied', 'Basic refused when only Digest is offered');
  t.end();
});

t.test('Digest MD5 and SHA-256, with qop=auth and in the RFC 2069 form', (t) => {
  const now = { t: 1000 };
  for (const alg of ['MD5', 'SHA-256'] as const) {
    const a = auth(now, { digestAlgorithms: [alg] });
    const [ch] = a.challenges();
    const uri = 'rtsp://127.0.0.1:8554/demo/';
    t.equal(a.verify('DESCRIBE', digestHeader(ch, 'alice', 'wonder land', 'DESCRIBE', uri, 'auth')), 'ok', `${alg} qop=auth`);
    t.equal(a.verify('DESCRIBE', digestHeader(ch, 'alice', 'wonder land', 'DESCRIBE', uri)), 'ok', `${alg} without qop`);
    t.equal(a.verify('DESCRIBE', digestHeader(ch, 'alice', 'wrong', 'DESCRIBE', uri, 'auth')), 'denied', `${alg} wrong password`);
    t.equal(a.verify('SETUP', digestHeader(ch, 'alice', 'wonder land', 'DESCRIBE', uri, 'auth')), 'denied', `${alg} response for another method`);
  }
  t.end();
});

t.test('nonces: forged ones are denied, expired ones are stale (client retries silently)', (t) => {
  const now = { t: 1000 };
  const a = auth(now, { nonceLifetimeMs: 60_000 });
  const [ch] = a.challenges();
  const forged = ch.replace(/nonce="([0-9a-f]{12})[0-9a-f]{20}"/, 'nonce="$100000000000000000000"');
  t.equal(a.verify('PLAY', digestHeader(forged, 'alice', 'wonder land', 'PLAY', 'rtsp://h/demo/')), 'denied');
  const other = auth(now);
  t.equal(other.verify('PLAY', digestHeader(ch, 'alice', 'wonder land', 'PLAY', 'rtsp://h/demo/')), 'denied', 'another server instance did not issue it');
  now.t += 61_000;
  t.equal(a.verify('PLAY', digestHeader(ch, 'alice', 'wonder land', 'PLAY', 'rtsp://h/demo/')), 'stale');
  t.match(a.challenges(true)[0], /stale=TRUE/);
  t.end();
});

t.test('arbitrary Authorization values never throw', (t) => {
  const a = auth({ t: 0 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => ['ok', 'denied', 'missing', 'stale'].includes(a.verify('DESCRIBE', s))));
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => a.verify('DESCRIBE', 'Digest ' + s) === 'denied'));
  t.end();
});
