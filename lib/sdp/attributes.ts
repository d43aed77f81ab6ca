/**
 * Typed readers (and writers, for what the gateway puts in an answer) of the attributes
 * camwire cares about. Attributes stay in the description as raw {key, value} in order;
 * these functions interpret them on demand and return undefined for what they cannot read.
 * Names are compared case-insensitively: cameras are not consistent.
 */
import type { SdpAttribute, SdpDirection, SdpMedia, SessionDescription } from './types.js';

const WS = /\s+/;

function keyIs(a: SdpAttribute, key: string): boolean {
  return a.key.length === key.length && a.key.toLowerCase() === key;
}

/** Value of the first `a=<key>` (empty string for a property attribute), or undefined. */
export function getAttribute(attrs: readonly SdpAttribute[], key: string): string | undefined {
  const k = key.toLowerCase();
  for (const a of attrs) if (keyIs(a, k)) return a.value ?? '';
  return undefined;
}

/** Values of every `a=<key>`, in order. */
export function getAttributes(attrs: readonly SdpAttribute[], key: string): string[] {
  const k = key.toLowerCase();
  const out: string[] = [];
  for (const a of attrs) if (keyIs(a, k)) out.push(a.value ?? '');
  return out;
}

/** Raw `a=control` of a media section (or of the session): resolving it is RTSP's job. */
export function getControl(section: { attributes: readonly SdpAttribute[] }): string | undefined {
  return getAttribute(section.attributes, 'control');
}

/** `a=mid` of a media section (RFC 8843 BUNDLE identification). */
export function getMid(media: SdpMedia): string | undefined {
  return getAttribute(media.attributes, 'mid');
}

function payloadType(tok: string | undefined): number | undefined {
  return tok !== undefined && /^\d{1,3}$/.test(tok) && Number(tok) <= 127 ? Number(tok) : undefined;
}

/** `a=rtpmap:<pt> <encoding>/<clock rate>[/<params>]` */
export interface Rtpmap {
  payloadType: number;
  encodingName: string;
  clockRate: number;
  /** channels for audio */
  encodingParameters?: number;
}

/** Tolerates `96  H264/90000 ` (extra spaces) and `123 META /0` (space before the slash). */
export function parseRtpmap(value: string): Rtpmap | undefined {
  const trimmed = value.trim();
  const sp = trimmed.search(WS);
  if (sp < 0) return undefined;
  const pt = payloadType(trimmed.slice(0, sp));
  if (pt === undefined) return undefined;
  const parts = trimmed.slice(sp).split('/').map((s) => s.trim());
  if (parts[0] === '') return undefined;
  const clock = /^\d{1,10}$/.test(parts[1] ?? '') ? Number(parts[1]) : 0;
  const map: Rtpmap = { payloadType: pt, encodingName: parts[0], clockRate: clock };
  if (parts[2] !== undefined && /^\d{1,3}$/.test(parts[2])) map.encodingParameters = Number(parts[2]);
  return map;
}

export function formatRtpmap(m: Rtpmap): SdpAttribute {
  const params = m.encodingParameters === undefined ? '' : `/${m.encodingParameters}`;
  return { key: 'rtpmap', value: `${m.payloadType} ${m.encodingName}/${m.clockRate}${params}` };
}

/** `a=fmtp:<pt> k=v;k=v`. Keys are lower-cased (SizeLength vs sizelength); order is kept. */
export interface Fmtp {
  payloadType: number;
  parameters: Map<string, string>;
}

/** Tolerates spaces after ';', a trailing ';', no parameters at all (`a=fmtp:96`). */
export function parseFmtp(value: string): Fmtp | undefined {
  const trimmed = value.trim();
  const sp = trimmed.search(WS);
  const pt = payloadType(sp < 0 ? trimmed : trimmed.slice(0, sp));
  if (pt === undefined) return undefined;
  const parameters = new Map<string, string>();
  if (sp >= 0) {
    for (const item of trimmed.slice(sp).split(';')) {
      const p = item.trim();
      if (p === '') continue;
      const eq = p.indexOf('=');
      const k = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
      if (k !== '' && !parameters.has(k)) parameters.set(k, eq < 0 ? '' : p.slice(eq + 1).trim());
    }
  }
  return { payloadType: pt, parameters };
}

