/**
 * Transport header (RFC 2326 12.39), tolerant of what cameras send: ssrc with leading spaces
 * and fewer than 8 hex digits (Hikvision `ssrc= d6d6627`), single-value ports, `unicast`
 * missing, empty `source=`, quoted `mode="play"`, parameters in any order.
 */
import { RtspParseError } from '../errors.js';
import { parseParams, splitOutsideQuotes } from './params.js';

export type PortPair = [rtp: number, rtcp: number];

export interface TransportSpec {
  /** `RTP/AVP` (profile) as sent, without the lower transport. */
  profile: string;
  lowerTransport: 'UDP' | 'TCP';
  delivery?: 'unicast' | 'multicast';
  destination?: string;
  source?: string;
  interleaved?: PortPair;
  ttl?: number;
  layers?: number;
  /** Multicast port pair. */
  port?: PortPair;
  clientPort?: PortPair;
  serverPort?: PortPair;
  ssrc?: number;
  /** Upper case, quotes removed (`PLAY`, `RECORD`). */
  mode?: string;
  append?: boolean;
  /** Parameters we do not model, kept for round trips. */
  extra?: [string, string | undefined][];
}

function bad(what: string, v: string): never {
  throw new RtspParseError('RTSP_BAD_HEADER_VALUE', `Transport ${what} ${JSON.stringify(v.slice(0, 40))} is invalid`);
}

function pair(v: string | undefined, what: string, max: number): PortPair {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(v ?? '');
  if (!m) bad(what, v ?? '');
  const a = Number(m[1]);
  const b = m[2] === undefined ? a + 1 : Number(m[2]);
  if (a > max || b > max) bad(what, v ?? '');
  return [a, b];
}

function int(v: string | undefined, what: string, max: number): number {
  if (!v || !/^\s*\d{1,10}\s*$/.test(v) || Number(v) > max) bad(what, v ?? '');
  return Number(v);
}

/** SSRC in hex; up to 8 digits after trimming, otherwise undefined (gortsplib drops such values too). */
function ssrc(v: string | undefined): number | undefined {
  const s = (v ?? '').trim();
  return /^[0-9a-fA-F]{1,8}$/.test(s) ? parseInt(s, 16) >>> 0 : undefined;
}

/** One transport spec (the first if several alternatives are listed). */
export function parseTransport(value: string): TransportSpec {
  return parseTransports(value)[0];
}

/** Every comma-separated alternative (clients may offer several in SETUP). */
export function parseTransports(value: string): TransportSpec[] {
  const specs = splitOutsideQuotes(value, ',').map((s) => s.trim()).filter(Boolean);
  if (specs.length === 0) bad('value', value);
  return specs.map(parseOne);
}

function parseOne(spec: string): TransportSpec {
  const params = parseParams(spec);
  const head = params.shift();
  const proto = /^([a-z0-9]+\/[a-z0-9]+)(?:\/(udp|tcp))?$/i.exec(head?.[0] ?? '');
  if (!proto || head?.[1] !== undefined) bad('protocol', spec);
  const t: TransportSpec = { profile: proto[1].toUpperCase(), lowerTransport: proto[2]?.toUpperCase() === 'TCP' ? 'TCP' : 'UDP' };
  for (const [key, v] of params) {
    switch (key) {
      case 'unicast':
      case 'multicast':
        t.delivery = key;
        break;
      case 'destination':
        if (v) t.destination = v;
        break;
      case 'source':
        if (v) t.source = v;
        break;
      case 'interleaved':
        t.interleaved = pair(v, 'interleaved', 255);
        break;
      case 'ttl':
        t.ttl = int(v, 'ttl', 255);
        break;
      case 'layers':
        t.layers = int(v, 'layers', 255);
        break;
      case 'port':
        t.port = pair(v, 'port', 65535);
        break;
      case 'client_port':
        t.clientPort = pair(v, 'client_port', 65535);
        break;
      case 'server_port':
        t.serverPort = pair(v, 'server_port', 65535);
        break;
      case 'ssrc':
        t.ssrc = ssrc(v);
        break;
      case 'mode':
        if (v) t.mode = v.toUpperCase();
        break;
      case 'append':
        t.append = true;
        break;
      default:
        (t.extra ??= []).push([key, v]);
    }
  }
  return t;
}

const ports = (p: PortPair) => `${p[0]}-${p[1]}`;

export function serializeTransport(t: TransportSpec): string {
  const parts = [t.lowerTransport === 'TCP' ? `${t.profile}/TCP` : t.profile];
  if (t.delivery) parts.push(t.delivery);
  if (t.destination) parts.push(`destination=${t.destination}`);
  if (t.source) parts.push(`source=${t.source}`);
  if (t.interleaved) parts.push(`interleaved=${ports(t.interleaved)}`);
  if (t.ttl !== undefined) parts.push(`ttl=${t.ttl}`);
  if (t.layers !== undefined) parts.push(`layers=${t.layers}`);
  if (t.port) parts.push(`port=${ports(t.port)}`);
  if (t.clientPort) parts.push(`client_port=${ports(t.clientPort)}`);
  if (t.serverPort) parts.push(`server_port=${ports(t.serverPort)}`);
  if (t.ssrc !== undefined) parts.push(`ssrc=${(t.ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
  if (t.mode) parts.push(`mode="${t.mode}"`);
  if (t.append) parts.push('append');
  for (const [k, v] of t.extra ?? []) parts.push(v === undefined ? k : `${k}=${v}`);
  return parts.join(';');
}
