/**
 * STUN/TURN servers for viewers behind NATs and UDP-blocking firewalls: the config's
 * `webrtc.iceServers` entries (the browser's RTCIceServer shape, or a coturn `use-auth-secret`
 * secret that mints per-viewer credentials), checked, resolved into plain credentials, and
 * written as WHEP `Link: <url>; rel="ice-server"` headers (draft-ietf-wish-whep) for the player.
 * Pure: time comes in as a parameter; only node:crypto's HMAC is used.
 */
import { createHmac } from 'node:crypto';

/** One `webrtc.iceServers` entry as written in the config. */
export interface IceServerConfig {
  /** `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]` or `turns:...` (RFC 7064/7065). */
  urls: string | string[];
  /** Long-term TURN credentials (both or neither); not with `secret`. */
  username?: string;
  credential?: string;
  /** coturn `static-auth-secret`: each viewer gets its own time-limited TURN credentials (TURN REST). */
  secret?: string;
  /** Lifetime of minted credentials (default 86400 s); only with `secret`. */
  ttlSeconds?: number;
}

/** What a browser (and camwire's own ICE agent) is handed: plain credentials, never a secret. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export const ICE_SERVER_DEFAULTS = Object.freeze({ ttlSeconds: 86_400 } as const);

export interface IceUrl {
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** The TURN `?transport=` (RFC 7065), when given. */
  transport?: 'udp' | 'tcp';
}

const ICE_URL = /^(stuns?|turns?):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

/** Parses one ICE server URL; undefined when it is not a valid stun:/turn: URL. */
export function parseIceUrl(url: string): IceUrl | undefined {
  const m = ICE_URL.exec(url);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase() as IceUrl['scheme'];
  const transport = m[4] as IceUrl['transport'];
  // RFC 7064: a STUN URI has no query; transport is TURN's alone
  if (transport !== undefined && !scheme.startsWith('turn')) return undefined;
  const port = m[3] === undefined ? (scheme.endsWith('s') ? 5349 : 3478) : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  return { scheme, host, port, transport };
}

/** The URLs of an entry as a list. */
export function iceUrls(entry: IceServerConfig): string[] {
  return typeof entry.urls === 'string' ? [entry.urls] : entry.urls;
}

/**
 * TURN REST credentials as coturn's `use-auth-secret` checks them: the username is
 * `<expiry unix seconds>:<id>`, the password base64(HMAC-SHA1(secret, username)).
 */
export function mintTurnCredentials(secret: string, id: string, expiresAtSeconds: number): { username: string; credential: string } {
  const username = `${Math.floor(expiresAtSeconds)}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The configured servers with credentials for `id` (secrets minted, valid from `wallClockMs`). */
export function resolveIceServers(entries: readonly IceServerConfig[], id: string, wallClockMs: number): IceServer[] {
  return entries.map((e) => {
    const urls = iceUrls(e);
    if (e.secret !== undefined) {
      const ttl = e.ttlSeconds ?? ICE_SERVER_DEFAULTS.ttlSeconds;
      return { urls, ...mintTurnCredentials(e.secret, id, wallClockMs / 1000 + ttl) };
    }
    return e.username === undefined ? { urls } : { urls, username: e.username, credential: e.credential };
  });
}

/** A value for an HTTP quoted-string (RFC 9110): `"` and `\` escaped. */
function quoted(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}

/** One `Link` header value per URL, as the WHEP draft's 201 response carries them. */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  const links: string[] = [];
  for (const s of servers) {
    for (const url of s.urls) {
      let link = `<${url}>; rel="ice-server"`;
      if (s.username !== undefined) {
        link += `; username=${quoted(s.username)}; credential=${quoted(s.credential ?? '')}; credential-type="password"`;
      }
      links.push(link);
    }
  }
  return links;
}