export function formatFmtp(payloadType: number, parameters: Iterable<[string, string]>): SdpAttribute {
  const items: string[] = [];
  for (const [k, v] of parameters) items.push(v === '' ? k : `${k}=${v}`);
  return { key: 'fmtp', value: items.length === 0 ? String(payloadType) : `${payloadType} ${items.join(';')}` };
}

/** Rtpmaps of a media section by payload type (the first wins when a PT is mapped twice). */
export function rtpmaps(media: SdpMedia): Map<number, Rtpmap> {
  const out = new Map<number, Rtpmap>();
  for (const v of getAttributes(media.attributes, 'rtpmap')) {
    const m = parseRtpmap(v);
    if (m && !out.has(m.payloadType)) out.set(m.payloadType, m);
  }
  return out;
}

/** Fmtp parameters of a media section by payload type (the first wins). */
export function fmtps(media: SdpMedia): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  for (const v of getAttributes(media.attributes, 'fmtp')) {
    const f = parseFmtp(v);
    if (f && !out.has(f.payloadType)) out.set(f.payloadType, f.parameters);
  }
  return out;
}

/** `a=rtcp-fb:<pt|*> <type> [<subtype>]` (RFC 4585), e.g. `96 nack pli`. */
export interface RtcpFeedback {
  payloadType: number | '*';
  type: string;
  parameter?: string;
}

export function parseRtcpFb(value: string): RtcpFeedback | undefined {
  const t = value.trim().split(WS);
  const pt = t[0] === '*' ? '*' : payloadType(t[0]);
  if (pt === undefined || t[1] === undefined) return undefined;
  const fb: RtcpFeedback = { payloadType: pt, type: t[1] };
  if (t.length > 2) fb.parameter = t.slice(2).join(' ');
  return fb;
}

export function formatRtcpFb(fb: RtcpFeedback): SdpAttribute {
  return { key: 'rtcp-fb', value: `${fb.payloadType} ${fb.type}${fb.parameter === undefined ? '' : ' ' + fb.parameter}` };
}

/** `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576), e.g. `1234 cname:abc`. */
export interface SsrcAttribute {
  ssrc: number;
  attribute: string;
  value?: string;
}

export function parseSsrc(value: string): SsrcAttribute | undefined {
  const m = /^(\d{1,10})\s+([^:\s]+)(?::(.*))?$/s.exec(value.trim());
  if (m === null || Number(m[1]) > 0xffffffff) return undefined;
  const out: SsrcAttribute = { ssrc: Number(m[1]), attribute: m[2] };
  if (m[3] !== undefined) out.value = m[3];
  return out;
}

/** `a=ssrc-group:FID 1 2` and `a=group:BUNDLE 0 1`: semantics and ids. */
export interface SdpGroup {
  semantics: string;
  ids: string[];
}

export function parseGroup(value: string): SdpGroup | undefined {
  const t = value.trim().split(WS);
  return t[0] === '' ? undefined : { semantics: t[0], ids: t.slice(1) };
}

/** Every `a=group:BUNDLE` of the session, as lists of mids. */
export function bundleGroups(desc: SessionDescription): string[][] {
  return getAttributes(desc.attributes, 'group')
    .map(parseGroup)
    .filter((g): g is SdpGroup => g !== undefined && g.semantics.toUpperCase() === 'BUNDLE')
    .map((g) => g.ids);
}

/** `a=extmap:<id>[/<direction>] <uri> [<extension attributes>]` (RFC 8285). */
export interface Extmap {
  id: number;
  direction?: SdpDirection;
  uri: string;
  attributes?: string;
}

