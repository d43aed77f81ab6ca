/**
 * Per-viewer authorization: who may watch which stream. With `http.jwt`, a token (bearer
 * header, or `?token=` on the player page) must be a valid JWT (lib/http/jwt.ts) whose
 * `streams` claim (a name or glob, or a list of them; absent: every stream) covers the
 * stream: no token, a bad or expired one -> 401, a good one for other streams -> 403. With
 * `http.authHook`, camwire POSTs {stream, ip, token, action} to its URL and admits on 2xx;
 * answers are cached for cacheMs in a bounded map (oldest dropped first), and a hook that
 * does not answer in time refuses with 503 (not cached). With both, both must admit.
 * `authorize` is what every viewer route calls (WHEP, the player page, the WebSocket route).
 */
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../clock.js';
import { createJwtVerifier, JwtError, type JwtVerifier } from './jwt.js';
import { VIEWER_AUTH_DEFAULTS, type AuthHookOptions, type ViewerAuthOptions } from './viewer-auth-options.js';

export type ViewerAuthAction = 'read' | 'playback';

export type ViewerAuthResult =
  | { ok: true }
  | { ok: false; status: 401 | 403 | 503; code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'AUTH_HOOK_UNAVAILABLE'; reason: string };

export interface ViewerAuthorizer {
  /** False when neither jwt nor authHook is configured: viewer routes keep the static http.token check. */
  readonly enabled: boolean;
  authorize(req: IncomingMessage, url: URL, stream: string, action?: ViewerAuthAction): Promise<ViewerAuthResult>;
}

/** The POST to the hook; replaceable in tests. Resolves to the HTTP status, rejects when there was none. */
export type HookPost = (url: string, body: string, timeoutMs: number) => Promise<number>;

const defaultHookPost: HookPost = async (url, body, timeoutMs) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  await r.body?.cancel();
  return r.status;
};

/** The viewer's token: `Authorization: Bearer ...`, else `?token=` (a link to the player). */
export function viewerToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization ?? '';
  if (/^bearer /i.test(auth)) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? undefined;
}

export function createViewerAuthorizer(o: ViewerAuthOptions, clock: Clock, post: HookPost = defaultHookPost): ViewerAuthorizer {
  const jwt = o.jwt ? createJwtVerifier(o.jwt) : undefined;
  const hook = o.authHook ? hookCheck(o.authHook, clock, post) : undefined;
  return {
    enabled: jwt !== undefined || hook !== undefined,
    async authorize(req, url, stream, action = 'read') {
      const token = viewerToken(req, url);
      if (jwt) {
        const r = checkJwt(jwt, token, stream, Math.floor(clock.wallClock() / 1000));
        if (!r.ok) return r;
      }
      if (hook) return hook({ stream, ip: req.socket.remoteAddress ?? '', token: token ?? '', action });
      return { ok: true };
    },
  };
}

function checkJwt(jwt: JwtVerifier, token: string | undefined, stream: string, nowS: number): ViewerAuthResult {
  if (token === undefined || token === '') return { ok: false, status: 401, code: 'UNAUTHORIZED', reason: 'no token' };
  let claims;
  try {
    claims = jwt.verify(token, nowS);
  } catch (err) {
    return { ok: false, status: 401, code: 'UNAUTHORIZED', reason: err instanceof JwtError ? err.code : 'JWT_MALFORMED' };
  }
  const allowed = claims.streams;
  if (allowed === undefined) return { ok: true };
  const patterns = typeof allowed === 'string' ? [allowed] : Array.isArray(allowed) ? allowed.filter((x): x is string => typeof x === 'string') : [];
  if (patterns.some((p) => globMatch(p, stream))) return { ok: true };
  return { ok: false, status: 403, code: 'FORBIDDEN', reason: 'token not for this stream' };
}

/** `*` matches any run of characters, `?` one; nothing else is special. */
export function globMatch(pattern: string, name: string): boolean {
  if (pattern.length > 256) return false;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

interface HookQuery {
  stream: string;
  ip: string;
  token: string;
  action: ViewerAuthAction;
}

function hookCheck(o: AuthHookOptions, clock: Clock, post: HookPost): (q: HookQuery) => Promise<ViewerAuthResult> {
  const d = VIEWER_AUTH_DEFAULTS.authHook;
  const timeoutMs = o.timeoutMs ?? d.timeoutMs;
  const cacheMs = o.cacheMs ?? d.cacheMs;
  const maxEntries = o.maxCacheEntries ?? d.maxCacheEntries;
  const cache = new Map<string, { ok: boolean; until: number }>();
  return async (q) => {
    const key = JSON.stringify([q.stream, q.ip, q.token, q.action]);
    const now = clock.now();
    const hit = cache.get(key);
    let ok: boolean;
    if (hit && hit.until > now) ok = hit.ok;
    else {
      let status: number;
      try {
        status = await post(o.url, JSON.stringify(q), timeoutMs);
      } catch {
        return { ok: false, status: 503, code: 'AUTH_HOOK_UNAVAILABLE', reason: 'the auth hook did not answer' };
      }
      ok = status >= 200 && status < 300;
      cache.delete(key);
      cache.set(key, { ok, until: clock.now() + cacheMs });
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    }
    if (ok) return { ok: true };
    return q.token === '' ? { ok: false, status: 401, code: 'UNAUTHORIZED', reason: 'refused by the auth hook' } : { ok: false, status: 403, code: 'FORBIDDEN', reason: 'refused by the auth hook' };
  };
}
