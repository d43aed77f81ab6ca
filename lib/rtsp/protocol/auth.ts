/**
 * RTSP authentication (RFC 2617, RFC 7616): Basic and Digest with MD5, SHA-256 and their
 * -sess variants, with or without qop=auth, opaque echoed, stale=true re-challenges.
 * The client side picks the strongest offered challenge (SHA-256 Digest, MD5 Digest, Basic).
 * Credentials live only in this object and never reach logs, errors or JSON.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseAuthorization, serializeAuthParams, type AuthChallenge } from './headers/authenticate.js';
import type { Credentials } from './url.js';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** `auth` or absent (RFC 2069 compatibility, what most cameras send). */
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

function hash(alg: DigestAlgorithm, s: string): string {
  return createHash(alg.startsWith('SHA-256') ? 'sha256' : 'md5').update(s, 'utf8').digest('hex');
}

/** The `response` value of a Digest Authorization (RFC 7616 3.4.1). */
export function digestResponse(d: DigestInput): string {
  let ha1 = hash(d.algorithm, `${d.username}:${d.realm}:${d.password}`);
  if (d.algorithm.endsWith('-sess')) ha1 = hash(d.algorithm, `${ha1}:${d.nonce}:${d.cnonce ?? ''}`);
  const ha2 = hash(d.algorithm, `${d.method}:${d.uri}`);
  return d.qop
    ? hash(d.algorithm, `${ha1}:${d.nonce}:${d.nc ?? '00000001'}:${d.cnonce ?? ''}:${d.qop}:${ha2}`)
    : hash(d.algorithm, `${ha1}:${d.nonce}:${ha2}`);
}

export function basicAuthorization(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64');
}

function algorithmOf(ch: AuthChallenge): DigestAlgorithm | undefined {
  const a = (ch.params.algorithm ?? 'MD5').toUpperCase();
  if (a === 'MD5') return 'MD5';
  if (a === 'MD5-SESS') return 'MD5-sess';
  if (a === 'SHA-256') return 'SHA-256';
  if (a === 'SHA-256-SESS') return 'SHA-256-sess';
  return undefined;
}

function rank(ch: AuthChallenge): number {
  const scheme = ch.scheme.toLowerCase();
  if (scheme === 'basic') return 1;
  if (scheme !== 'digest' || !ch.params.nonce) return 0;
  const alg = algorithmOf(ch);
  return alg === undefined ? 0 : alg.startsWith('SHA-256') ? 3 : 2;
}

export interface AuthenticatorOptions {
  /** cnonce source, injectable for tests. Default: 16 random bytes in hex. */
  cnonce?: () => string;
}

/** What a 401 means for the request that got it. */
export type ChallengeOutcome = 'retry' | 'rejected' | 'unsupported' | 'no-credentials';

export class RtspAuthenticator {
  private challenge: AuthChallenge | undefined;
  private nc = 0;
  private readonly cnonce: () => string;

  constructor(private readonly credentials: Credentials | undefined, opts: AuthenticatorOptions = {}) {
    this.cnonce = opts.cnonce ?? (() => randomBytes(16).toString('hex'));
  }

  get hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /** The scheme in use (`Digest SHA-256`, `Basic`), for reports. */
  get scheme(): string | undefined {
    if (!this.challenge) return undefined;
    return this.challenge.scheme.toLowerCase() === 'basic' ? 'Basic' : `Digest ${algorithmOf(this.challenge)}`;
  }

  /**
   * Takes the challenges of a 401. `retry` when the request should be sent again with new
   * credentials: the first challenge, a new nonce (stale=true, or a keep-alive re-challenged
   * mid-session) — `rejected` when the same challenge comes back after we answered it, or any
   * non-stale challenge answers a request we already retried: the password is wrong.
   * `answeredBefore`: the request carried Authorization; `retried`: it is already a retry.
   */
  onChallenge(challenges: readonly AuthChallenge[], answeredBefore: boolean, retried = false): ChallengeOutcome {
    if (!this.credentials) return 'no-credentials';
    let best: AuthChallenge | undefined;
    for (const ch of challenges) if (rank(ch) > 0 && (!best || rank(ch) > rank(best))) best = ch;
    if (!best) return 'unsupported';
    const stale = (best.params.stale ?? '').toLowerCase() === 'true';
    const prev = this.challenge;
    const sameNonce = prev !== undefined && prev.scheme.toLowerCase() === best.scheme.toLowerCase() && prev.params.nonce === best.params.nonce;
    this.challenge = best;
    if (!sameNonce) this.nc = 0;
    if (retried && !stale) return 'rejected'; // servers that change the nonce on every 401 (GStreamer)
    if (answeredBefore && !stale && (sameNonce || best.scheme.toLowerCase() === 'basic')) return 'rejected';
    return 'retry';
  }

  /** Authorization header value for a request, or undefined before any challenge. */
  authorization(method: string, uri: string): string | undefined {
    const ch = this.challenge;
    const c = this.credentials;
    if (!ch || !c) return undefined;
    if (ch.scheme.toLowerCase() === 'basic') return basicAuthorization(c);
    const algorithm = algorithmOf(ch)!;
    const qops = (ch.params.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
    const qop = qops.includes('auth') ? ('auth' as const) : undefined;
    const realm = ch.params.realm ?? '';
    const nonce = ch.params.nonce ?? '';
    let nc: string | undefined;
    let cnonce: string | undefined;
    if (qop || algorithm.endsWith('-sess')) {
      this.nc++;
      nc = this.nc.toString(16).padStart(8, '0');
      cnonce = this.cnonce();
    }
    const response = digestResponse({ algorithm, username: c.username, realm, password: c.password, method, uri, nonce, qop, nc, cnonce });
    return serializeAuthParams(
      'Digest',
      {
        username: c.username,
        realm,
        nonce,
        uri,
        response,
        algorithm: ch.params.algorithm !== undefined ? algorithm : undefined,
        qop,
        nc: qop ? nc : undefined,
        cnonce,
        opaque: ch.params.opaque,
      },
      ['algorithm', 'qop', 'nc'],
    );
  }

  toJSON(): object {
    return { scheme: this.scheme, credentials: this.credentials ? '***' : undefined };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RtspAuthenticator(${this.scheme ?? 'none'})`;
  }
}

/** Server side: checks an Authorization header against one user's password. */
export function verifyAuthorization(
  header: string | undefined,
  method: string,
  user: Credentials,
  expect: { realm: string; nonce?: string },
): boolean {
  if (!header) return false;
  let cred: AuthChallenge;
  try {
    cred = parseAuthorization(header);
  } catch {
    return false;
  }
  const scheme = cred.scheme.toLowerCase();
  if (scheme === 'basic') {
    return cred.token68 !== undefined && safeEqual(Buffer.from(cred.token68, 'base64').toString('utf8'), `${user.username}:${user.password}`);
  }
  if (scheme !== 'digest') return false;
  const p = cred.params;
  const algorithm = algorithmOf(cred);
  if (!algorithm || p.username !== user.username || p.realm !== expect.realm || !p.uri || !p.response || !p.nonce) return false;
  if (expect.nonce !== undefined && p.nonce !== expect.nonce) return false;
  const qop = p.qop?.toLowerCase() === 'auth' ? ('auth' as const) : undefined;
  const want = digestResponse({
    algorithm, username: user.username, realm: expect.realm, password: user.password, method, uri: p.uri, nonce: p.nonce, qop, nc: p.nc, cnonce: p.cnonce,
  });
  return safeEqual(want, p.response.toLowerCase());
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
