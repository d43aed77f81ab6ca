/**
 * pcapng (draft-ietf-opsawg-pcapng) blocks, pure: Section Header, Interface Description,
 * Enhanced Packet and Interface Statistics blocks, little-endian, written into a caller's
 * buffer by byte index. Packets are raw IP (LINKTYPE_RAW) with synthetic IPv4 or IPv6 + UDP
 * headers (ip-udp.ts), so Wireshark and tshark decode RTP and RTCP as they would on the wire.
 */
import { ipUdpSize, writeIpUdp, type UdpFlow } from './ip-udp.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_ISB = 0x00000005;
export const BLOCK_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** LINKTYPE_RAW: the packet starts with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;

/** EPB fixed part: type, length, interface id, timestamp high/low, captured and original length. */
const EPB_HEAD = 28;
const encoder = new TextEncoder();

const pad4 = (n: number): number => (n + 3) & ~3;

/** Bytes an option with a value of `len` bytes takes (code, length, value padded to 32 bits). */
export function optionSize(len: number): number {
  return 4 + pad4(len);
}

function writeOption(v: DataView, off: number, code: number, value: Uint8Array): number {
  v.setUint16(off, code, true);
  v.setUint16(off + 2, value.length, true);
  new Uint8Array(v.buffer, v.byteOffset + off + 4, value.length).set(value);
  const end = off + 4 + value.length;
  for (let i = end; i < off + optionSize(value.length); i++) v.setUint8(i, 0);
  return off + optionSize(value.length);
}

function u64(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, true);
  return b;
}

/** A block of `type` with these options (each [code, value]) after `body`, opt_endofopt when any. */
function block(type: number, body: Uint8Array, options: readonly (readonly [number, Uint8Array])[]): Uint8Array {
  let optBytes = 0;
  for (const [, value] of options) optBytes += optionSize(value.length);
  if (options.length > 0) optBytes += 4;
  const total = 8 + pad4(body.length) + optBytes + 4;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  out.set(body, 8);
  let off = 8 + pad4(body.length);
  for (const [code, value] of options) off = writeOption(v, off, code, value);
  if (options.length > 0) v.setUint32(off, OPT_ENDOFOPT, true);
  v.setUint32(total - 4, total, true);
  return out;
}

/** Section Header Block: version 1.0, section length unknown (-1), `shb_userappl` naming the writer. */
export function sectionHeaderBlock(userAppl: string): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, BYTE_ORDER_MAGIC, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  v.setBigInt64(8, -1n, true);
  return block(BLOCK_SHB, body, [[SHB_USERAPPL, encoder.encode(userAppl)]]);
}

export interface InterfaceDescription {
  name: string;
  description: string;
  /** Default LINKTYPE_RAW. */
  linkType?: number;
  /** 0: no limit. */
  snapLen?: number;
}

/** Interface Description Block with `if_name` and `if_description`; timestamps in microseconds (if_tsresol absent = 6). */
export function interfaceDescriptionBlock(d: InterfaceDescription): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint16(0, d.linkType ?? LINKTYPE_RAW, true);
  v.setUint32(4, d.snapLen ?? 0, true);
  return block(BLOCK_IDB, body, [[IF_NAME, encoder.encode(d.name)], [IF_DESCRIPTION, encoder.encode(d.description)]]);
}

export interface InterfaceStatistics {
  interfaceId: number;
  timestampUs: number;
  startUs: number;
  endUs: number;
  /** Packets the interface saw, and those it dropped (isb_ifrecv, isb_ifdrop). */
  received: number;
  dropped: number;
  comment?: string;
}

