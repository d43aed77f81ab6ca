/**
 * RTSP URLs as cameras expect them: credentials split off (and never shown), the base URL
 * from Content-Base / Content-Location / the request URL, and SDP control attributes joined
 * to it the way live555, FFmpeg and cameras do (string concatenation, query strings kept).
 */
import type { RtspHeaders } from './header-map.js';
import { RtspParseError } from './errors.js';

export interface Credentials {
  username: string;
  password: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/*
 * Where credentials end: at the LAST `@` of the URL, not the first and not only within the
 * authority. Users paste camera passwords as they are (`rtsp://admin:p@ss/w0rd@cam/x`), so
 * an `@`, `/`, `?` or `#` inside the password must not end it early: the remainder would
 * become the host or the path and show up in logs, errors and /api/streams. The price is that
 * an `@` in a camera's path or query must be written `%40`; no camera we know uses one.
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([\s\S]*)@([\s\S]*)$/i;

/** Splits `rtsp://user:pass@host/path` into the URL without userinfo and the credentials. */
export function splitCredentials(url: string): { url: string; credentials?: Credentials } {
  const m = USERINFO.exec(url);
  if (!m) return { url };
  const userinfo = m[2];
  const colon = userinfo.indexOf(':');
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const username = dec(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = dec(colon < 0 ? '' : userinfo.slice(colon + 1));
  return { url: m[1] + m[3], credentials: { username, password } };
}

/** The URL without any userinfo: what may be shown to clients (/api/streams). */
export function stripCredentials(url: string): string {
  return splitCredentials(url).url;
}

/** The URL with any userinfo replaced by `***` — safe for logs, errors and reports. */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1***@$3');
}

/**
 * Redacts every URL with userinfo inside free text (error messages from lower layers). In
 * text a URL ends at whitespace, so everything up to the last `@` before it is redacted; a
 * password with whitespace in it cannot be told from the text around it, which is why
 * redactSecret exists.
 */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)\S*@/gi, '$1***@');
}

/**
 * redactText, then every remaining occurrence of the password of `url` (as written and as
 * decoded) replaced by `***`: for text from layers that may have echoed it some other way.
 */
export function redactSecret(text: string, url: string): string {
  let out = redactText(text);
  const password = splitCredentials(url).credentials?.password ?? '';
  const raw = USERINFO.exec(url)?.[2].split(':').slice(1).join(':') ?? '';
  // Very short passwords would turn ordinary words and numbers into ***; they leak little anyway.
  for (const secret of [raw, password, encodeURIComponent(password)]) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

export interface RtspUrlParts {
  host: string;
  port: number;
  /** `rtsp://host:port` */
  origin: string;
}

/** Host and port of an rtsp:// (or rtsps://) URL; port defaults to 554 (322 for rtsps). */
export function rtspUrlParts(url: string): RtspUrlParts {
  const m = /^(rtsps?):\/\/(\[[^\]]+\]|[^/?#:]+)(?::(\d{1,5}))?(?:[/?#]|$)/i.exec(stripCredentials(url));
  if (!m) throw new RtspParseError('RTSP_BAD_HEADER_VALUE', `not an rtsp:// URL: ${redactUrl(url).slice(0, 80)}`);
  const port = m[3] ? Number(m[3]) : m[1].toLowerCase() === 'rtsps' ? 322 : 554;
  if (port < 1 || port > 65535) throw new RtspParseError('RTSP_BAD_HEADER_VALUE', `bad port in ${redactUrl(url).slice(0, 80)}`);
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { host, port, origin: `${m[1].toLowerCase()}://${m[2]}${m[3] ? ':' + m[3] : ''}` };
}

/** rtsps://: RTSP over TLS, media interleaved in the TLS connection. */
export function isRtsps(url: string): boolean {
  return /^rtsps:\/\//i.test(url);
}

/** Makes a Content-Base-like value absolute: no scheme, doubled scheme, or a path only. */
function absolutize(value: string, requestUrl: string): string {
  let v = value.trim();
  while (/^rtsps?:\/\/rtsps?:\/\//i.test(v)) v = v.replace(/^rtsps?:\/\//i, '');
  if (SCHEME.test(v)) return v;
  const { origin } = rtspUrlParts(requestUrl);
  if (v.startsWith('/')) return origin + v;
  return (origin.startsWith('rtsps') ? 'rtsps://' : 'rtsp://') + v;
}

/** Base for control URLs: Content-Base, then Content-Location, then the request URL. */
export function baseUrlFor(headers: RtspHeaders, requestUrl: string): string {
  const v = headers.get('content-base') || headers.get('content-location');
  return v ? absolutize(v, requestUrl) : requestUrl;
}

/**
 * The URL of a media or session control attribute. Absolute controls are used as they are,
 * `*` or nothing means the base itself, `/path` is joined to the base's origin, `?query`
 * goes straight after the base, anything else is appended after a `/`.
 */
export function resolveControl(base: string, control: string | undefined): string {
  const c = (control ?? '').trim();
  if (c === '' || c === '*') return base;
  if (SCHEME.test(c)) return c;
  if (c.startsWith('/')) return rtspUrlParts(base).origin + c;
  if (c.startsWith('?')) return base + c;
  return base.endsWith('/') ? base + c : `${base}/${c}`;
}
