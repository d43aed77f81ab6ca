/**
 * Canonical SDP writer: CRLF line ends, v/o/s/t always present and every line in RFC 8866
 * order (v o s i u e p c b t r z k a, then per media m i c b k a). Refuses fields that
 * would inject lines or break tokenization, so a value taken from a camera or a browser
 * can never smuggle extra lines into what we send.
 */
import { SdpSerializeError } from './errors.js';
import type { SdpAttribute, SdpBandwidth, SdpConnection, SdpMedia, SessionDescription } from './types.js';

const LINE_BREAKING = /[\r\n\0]/;
const TOKEN = /^[^\s\0]+$/;
/** RFC 8866 token-char: what an attribute name may hold (no ':' '=' or spaces). */
const ATTRIBUTE_NAME = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

function text(field: string, value: string): string {
  if (LINE_BREAKING.test(value)) throw new SdpSerializeError('SDP_BAD_FIELD', `${field} contains CR, LF or NUL`);
  return value;
}

function token(field: string, value: string): string {
  if (!TOKEN.test(value)) throw new SdpSerializeError('SDP_BAD_FIELD', `${field} must be a non-empty token without spaces: ${JSON.stringify(value)}`);
  return value;
}

function uint(field: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new SdpSerializeError('SDP_BAD_FIELD', `${field} must be a non-negative integer`);
  return String(value);
}

function connectionLine(c: SdpConnection): string {
  let address = token('connection address', c.address);
  if (c.ttl !== undefined) address += '/' + uint('connection ttl', c.ttl);
  if (c.count !== undefined) address += '/' + uint('connection count', c.count);
  return `c=${token('connection nettype', c.netType)} ${token('connection addrtype', c.addrType)} ${address}\r\n`;
}

function bandwidthLine(b: SdpBandwidth): string {
  if (!ATTRIBUTE_NAME.test(b.type)) throw new SdpSerializeError('SDP_BAD_FIELD', `bad bandwidth type ${JSON.stringify(b.type)}`);
  return `b=${b.type}:${uint('bandwidth', b.value)}\r\n`;
}

function attributeLine(a: SdpAttribute): string {
  if (!ATTRIBUTE_NAME.test(a.key)) throw new SdpSerializeError('SDP_BAD_FIELD', `bad attribute name ${JSON.stringify(a.key)}`);
  return a.value === undefined ? `a=${a.key}\r\n` : `a=${a.key}:${text('attribute value', a.value)}\r\n`;
}

function mediaSection(m: SdpMedia): string {
  if (m.formats.length === 0) throw new SdpSerializeError('SDP_BAD_FIELD', 'media needs at least one format');
  let port = uint('media port', m.port);
  if (m.portCount !== undefined) port += '/' + uint('media port count', m.portCount);
  const formats = m.formats.map((f) => token('media format', f)).join(' ');
  let out = `m=${token('media type', m.type)} ${port} ${token('media protocol', m.protocol)} ${formats}\r\n`;
  if (m.title !== undefined) out += `i=${text('media title', m.title)}\r\n`;
  for (const c of m.connections) out += connectionLine(c);
  for (const b of m.bandwidths) out += bandwidthLine(b);
  if (m.key !== undefined) out += `k=${text('media key', m.key)}\r\n`;
  for (const a of m.attributes) out += attributeLine(a);
  return out;
}

export function serializeSdp(desc: SessionDescription): string {
  const o = desc.origin;
  let out = `v=${uint('version', desc.version)}\r\n`;
  out += `o=${token('origin username', o.username)} ${token('origin session id', o.sessionId)} ${token('origin session version', o.sessionVersion)} `;
  out += `${token('origin nettype', o.netType)} ${token('origin addrtype', o.addrType)} ${token('origin address', o.address)}\r\n`;
  // RFC 8866 5.3: an empty session name is written as a single space.
  out += `s=${desc.sessionName === '' ? ' ' : text('session name', desc.sessionName)}\r\n`;
  if (desc.information !== undefined) out += `i=${text('information', desc.information)}\r\n`;
  if (desc.uri !== undefined) out += `u=${text('uri', desc.uri)}\r\n`;
  for (const e of desc.emails) out += `e=${text('email', e)}\r\n`;
  for (const p of desc.phones) out += `p=${text('phone', p)}\r\n`;
  if (desc.connection !== undefined) out += connectionLine(desc.connection);
  for (const b of desc.bandwidths) out += bandwidthLine(b);
  const timings = desc.timings.length > 0 ? desc.timings : [{ start: '0', stop: '0', repeats: [] }];
  for (const t of timings) {
    out += `t=${token('timing start', t.start)} ${token('timing stop', t.stop)}\r\n`;
    for (const r of t.repeats) out += `r=${text('repeat', r)}\r\n`;
  }
  if (desc.timeZones !== undefined) out += `z=${text('time zones', desc.timeZones)}\r\n`;
  if (desc.key !== undefined) out += `k=${text('key', desc.key)}\r\n`;
  for (const a of desc.attributes) out += attributeLine(a);
  for (const m of desc.media) out += mediaSection(m);
  return out;
}