/** Interface Statistics Block: the counts of an interface when the capture ends. */
export function interfaceStatisticsBlock(s: InterfaceStatistics): Uint8Array {
  const body = new Uint8Array(12);
  const v = new DataView(body.buffer);
  v.setUint32(0, s.interfaceId, true);
  setTimestamp(v, 4, s.timestampUs);
  const ts = (us: number): Uint8Array => {
    const b = new Uint8Array(8);
    setTimestamp(new DataView(b.buffer), 0, us);
    return b;
  };
  const options: [number, Uint8Array][] = [];
  if (s.comment !== undefined) options.push([OPT_COMMENT, encoder.encode(s.comment)]);
  options.push([ISB_STARTTIME, ts(s.startUs)], [ISB_ENDTIME, ts(s.endUs)], [ISB_IFRECV, u64(BigInt(s.received))], [ISB_IFDROP, u64(BigInt(s.dropped))]);
  return block(BLOCK_ISB, body, options);
}

/** Timestamp as two 32-bit halves, high first (units of if_tsresol: microseconds here). */
function setTimestamp(v: DataView, off: number, us: number): void {
  const t = Math.max(0, Math.floor(us));
  v.setUint32(off, Math.floor(t / 0x100000000), true);
  v.setUint32(off + 4, t % 0x100000000, true);
}

/** Bytes of an Enhanced Packet Block carrying `payloadLen` bytes of UDP payload on `flow`, with a comment of `commentLen` UTF-8 bytes (0: none). */
export function epbSize(flow: UdpFlow, payloadLen: number, commentLen = 0): number {
  return EPB_HEAD + pad4(ipUdpSize(flow, payloadLen)) + (commentLen > 0 ? optionSize(commentLen) + 4 : 0) + 4;
}

/**
 * Writes an Enhanced Packet Block at `off` (which must leave `epbSize` bytes): `payload` in
 * synthetic IP + UDP headers of `flow`, stamped `timestampUs`, with `comment` (UTF-8) as
 * opt_comment. Returns the offset after the block. Byte by byte, no allocation: it runs for
 * every captured packet.
 */
export function writeEnhancedPacket(
  out: Uint8Array, off: number, interfaceId: number, timestampUs: number, flow: UdpFlow, payload: Uint8Array, comment?: Uint8Array,
): number {
  const captured = ipUdpSize(flow, payload.length);
  const t = Math.max(0, Math.floor(timestampUs));
  put32le(out, off, BLOCK_EPB);
  put32le(out, off + 8, interfaceId);
  put32le(out, off + 12, Math.floor(t / 0x100000000));
  put32le(out, off + 16, t % 0x100000000);
  put32le(out, off + 20, captured);
  put32le(out, off + 24, captured);
  let p = writeIpUdp(out, off + EPB_HEAD, flow, payload);
  while (p & 3) out[p++] = 0;
  return finishEpb(out, off, p, comment);
}

/**
 * Adds `comment` to the Enhanced Packet Block at `blockOff` that `writeEnhancedPacket` wrote
 * without one (it must be the last block written: the comment grows it by
 * `optionSize(comment.length) + 4`). Returns the new end.
 */
export function addEpbComment(out: Uint8Array, blockOff: number, comment: Uint8Array): number {
  const captured = get32le(out, blockOff + 20);
  return finishEpb(out, blockOff, blockOff + EPB_HEAD + pad4(captured), comment);
}

function finishEpb(out: Uint8Array, off: number, optionsAt: number, comment: Uint8Array | undefined): number {
  let p = optionsAt;
  if (comment && comment.length > 0) {
    out[p] = OPT_COMMENT;
    out[p + 1] = 0;
    out[p + 2] = comment.length & 0xff;
    out[p + 3] = comment.length >> 8;
    out.set(comment, p + 4);
    const end = p + optionSize(comment.length);
    for (let i = p + 4 + comment.length; i < end; i++) out[i] = 0;
    put32le(out, end, OPT_ENDOFOPT);
    p = end + 4;
  }
  const total = p + 4 - off;
  put32le(out, off + 4, total);
  put32le(out, p, total);
  return p + 4;
}

function put32le(out: Uint8Array, off: number, v: number): void {
  out[off] = v & 0xff;
  out[off + 1] = (v >>> 8) & 0xff;
  out[off + 2] = (v >>> 16) & 0xff;
  out[off + 3] = (v >>> 24) & 0xff;
}

function get32le(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}
