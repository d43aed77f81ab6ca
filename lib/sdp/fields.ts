/**
 * Lenient parsers for the structured SDP lines (o=, c=, m=, b=, t=, a=). Each takes the
 * text after `x=` (already trimmed) and never throws: cameras send every variant listed in
 * corpus QUIRKS.md section H, and a field we cannot read is better kept raw than fatal.
 */
import type { SdpAttribute, SdpBandwidth, SdpConnection, SdpMedia, SdpOrigin, SdpTiming } from './types.js';

const WS = /\s+/;

function tokens(value: string): string[] {
  return value === '' ? [] : value.split(WS);
}

function isNetType(tok: string | undefined): boolean {
  return tok !== undefined && /^(IN|IP)$/i.test(tok);
}

/**
 * `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`. Anchored on the
 * nettype token so that usernames with spaces (`RTSP Session`), a fourth number (TP-Link
 * `- 14665860 31787219 1`), `-0 0` and a missing address all land somewhere sensible:
 * the two tokens before nettype are id and version, everything earlier is the username,
 * except for TP-Link's `<user> <n> <n> <n>` where the extra number is dropped.
 */
export function parseOrigin(value: string): SdpOrigin {
  const t = tokens(value);
  let net = -1;
  for (let i = 1; i < t.length; i++) {
    if (isNetType(t[i])) {
      net = i;
      break;
    }
  }
  const before = net < 0 ? t.slice(0, 3) : t.slice(0, net);
  const after = net < 0 ? t.slice(3) : t.slice(net);
  let username = '-';
  let sessionId = '0';
  let sessionVersion = '0';
  const numeric = (x: string | undefined) => x !== undefined && /^-?[\d.]+$/.test(x);
  if (before.length === 4 && numeric(before[1]) && numeric(before[2]) && numeric(before[3])) {
    // TP-Link/Mercury: `- 14665860 31787219 1`, a stray fourth number; keep the first three.
    [username, sessionId, sessionVersion] = before;
  } else if (before.length >= 3) {
    sessionVersion = before[before.length - 1];
    sessionId = before[before.length - 2];
    username = before.slice(0, before.length - 2).join(' ');
  } else if (before.length === 2) {
    [username, sessionId] = before;
  } else if (before.length === 1) {
    username = before[0];
  }
  return {
    username,
    sessionId,
    sessionVersion,
    netType: after[0] ?? 'IN',
    addrType: after[1] ?? '',
    address: after.slice(2).join(' '),
  };
}

function splitMulticast(addrType: string, raw: string): SdpConnection {
  const conn: SdpConnection = { netType: '', addrType, address: raw };
  const parts = raw.split('/');
  if (parts.length < 2 || parts.length > 3 || !parts.slice(1).every((p) => /^\d{1,9}$/.test(p))) return conn;
  const type = addrType.toUpperCase();
  if ((type === 'IP4' || type === 'IPV4') && parts[0] !== '') {
    conn.address = parts[0];
    conn.ttl = Number(parts[1]);
    if (parts.length === 3) conn.count = Number(parts[2]);
  } else if (type === 'IP6' && parts.length === 2 && parts[0] !== '') {
    conn.address = parts[0];
    conn.count = Number(parts[1]);
  }
  return conn;
}

/**
 * `c=<nettype> <addrtype> <address>[/ttl][/count]`. Tolerates `c=IN` (Uniview),
 * `c=IN 198.51.100.1` (no addrtype), and the doubled `c=IN c=IN IP4 0.0.0.0` (HIK V3.1.3).
 */
export function parseConnection(value: string): SdpConnection {
  const doubled = /^\S+\s+c=(.*)$/s.exec(value);
  const t = tokens(doubled ? doubled[1].trim() : value);
  const netType = t[0] ?? 'IN';
  let addrType = t[1] ?? '';
  let address = t.slice(2).join(' ');
  if (t.length === 2 && /[.:]/.test(addrType)) {
    address = addrType;
    addrType = addrType.includes(':') ? 'IP6' : 'IP4';
  }
  const conn = splitMulticast(addrType, address);
  conn.netType = netType;
  return conn;
}

/** `m=<media> <port>[/<count>] <proto> <fmt> ...`; a junk port reads as 0. */
export function parseMediaLine(value: string): SdpMedia {
  const t = tokens(value);
  const [portText = '0', countText] = (t[1] ?? '0').split('/');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  const media: SdpMedia = {
    type: t[0] ?? '',
    port: port > 65535 ? 0 : port,
    protocol: t[2] ?? '',
    formats: t.slice(3),
    connections: [],
    bandwidths: [],
    attributes: [],
  };
  if (countText !== undefined && /^\d{1,9}$/.test(countText)) media.portCount = Number(countText);
  return media;
}

/** `b=<type>:<value>`; undefined (the line is dropped) when the value is not a number. */
export function parseBandwidth(value: string): SdpBandwidth | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const num = value.slice(colon + 1).trim();
  if (!/^\d{1,15}$/.test(num)) return undefined;
  return { type: value.slice(0, colon).trim(), value: Number(num) };
}

/** `t=<start> <stop>`; FLIR's `t=now-` keeps `now-` as start and 0 as stop. */
export function parseTiming(value: string): SdpTiming {
  const t = tokens(value);
  return { start: t[0] ?? '0', stop: t[1] ?? '0', repeats: [] };
}

/**
 * `a=<key>[:<value>]`. `a=framerate=25.0` (no colon, `=` instead) is read as key
 * `framerate` and value `25.0`, which is what the camera meant.
 */
export function parseAttribute(value: string): SdpAttribute {
  let sep = value.indexOf(':');
  if (sep < 0) sep = value.indexOf('=');
  if (sep < 0) return { key: value };
  return { key: value.slice(0, sep).trim(), value: value.slice(sep + 1).trim() };
}
