import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsFailure, trustedCas } from '../../lib/rtsp/client/tls.js';
import { RtspClientError } from '../../lib/rtsp/client/errors.js';

const err = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`boom ${code}`), { code });

t.test('certificate verdicts become RTSP_TLS naming the reason and the remedy', async (t) => {
  const cases: [string, RegExp][] = [
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /self-signed/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /CA that is not trusted/],
    ['CERT_HAS_EXPIRED', /expired/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /another name/],
  ];
  for (const [code, reason] of cases) {
    const e = tlsFailure(err(code), true)!;
    t.equal(e.code, 'RTSP_TLS', code);
    t.match(e.message, reason);
    t.match(e.message, /rtsp\.tls\.ca/);
  }
  t.match(tlsFailure(err('ERR_SSL_WRONG_VERSION_NUMBER'), true)?.message, /does not speak TLS/);
  t.match(tlsFailure(err('ECONNRESET'), true)?.message, /during the TLS handshake/);
  t.equal(tlsFailure(err('ECONNRESET'), false), undefined, 'a reset after the handshake is an ordinary connection failure');
  t.equal(tlsFailure(err('ECONNREFUSED'), true), undefined, 'refusal stays RTSP_CONNECTION_REFUSED');
});

t.test('any error code: undefined or an RTSP_TLS error without a stack in its message', async (t) => {
  fc.assert(fc.property(fc.string(), fc.boolean(), (code, handshaking) => {
    const e = tlsFailure(err(code), handshaking);
    return e === undefined || (e instanceof RtspClientError && e.code === 'RTSP_TLS' && !/\n\s+at /.test(e.message));
  }));
});

t.test('the ca file: added to the system trust, read at every call, typed errors when unusable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-ca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = trustedCas(undefined);
  t.ok(base.length > 100, 'Node roots (and the system bundle when present)');
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  t.same(trustedCas(pem).slice(0, base.length), base);
  t.equal(trustedCas(pem).length, base.length + 1);
  t.throws(() => trustedCas(join(dir, 'missing.pem')), { code: 'RTSP_TLS', message: /cannot read the CA file/ });
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
  t.throws(() => trustedCas(join(dir, 'junk.pem')), { code: 'RTSP_TLS', message: /no PEM certificate/ });
});
