/**
 * Which served stream and track a request URL names. Clients send absolute URLs
 * (`rtsp://host:port/demo/trackID=0`, sometimes with a query string or a trailing slash) or,
 * rarely, just the path. The longest registered path that the URL's path equals or starts
 * with (followed by `/`) wins; what follows it is the track control.
 */

/** The video track's control URL suffix every served stream announces. */
export const TRACK_CONTROL = 'trackID=0';
/** The audio track's control URL suffix, on paths that serve one. */
export const AUDIO_TRACK_CONTROL = 'trackID=1';

export interface ResolvedUrl {
  path: string;
  /** Text after the path ('' for the aggregate URL). */
  control: string;
  /** `rtsp://host:port/path/`, for Content-Base and RTP-Info. */
  base: string;
}

/** `/demo`, `demo/`, `/a//b` -> `/demo`, `/demo`, `/a/b`; the root is `/`. */
export function normalizePath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return '/' + parts.join('/');
}

/** The origin (`rtsp://host:port`) and path (no query) of a request URL. */
export function splitRequestUrl(url: string, fallbackOrigin: string): { origin: string; path: string } {
  let rest = url;
  let origin = fallbackOrigin;
  const m = /^(rtsps?:\/\/)([^/?#]*)/i.exec(url);
  if (m) {
    const authority = m[2].slice(m[2].lastIndexOf('@') + 1); // never echo credentials back
    origin = m[1].toLowerCase() + authority;
    rest = url.slice(m[0].length);
  } else if (!url.startsWith('/')) {
    rest = '/' + url;
  }
  const q = rest.search(/[?#]/);
  if (q >= 0) rest = rest.slice(0, q);
  return { origin, path: rest };
}

export function resolveRequestUrl(url: string, paths: Iterable<string>, fallbackOrigin: string): ResolvedUrl | undefined {
  const { origin, path } = splitRequestUrl(url, fallbackOrigin);
  const wanted = normalizePath(path);
  let best: string | undefined;
  for (const p of paths) {
    const match = wanted === p || (p === '/' ? true : wanted.startsWith(p + '/'));
    if (match && (best === undefined || p.length > best.length)) best = p;
  }
  if (best === undefined) return undefined;
  const control = best === '/' ? wanted.slice(1) : wanted.slice(best.length + 1);
  return { path: best, control, base: origin + (best === '/' ? '/' : best + '/') };
}
