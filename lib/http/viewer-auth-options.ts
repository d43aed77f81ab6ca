/** Per-viewer authorization settings: `http.jwt` and `http.authHook`. */
export interface JwtOptions {
  /** HS256 shared secret (at least 8 characters). */
  secret?: string;
  /** PEM public key (RS256 or ES256). */
  publicKey?: string;
  /** Algorithms accepted (default: HS256 with a secret; RS256 and ES256 with a public key, as its type allows). */
  algorithms?: string[];
  /** Clock skew allowed on exp and nbf (default 30 s). */
  leewaySeconds?: number;
  /** Longer tokens are refused before any parsing (default 8192 bytes). */
  maxTokenBytes?: number;
}

export interface AuthHookOptions {
  /** camwire POSTs {stream, ip, token, action} here and admits on 2xx. */
  url: string;
  /** No answer within this long refuses (default 2000 ms). */
  timeoutMs?: number;
  /** Answers are remembered this long per (stream, ip, token, action) (default 10000 ms). */
  cacheMs?: number;
  /** Answers remembered at most (default 1000; the oldest go first). */
  maxCacheEntries?: number;
}

export interface ViewerAuthOptions {
  jwt?: JwtOptions;
  authHook?: AuthHookOptions;
}

export const VIEWER_AUTH_DEFAULTS = Object.freeze({
  jwt: Object.freeze({ leewaySeconds: 30, maxTokenBytes: 8192 }),
  authHook: Object.freeze({ timeoutMs: 2000, cacheMs: 10_000, maxCacheEntries: 1000 }),
});
