/**
 * JSON Web Token verification (RFC 7519, compact JWS) with node:crypto only: HS256 with a
 * shared secret, RS256 and ES256 with a PEM public key. What is refused, each with a typed
 * code: more than maxTokenBytes (before any decoding), not three base64url parts, a header
 * that is not JSON or names an algorithm the key is not for (`none` always; HS256 against a
 * public key, the classic confusion attack), a bad signature, `exp` passed or `nbf` not yet
 * reached beyond the leeway, claims that are not a JSON object.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import { CamwireError } from '../errors.js';
import { VIEWER_AUTH_DEFAULTS, type JwtOptions } from './viewer-auth-options.js';

export type JwtErrorCode = 'JWT_MALFORMED' | 'JWT_TOO_LARGE' | 'JWT_ALGORITHM' | 'JWT_SIGNATURE' | 'JWT_EXPIRED' | 'JWT_NOT_YET_VALID';

export class JwtError extends CamwireError {
  declare readonly code: JwtErrorCode;
  constructor(code: JwtErrorCode, message: string) {
    super(code, message);
  }
}

export type JwtClaims = Record<string, unknown>;

export interface JwtVerifier {
  /** The token's claims when it is valid at `nowSeconds`; throws JwtError otherwise. */
  verify(token: string, nowSeconds: number): JwtClaims;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function createJwtVerifier(o: JwtOptions): JwtVerifier {
  const leeway = o.leewaySeconds ?? VIEWER_AUTH_DEFAULTS.jwt.leewaySeconds;
  const maxBytes = o.maxTokenBytes ?? VIEWER_AUTH_DEFAULTS.jwt.maxTokenBytes;
  const hmacKey = o.secret !== undefined ? Buffer.from(o.secret, 'utf8') : undefined;
  const publicKey: KeyObject | undefined = o.publicKey !== undefined ? createPublicKey(o.publicKey) : undefined;
  const keyAlg = publicKey ? (publicKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256') : 'HS256';
  const allowed = new Set((o.algorithms ?? [keyAlg]).filter((a) => a === keyAlg));
  return {
    verify(token, nowSeconds) {
      if (token.length > maxBytes) throw new JwtError('JWT_TOO_LARGE', `token longer than ${maxBytes} bytes`);
      const parts = token.split('.');
      if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || parts[0] === '' || parts[1] === '') {
        throw new JwtError('JWT_MALFORMED', 'not a compact JWT (three base64url parts)');
      }
      const header = decodeJson(parts[0], 'header');
      if (typeof header.alg !== 'string' || !allowed.has(header.alg)) throw new JwtError('JWT_ALGORITHM', `algorithm ${String(header.alg)} not accepted`);
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
      const signature = Buffer.from(parts[2], 'base64url');
      if (!signatureValid(header.alg, signed, signature, hmacKey, publicKey)) throw new JwtError('JWT_SIGNATURE', 'bad signature');
      const claims = decodeJson(parts[1], 'claims');
      if (claims.exp !== undefined && (typeof claims.exp !== 'number' || nowSeconds > claims.exp + leeway)) throw new JwtError('JWT_EXPIRED', 'token expired');
      if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowSeconds < claims.nbf - leeway)) throw new JwtError('JWT_NOT_YET_VALID', 'token not valid yet');
      return claims;
    },
  };
}

function signatureValid(alg: string, signed: Buffer, signature: Buffer, hmacKey: Buffer | undefined, publicKey: KeyObject | undefined): boolean {
  if (alg === 'HS256') {
    if (!hmacKey) return false;
    const expected = createHmac('sha256', hmacKey).update(signed).digest();
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
  if (!publicKey) return false;
  try {
    // ES256 signatures in a JWT are r||s (64 bytes), not DER
    return verifySignature('sha256', signed, alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey, signature);
  } catch {
    return false;
  }
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('JWT_MALFORMED', `the ${what} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JwtError('JWT_MALFORMED', `the ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}
