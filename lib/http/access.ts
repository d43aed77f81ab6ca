/**
 * Who may use the HTTP API: an optional bearer token or basic-auth pair for every route (the
 * player, WHEP, the API, metrics), and which browser origins may call it (CORS). Secrets are
 * compared in constant time, on digests so their length does not leak either.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface AccessOptions {
  /** Require `Authorization: Bearer <token>` (or `?token=<token>`, for a link to the player). */
  token?: string;
  /** Require HTTP basic auth with this user and password (browsers prompt for it). */
  basicAuth?: { user: string; password: string };
  /** Access-Control-Allow-Origin: '*' (default), one origin, or a list (the request's origin is echoed when listed). */
  corsOrigin?: string | string[];
}

/** No token and no basic auth unless configured: the API is open. */
export const ACCESS_DEFAULTS = Object.freeze({
  corsOrigin: '*',
} as const satisfies Required<Pick<AccessOptions, 'corsOrigin'>>);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

export class AccessControl {
  private readonly token: Buffer | undefined;
  private readonly basic: Buffer | undefined;
  private readonly origins: readonly string[];

  constructor(o: AccessOptions = {}) {
    this.token = o.token !== undefined ? digest(o.token) : undefined;
    this.basic = o.basicAuth ? digest(`${o.basicAuth.user}:${o.basicAuth.password}`) : undefined;
    const c = o.corsOrigin ?? ACCESS_DEFAULTS.corsOrigin;
    this.origins = Array.isArray(c) ? c : [c];
  }

  get required(): boolean {
    return this.token !== undefined || this.basic !== undefined;
  }

  /** True when no credential is configured, or the request carries a right one. */
  allows(req: IncomingMessage, url: URL): boolean {
    if (!this.required) return true;
    const auth = req.headers.authorization ?? '';
    const space = auth.indexOf(' ');
    const scheme = space > 0 ? auth.slice(0, space).toLowerCase() : '';
    const value = space > 0 ? auth.slice(space + 1).trim() : '';
    if (this.token) {
      if (scheme === 'bearer' && sameSecret(value, this.token)) return true;
      const q = url.searchParams.get('token');
      if (q !== null && sameSecret(q, this.token)) return true;
    }
    if (this.basic && scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      if (sameSecret(decoded, this.basic)) return true;
    }
    return false;
  }

  /** The WWW-Authenticate challenge for a 401. */
  challenge(): string {
    return this.basic ? 'Basic realm="camwire", charset="UTF-8"' : 'Bearer realm="camwire"';
  }

  /** Access-Control-Allow-Origin for this request, or undefined to send none. */
  allowOrigin(req: IncomingMessage): string | undefined {
    if (this.origins.includes('*')) return '*';
    const origin = req.headers.origin;
    return origin !== undefined && this.origins.includes(origin) ? origin : undefined;
  }
}