export function parseExtmap(value: string): Extmap | undefined {
  const m = /^(\d{1,5})(?:\/(\w+))?\s+(\S+)(?:\s+(.*))?$/s.exec(value.trim());
  if (m === null || Number(m[1]) > 65535) return undefined;
  const out: Extmap = { id: Number(m[1]), uri: m[3] };
  if (m[2] !== undefined) {
    if (!isDirection(m[2])) return undefined;
    out.direction = m[2];
  }
  if (m[4] !== undefined) out.attributes = m[4];
  return out;
}

export function formatExtmap(e: Extmap): SdpAttribute {
  const dir = e.direction === undefined ? '' : `/${e.direction}`;
  return { key: 'extmap', value: `${e.id}${dir} ${e.uri}${e.attributes === undefined ? '' : ' ' + e.attributes}` };
}

const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export function isDirection(s: string): s is SdpDirection {
  return DIRECTIONS.includes(s);
}

/** The direction attribute in a list (the last one wins, as a later line overrides), if any. */
export function getDirection(attrs: readonly SdpAttribute[]): SdpDirection | undefined {
  let dir: SdpDirection | undefined;
  for (const a of attrs) {
    const k = a.key.toLowerCase();
    if (a.value === undefined && isDirection(k)) dir = k;
  }
  return dir;
}

/** Media direction, else session direction, else sendrecv (RFC 8866 6.7). */
export function effectiveDirection(desc: SessionDescription, media: SdpMedia): SdpDirection {
  return getDirection(media.attributes) ?? getDirection(desc.attributes) ?? 'sendrecv';
}

/** `a=source-filter: <incl|excl> <nettype> <addrtype> <dest> <src>...` (RFC 4570, SSM). */
export interface SourceFilter {
  mode: 'incl' | 'excl';
  netType: string;
  addrType: string;
  /** destination address, or `*` for every connection address */
  destination: string;
  sources: string[];
}

export function parseSourceFilter(value: string): SourceFilter | undefined {
  const t = value.trim().split(WS);
  const mode = t[0]?.toLowerCase();
  if ((mode !== 'incl' && mode !== 'excl') || t.length < 5) return undefined;
  return { mode, netType: t[1], addrType: t[2], destination: t[3], sources: t.slice(4) };
}

export function formatSourceFilter(f: SourceFilter): SdpAttribute {
  return { key: 'source-filter', value: `${f.mode} ${f.netType} ${f.addrType} ${f.destination} ${f.sources.join(' ')}` };
}

/** Media-level source filters, else session-level ones (RFC 4570 3.2). */
export function sourceFilters(desc: SessionDescription, media: SdpMedia): SourceFilter[] {
  const own = getAttributes(media.attributes, 'source-filter');
  const vals = own.length > 0 ? own : getAttributes(desc.attributes, 'source-filter');
  return vals.map(parseSourceFilter).filter((f): f is SourceFilter => f !== undefined);
}

/** ICE and DTLS parameters (passed through; node-datachannel does ICE/DTLS). */
export interface TransportParameters {
  iceUfrag?: string;
  icePwd?: string;
  iceOptions?: string[];
  fingerprint?: { algorithm: string; value: string };
  setup?: string;
}

/** Media-level values first, then session-level (browsers put them at either level). */
export function transportParameters(desc: SessionDescription, media?: SdpMedia): TransportParameters {
  const get = (k: string) => (media && getAttribute(media.attributes, k)) ?? getAttribute(desc.attributes, k);
  const out: TransportParameters = {};
  const ufrag = get('ice-ufrag');
  const pwd = get('ice-pwd');
  const options = get('ice-options');
  const fp = get('fingerprint')?.trim().split(WS);
  const setup = get('setup');
  if (ufrag !== undefined) out.iceUfrag = ufrag;
  if (pwd !== undefined) out.icePwd = pwd;
  if (options !== undefined) out.iceOptions = options.split(WS).filter((s) => s !== '');
  if (fp !== undefined && fp.length === 2) out.fingerprint = { algorithm: fp[0].toLowerCase(), value: fp[1] };
  if (setup !== undefined) out.setup = setup;
  return out;
}
