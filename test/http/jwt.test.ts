import t from 'tap';
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { createJwtVerifier, JwtError } from '../../lib/http/jwt.js';
import { globMatch } from '../../lib/http/viewer-auth.js';
import { signJwt } from '../support/jwt-sign.js';

const SECRET = 'a-long-shared-secret';
const NOW = 1_800_000_000;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: typeof rsa.publicKey) => k.export({ type: 'spki', format: 'pem' }) as string;

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return err instanceof JwtError ? err.code : `untyped ${String(err)}`;
  }
};

t.test('HS256: valid, expired, not yet valid (with leeway), forged, wrong secret, none, oversized', (t) => {
  const v = createJwtVerifier({ secret: SECRET, leewaySeconds: 30 });
  t.same(v.verify(signJwt({ sub: 'a', exp: NOW + 60 }, 'HS256', SECRET), NOW), { sub: 'a', exp: NOW + 60 });
  t.equal(code(() => v.verify(signJwt({ exp: NOW - 10 }, 'HS256', SECRET), NOW)), 'accepted', 'within the leeway');
  t.equal(code(() => v.verify(signJwt({ exp: NOW - 31 }, 'HS256', SECRET), NOW)), 'JWT_EXPIRED');
  t.equal(code(() => v.verify(signJwt({ nbf: NOW + 31 }, 'HS256', SECRET), NOW)), 'JWT_NOT_YET_VALID');
  t.equal(code(() => v.verify(signJwt({ exp: 'soon' }, 'HS256', SECRET), NOW)), 'JWT_EXPIRED', 'a non-numeric exp is no exp');
  t.equal(code(() => v.verify(signJwt({ sub: 'a' }, 'HS256', 'another-secret'), NOW)), 'JWT_SIGNATURE');
  const good = signJwt({ streams: ['a'] }, 'HS256', SECRET).split('.');
  const forged = [good[0], Buffer.from(JSON.stringify({ streams: ['*'] })).toString('base64url'), good[2]].join('.');
  t.equal(code(() => v.verify(forged, NOW)), 'JWT_SIGNATURE', 'claims changed after signing');
  t.equal(code(() => v.verify(signJwt({ sub: 'a' }, 'none'), NOW)), 'JWT_ALGORITHM', 'alg none');
  t.equal(code(() => v.verify(signJwt({ sub: 'a' }, 'HS256', SECRET, { alg: 'HS512' }), NOW)), 'JWT_ALGORITHM');
  t.equal(code(() => v.verify(signJwt({ pad: 'x'.repeat(9000) }, 'HS256', SECRET), NOW)), 'JWT_TOO_LARGE');
  for (const bad of ['', 'a.b', 'a.b.c.d', '!!!.e30.x', 'e30..x', 'bm90IGpzb24.e30.x', 'W10.e30.x']) {
    t.equal(code(() => v.verify(bad, NOW)), 'JWT_MALFORMED', `malformed: ${JSON.stringify(bad)}`);
  }
  t.end();
});

t.test('RS256 and ES256 with a public key; the HS256-with-the-public-key confusion is refused', (t) => {
  const r = createJwtVerifier({ publicKey: pem(rsa.publicKey) });
  t.equal(code(() => r.verify(signJwt({ exp: NOW + 60 }, 'RS256', rsa.privateKey), NOW)), 'accepted');
  t.equal(code(() => r.verify(signJwt({ exp: NOW + 60 }, 'RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey), NOW)), 'JWT_SIGNATURE', 'wrong key');
  t.equal(code(() => r.verify(signJwt({}, 'HS256', pem(rsa.publicKey)), NOW)), 'JWT_ALGORITHM', 'HS256 signed with the public key');
  t.equal(code(() => r.verify(signJwt({}, 'ES256', ec.privateKey), NOW)), 'JWT_ALGORITHM', 'ES256 against an RSA key');
  const e = createJwtVerifier({ publicKey: pem(ec.publicKey) });
  t.equal(code(() => e.verify(signJwt({ exp: NOW + 60 }, 'ES256', ec.privateKey), NOW)), 'accepted');
  t.equal(code(() => e.verify(signJwt({ exp: NOW + 60 }, 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), NOW)), 'JWT_SIGNATURE');
  t.end();
});

t.test('property: any change to a signed token is refused with a typed code, never a crash', (t) => {
  const v = createJwtVerifier({ secret: SECRET });
  const token = signJwt({ streams: ['lecture-*'], exp: NOW + 600 }, 'HS256', SECRET);
  fc.assert(
    fc.property(fc.nat({ max: token.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (at, ch) => {
      const changed = token.slice(0, at) + ch + token.slice(at + 1);
      const c = code(() => v.verify(changed, NOW));
      // base64url's last character can carry unused bits: flipping those changes no byte
      return changed === token || c.startsWith('JWT_') || (c === 'accepted' && Buffer.from(changed.split('.')[2] ?? '', 'base64url').equals(Buffer.from(token.split('.')[2], 'base64url')) && changed.split('.')[0] === token.split('.')[0] && changed.split('.')[1] === token.split('.')[1]);
    }),
    { numRuns: 500 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => code(() => v.verify(s, NOW)).startsWith('JWT_')));
  t.end();
});

t.test('stream globs', (t) => {
  t.ok(globMatch('lecture-*', 'lecture-101'));
  t.ok(globMatch('*', 'x'));
  t.notOk(globMatch('lecture-*', 'lab-1'));
  t.notOk(globMatch('lab', 'lab2'));
  t.ok(globMatch('a.b?', 'a.bc'));
  t.notOk(globMatch('a.b', 'axb'), 'a dot is a dot');
  t.end();
});
