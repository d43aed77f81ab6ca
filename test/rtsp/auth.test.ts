import t from 'tap';
import fc from 'fast-check';
import { inspect } from 'node:util';
import { digestResponse, RtspAuthenticator, verifyAuthorization, basicAuthorization } from '../../lib/rtsp/protocol/auth.js';
import { parseAuthorization, parseWwwAuthenticate } from '../../lib/rtsp/protocol/headers/authenticate.js';

t.test('RFC 2617 3.5 worked example (MD5, qop=auth)', async (t) => {
  t.equal(
    digestResponse({
      algorithm: 'MD5', username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life', method: 'GET',
      uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    }),
    '6629fae49393a05397450978507c4ef1',
  );
});

t.test('RFC 7616 3.9.1 worked examples (MD5 and SHA-256)', async (t) => {
  const base = {
    username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: 'auth' as const, nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  t.equal(digestResponse({ ...base, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  t.equal(digestResponse({ ...base, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

t.test('RFC 2617 2 Basic example', async (t) => {
  t.equal(basicAuthorization({ username: 'Aladdin', password: 'open sesame' }), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
});

t.test('client picks the strongest challenge and echoes opaque; qop adds nc/cnonce', async (t) => {
  const a = new RtspAuthenticator({ username: 'admin', password: 'secret' }, { cnonce: () => 'c0ffee' });
  const chs = parseWwwAuthenticate([
    'Basic realm="cam"',
    'Digest realm="cam", nonce="n1", algorithm=MD5',
    'Digest realm="cam", nonce="n2", algorithm="SHA-256", qop="auth,auth-int", opaque="op"',
  ]);
  t.equal(a.onChallenge(chs, false), 'retry');
  t.equal(a.scheme, 'Digest SHA-256');
  const h1 = parseAuthorization(a.authorization('DESCRIBE', 'rtsp://cam/x?y=1')!);
  t.match(h1.params, { username: 'admin', realm: 'cam', nonce: 'n2', uri: 'rtsp://cam/x?y=1', algorithm: 'SHA-256', qop: 'auth', nc: '00000001', cnonce: 'c0ffee', opaque: 'op' });
  t.equal(h1.params.response, digestResponse({ algorithm: 'SHA-256', username: 'admin', realm: 'cam', password: 'secret', method: 'DESCRIBE', uri: 'rtsp://cam/x?y=1', nonce: 'n2', qop: 'auth', nc: '00000001', cnonce: 'c0ffee' }));
  t.equal(parseAuthorization(a.authorization('SETUP', 'rtsp://cam/x')!).params.nc, '00000002', 'nc counts up per nonce');
  t.ok(verifyAuthorization(a.authorization('PLAY', 'rtsp://cam/x'), 'PLAY', { username: 'admin', password: 'secret' }, { realm: 'cam', nonce: 'n2' }));
  t.notOk(verifyAuthorization(a.authorization('PLAY', 'rtsp://cam/x'), 'PLAY', { username: 'admin', password: 'wrong' }, { realm: 'cam', nonce: 'n2' }));
});

t.test('no qop (Axis, Hikvision, Dahua): RFC 2069 response, no nc', async (t) => {
  const a = new RtspAuthenticator({ username: 'root', password: 'pass' });
  a.onChallenge(parseWwwAuthenticate('Digest realm="AXIS_ACCC8E", nonce="0000002eY58", stale=FALSE'), false);
  const p = parseAuthorization(a.authorization('DESCRIBE', 'rtsp://cam/axis-media/media.amp')!).params;
  t.equal(p.nc, undefined);
  t.equal(p.qop, undefined);
  t.equal(p.response, digestResponse({ algorithm: 'MD5', username: 'root', realm: 'AXIS_ACCC8E', password: 'pass', method: 'DESCRIBE', uri: 'rtsp://cam/axis-media/media.amp', nonce: '0000002eY58' }));
});

t.test('wrong password is rejected; stale=true and a new nonce mid-session retry', async (t) => {
  const a = new RtspAuthenticator({ username: 'u', password: 'p' });
  const ch = parseWwwAuthenticate('Digest realm="r", nonce="n1"');
  t.equal(a.onChallenge(ch, false), 'retry');
  t.equal(a.onChallenge(ch, true), 'rejected', 'same nonce again after answering: wrong password');
  t.equal(a.onChallenge(parseWwwAuthenticate('Digest realm="r", nonce="n2", stale=true'), true), 'retry', 'stale');
  t.equal(a.onChallenge(parseWwwAuthenticate('Digest realm="r", nonce="n3"'), true), 'retry', 'Axis M5525: new nonce on keep-alive');
  const g = new RtspAuthenticator({ username: 'u', password: 'p' });
  g.onChallenge(parseWwwAuthenticate('Digest realm="r", nonce="a"'), false);
  t.equal(g.onChallenge(parseWwwAuthenticate('Digest realm="r", nonce="b"'), true, true), 'rejected', 'GStreamer: new nonce on every 401, but this was our retry');
  t.equal(g.onChallenge(parseWwwAuthenticate('Digest realm="r", nonce="c", stale=TRUE'), true, true), 'retry', 'stale retry is allowed');
  const b = new RtspAuthenticator({ username: 'u', password: 'p' });
  t.equal(b.onChallenge(parseWwwAuthenticate('Basic realm="r"'), false), 'retry');
  t.equal(b.onChallenge(parseWwwAuthenticate('Basic realm="r"'), true), 'rejected');
  t.equal(new RtspAuthenticator(undefined).onChallenge(ch, false), 'no-credentials');
  t.equal(new RtspAuthenticator({ username: 'u', password: 'p' }).onChallenge(parseWwwAuthenticate('NTLM, Negotiate'), false), 'unsupported');
});

t.test('credentials never show in inspect or JSON', async (t) => {
  const a = new RtspAuthenticator({ username: 'admin', password: 'hunter2' });
  a.onChallenge(parseWwwAuthenticate('Basic realm="r"'), false);
  t.notMatch(inspect(a, { depth: 5 }), /hunter2/);
  t.notMatch(JSON.stringify(a), /hunter2|admin/);
});

t.test('digest verify accepts exactly the right password (property)', async (t) => {
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.boolean(), fc.constantFrom('MD5', 'SHA-256'), (user, pass, other, qop, alg) => {
    const a = new RtspAuthenticator({ username: user, password: pass });
    a.onChallenge(parseWwwAuthenticate(`Digest realm="r", nonce="abc", algorithm=${alg}${qop ? ', qop="auth"' : ''}`), false);
    const h = a.authorization('PLAY', 'rtsp://h/s');
    t.ok(verifyAuthorization(h, 'PLAY', { username: user, password: pass }, { realm: 'r', nonce: 'abc' }));
    t.equal(verifyAuthorization(h, 'PLAY', { username: user, password: other }, { realm: 'r', nonce: 'abc' }), other === pass);
  }), { numRuns: 100 });
});
