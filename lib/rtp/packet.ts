/**
 * RTP fixed header (RFC 3550 5.1), CSRC list, header extension and padding.
 * Parsing reads by byte index and returns views into the input: no payload copy.
 */
import { RtpParseError, RtpSerializeError } from './errors.js';
import type { RtpHeaderExtension } from './extension.js';

export interface RtpPacket {
  version: number;
  padding: boolean;
  extension: boolean;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: readonly number[];
  headerExtension: RtpHeaderExtension | undefined;
  /** View into the parsed buffer (no copy). Excludes padding. */
  payload: Uint8Array;
  /** Number of padding bytes at the end, including the count byte; 0 when P is clear. */
  paddingLength: number;
}

export const RTP_HEADER_SIZE = 12;
const NO_CSRC: readonly number[] = Object.freeze([]);

/** Cheap test used to demultiplex RTP from RTCP on a shared port (RFC 5761 4). */
export function looksLikeRtp(buf: Uint8Array): boolean {
  if (buf.length < RTP_HEADER_SIZE || buf[0] >> 6 !== 2) return false;
  const pt = buf[1] & 0x7f;
  return pt < 64 || pt > 95;
}

export function parseRtp(buf: Uint8Array): RtpPacket {
  const len = buf.length;
  if (len < RTP_HEADER_SIZE) throw new RtpParseError('RTP_TOO_SHORT', `RTP packet of ${len} bytes is shorter than the 12-byte header`);
  const b0 = buf[0];
  const version = b0 >> 6;
  if (version !== 2) throw new RtpParseError('RTP_BAD_VERSION', `RTP version ${version}, expected 2`);
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + cc * 4;
  if (offset > len) throw new RtpParseError('RTP_CSRC_OVERFLOW', `CSRC count ${cc} runs past the end of a ${len}-byte packet`);
  let csrc = NO_CSRC;
  if (cc > 0) {
    const list: number[] = new Array(cc);
    for (let i = 0; i < cc; i++) list[i] = readU32(buf, RTP_HEADER_SIZE + i * 4);
    csrc = list;
  }
  const hasExtension = (b0 & 0x10) !== 0;
  let headerExtension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (offset + 4 > len) throw new RtpParseError('RTP_EXTENSION_OVERFLOW', 'header extension header runs past the end');
    const profile = (buf[offset] << 8) | buf[offset + 1];
    const words = (buf[offset + 2] << 8) | buf[offset + 3];
    const start = offset + 4;
    offset = start + words * 4;
    if (offset > len) throw new RtpParseError('RTP_EXTENSION_OVERFLOW', `header extension of ${words} words runs past the end`);
    headerExtension = { profile, data: buf.subarray(start, offset) };
  }
  const hasPadding = (b0 & 0x20) !== 0;
  let end = len;
  let paddingLength = 0;
  if (hasPadding) {
    paddingLength = buf[len - 1];
    if (paddingLength === 0 || paddingLength > len - offset) {
      throw new RtpParseError('RTP_BAD_PADDING', `padding of ${paddingLength} bytes does not fit a ${len - offset}-byte payload`);
    }
    end = len - paddingLength;
  }
  const b1 = buf[1];
  return {
    version,
    padding: hasPadding,
    extension: hasExtension,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: (buf[2] << 8) | buf[3],
    timestamp: readU32(buf, 4),
    ssrc: readU32(buf, 8),
    csrc,
    headerExtension,
    payload: buf.subarray(offset, end),
    paddingLength,
  };
}

/** Bytes `serializeRtp` writes for `pkt`. */
export function rtpSize(pkt: RtpPacket): number {
  let size = RTP_HEADER_SIZE + pkt.csrc.length * 4 + pkt.payload.length + pkt.paddingLength;
  if (pkt.headerExtension) size += 4 + ((pkt.headerExtension.data.length + 3) & ~3);
  return size;
}

/**
 * Writes `pkt` into `out` (from offset 0) when given, else into a new buffer; returns the
 * written bytes as a view. The padding and extension bits follow `paddingLength` and
 * `headerExtension`, so a packet always serializes to something `parseRtp` accepts.
 */
export function serializeRtp(pkt: RtpPacket, out?: Uint8Array): Uint8Array {
  const size = rtpSize(pkt);
  const cc = pkt.csrc.length;
  if (cc > 15) throw new RtpSerializeError('RTP_BAD_FIELD', `${cc} CSRCs; at most 15 fit`);
  if (pkt.paddingLength > 255) throw new RtpSerializeError('RTP_BAD_FIELD', `padding of ${pkt.paddingLength} bytes; at most 255 fit`);
  let buf: Uint8Array;
  if (out) {
    if (out.length < size) throw new RtpSerializeError('RTP_BUFFER_TOO_SMALL', `need ${size} bytes, buffer has ${out.length}`);
    buf = out;
  } else {
    buf = new Uint8Array(size);
  }
  const ext = pkt.headerExtension;
  buf[0] = 0x80 | (pkt.paddingLength > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | cc;
  buf[1] = (pkt.marker ? 0x80 : 0) | (pkt.payloadType & 0x7f);
  buf[2] = (pkt.sequenceNumber >> 8) & 0xff;
  buf[3] = pkt.sequenceNumber & 0xff;
  writeU32(buf, 4, pkt.timestamp);
  writeU32(buf, 8, pkt.ssrc);
  let o = RTP_HEADER_SIZE;
  for (let i = 0; i < cc; i++, o += 4) writeU32(buf, o, pkt.csrc[i]);
  if (ext) {
    const padded = (ext.data.length + 3) & ~3;
    buf[o] = (ext.profile >> 8) & 0xff;
    buf[o + 1] = ext.profile & 0xff;
    buf[o + 2] = (padded >> 10) & 0xff;
    buf[o + 3] = (padded >> 2) & 0xff;
    buf.set(ext.data, o + 4);
    buf.fill(0, o + 4 + ext.data.length, o + 4 + padded);
    o += 4 + padded;
  }
  buf.set(pkt.payload, o);
  o += pkt.payload.length;
  if (pkt.paddingLength > 0) {
    buf.fill(0, o, o + pkt.paddingLength - 1);
    buf[o + pkt.paddingLength - 1] = pkt.paddingLength;
  }
  return buf.length === size ? buf : buf.subarray(0, size);
}

export function readU32(buf: Uint8Array, o: number): number {
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

export function writeU32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = (v >>> 24) & 0xff;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}

/** Writes a 12-byte RTP header (version 2, no padding, extension or CSRC) at the start of `buf`. */
export function writeRtpFixedHeader(buf: Uint8Array, marker: boolean, payloadType: number, seq: number, ts: number, ssrc: number): void {
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  buf[2] = (seq >> 8) & 0xff;
  buf[3] = seq & 0xff;
  writeU32(buf, 4, ts);
  writeU32(buf, 8, ssrc);
}

/** In-place header rewrites used on the egress path (no parse, no allocation). */
export function setRtpSequenceNumber(buf: Uint8Array, seq: number): void {
  buf[2] = (seq >> 8) & 0xff;
  buf[3] = seq & 0xff;
}

export function setRtpTimestamp(buf: Uint8Array, ts: number): void {
  writeU32(buf, 4, ts);
}

export function setRtpSsrc(buf: Uint8Array, ssrc: number): void {
  writeU32(buf, 8, ssrc);
}

export function setRtpPayloadType(buf: Uint8Array, pt: number): void {
  buf[1] = (buf[1] & 0x80) | (pt & 0x7f);
}
