/**
 * Server side of RTSP authentication (RFC 2617 / RFC 7616 as RTSP uses them): issues
 * Basic and Digest challenges and checks Authorization headers. Nonces are stateless
 * (issue time + HMAC under a per-server secret), so the server keeps no per-client memory
 * to bound; an expired nonce is answered with `stale=true` so clients retry silently.
 * Digest responses are accepted with qop=auth and in the RFC 2069 form without qop
 * (GStreamer's rtspsrc sends the latter). The header grammar and the digest computation
 * are the client's (headers/authenticate.ts, auth.ts). Credentials are never logged.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { digestResponse } from '../protocol/auth.js';
import { parseAuthorization, type AuthChallenge } from '../protocol/headers/authenticate.js';

export type AuthMethod = 'basic' | 'digest';
export type DigestAlgorithm = 'MD5' | 'SHA-256';

export interface ServerAuthOptions {
  /** user -> password. */
  users: Record<string, string>;
  /** Default 'camwire'. */
  realm?: string;
  /** Challenges offered, in order. Default ['digest']. */
  methods?: readonly AuthMethod[];
  /** Digest algorithms offered. Default ['MD5'] (ffmpeg and GStreamer know only MD5). */
  digestAlgorithms?: readonly DigestAlgorithm[];
  /** Offer qop="auth". Default true. */
  qop?: boolean;
  /** A nonce older than this is stale. Default 300000 ms. */
  nonceLifetimeMs?: number;
  now: () => number;
}

/** `users` has no default: without it there is nothing to authenticate. */
export const SERVER_AUTH_DEFAULTS = Object.freeze({
  realm: 'camwire',
  methods: Object.freeze(['digest'] as const),
  digestAlgorithms: Object.freeze(['MD5'] as const),
  qop: true,
  nonceLifetimeMs: 300_000,
} as const satisfies Required<Omit<ServerAuthOptions, 'users' | 'now'>>);

export type AuthResult = 'ok' | 'missing' | 'denied' | 'stale';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ServerAuth {
  readonly realm: string;
  private readonly users: ReadonlyMap<string, string>;
  private readonly methods: readonly AuthMethod[];
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly qop: boolean;
  private readonly nonceLifetimeMs: number;
  private readonly now: () => number;
  private readonly secret = randomBytes(32);

  constructor(opts: ServerAuthOptions) {
    this.users = new Map(Object.entries(opts.users));
    this.realm = opts.realm ?? SERVER_AUTH_DEFAULTS.realm;
    this.methods = opts.methods ?? SERVER_AUTH_DEFAULTS.methods;
    this.algorithms = opts.digestAlgorithms ?? SERVER_AUTH_DEFAULTS.digestAlgorithms;
    this.qop = opts.qop ?? SERVER_AUTH_DEFAULTS.qop;
    this.nonceLifetimeMs = opts.nonceLifetimeMs ?? SERVER_AUTH_DEFAULTS.nonceLifetimeMs;
    this.now = opts.now;
  }

  /** WWW-Authenticate values for a 401 (one header each). */
  challenges(stale = false): string[] {
    const out: string[] = [];
    for (const m of this.methods) {
      if (m === 'basic') {
        out.push(`Basic realm="${this.realm}"`);
        continue;
      }
      const nonce = this.makeNonce();
      for (const alg of this.algorithms) {
        let c = `Digest realm="${this.realm}", nonce="${nonce}", algorithm=${alg}`;
        if (this.qop) c += ', qop="auth"';
        if (stale) c += ', stale=TRUE';
        out.push(c);
      }
    }
    return out;
  }

  /** Checks the Authorization header of a request. */
  verify(method: string, authorization: string | undefined): AuthResult {
    if (!authorization) return 'missing';
    let cred: AuthChallenge;
    try {
      cred = parseAuthorization(authorization);
    } catch {
      return 'denied';
    }
    const scheme = cred.scheme.toLowerCase();
    if (scheme === 'basic' && this.methods.includes('basic')) return this.verifyBasic(cred.token68 ?? '');
    if (scheme === 'digest' && this.methods.includes('digest')) return this.verifyDigest(method, cred.params);
    return 'denied';
  }

  private verifyBasic(token: string): AuthResult {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'denied';
    const pass = this.users.get(decoded.slice(0, colon));
    return pass !== undefined && safeEqual(pass, decoded.slice(colon + 1)) ? 'ok' : 'denied';
  }

  private verifyDigest(method: string, p: Record<string, string>): AuthResult {
    const { username, nonce, uri, response } = p;
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) return 'denied';
    if (p.realm !== this.realm) return 'denied';
    const algorithm = (p.algorithm ?? 'MD5').toUpperCase() as DigestAlgorithm;
    if (!this.algorithms.includes(algorithm)) return 'denied';
    const password = this.users.get(username);
    if (password === undefined) return 'denied';
    const qop = p.qop?.toLowerCase();
    if (qop !== undefined && (qop !== 'auth' || p.nc === undefined || p.cnonce === undefined)) return 'denied';
    const expected = digestResponse({
      algorithm, username, realm: this.realm, password, method, uri, nonce, qop: qop === 'auth' ? 'auth' : undefined, nc: p.nc, cnonce: p.cnonce,
    });
    if (!safeEqual(expected, response.toLowerCase())) return 'denied';
    const age = this.nonceAge(nonce);
    if (age === undefined) return 'denied';
    return age > this.nonceLifetimeMs ? 'stale' : 'ok';
  }

  private makeNonce(): string {
    const issued = Math.floor(this.now()).toString(16).padStart(12, '0');
    return issued + this.mac(issued);
  }

  private mac(issued: string): string {
    return createHmac('sha256', this.secret).update(issued).digest('hex').slice(0, 20);
  }

  /** Age of a nonce this server issued, or undefined for a forged or foreign one. */
  private nonceAge(nonce: string): number | undefined {
    if (nonce.length !== 32) return undefined;
    const issued = nonce.slice(0, 12);
    if (!safeEqual(this.mac(issued), nonce.slice(12))) return undefined;
    const t = parseInt(issued, 16);
    return Number.isFinite(t) ? this.now() - t : undefined;
  }
}
