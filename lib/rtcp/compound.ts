/**
 * Compound RTCP (RFC 3550 6.1): packets back to back, each with its own header. Parsing
 * walks the headers by byte index; bodies become typed packets, anything unmodelled an
 * `unknown` that keeps its bytes. No rule on which packet comes first is enforced, so
 * reduced-size RTCP (RFC 5506: a lone NACK or PLI) parses too.
 */
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { FMT_AFB, FMT_FIR, FMT_NACK, FMT_PLI, PT_APP, PT_BYE, PT_PSFB, PT_RR, PT_RTPFB, PT_SDES, PT_SR, PT_XR, RTCP_HEADER_SIZE } from './header.js';
import { parseSr, srSize, writeSr, type RtcpSenderReport } from './sr.js';
import { parseRr, rrSize, writeRr, type RtcpReceiverReport } from './rr.js';
import { parseSdes, sdesSize, writeSdes, type RtcpSourceDescription } from './sdes.js';
import { parseBye, byeSize, writeBye, type RtcpGoodbye } from './bye.js';
import { parseApp, appSize, writeApp, type RtcpApp } from './app.js';
import { parseNack, nackSize, writeNack, type RtcpNack } from './nack.js';
import { parsePli, pliSize, writePli, type RtcpPli } from './pli.js';
import { parseFir, firSize, writeFir, type RtcpFir } from './fir.js';
import { isRembBody, parseRemb, rembSize, writeRemb, type RtcpRemb } from './remb.js';
import { parseXr, writeXr, xrSize, type RtcpExtendedReport } from './xr.js';
import { parseUnknown, unknownSize, writeUnknown, type RtcpUnknown } from './unknown.js';

export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSourceDescription
  | RtcpGoodbye
  | RtcpApp
  | RtcpNack
  | RtcpPli
  | RtcpFir
  | RtcpRemb
  | RtcpExtendedReport
  | RtcpUnknown;

export type RtcpPacketType = RtcpPacket['type'];

/**
 * Every packet of a compound (or single) RTCP packet. Byte fields (SDES values, BYE reason,
 * APP data, profile extensions, unknown packets) are views into `buf`: copy them to keep
 * them past the buffer's reuse. Throws only `RtcpParseError`. Padding (P bit) is checked
 * (a whole number of words) and dropped, except inside `unknown` packets, which keep every
 * byte. Whatever parses serializes again (`serializeRtcp` never rejects a parsed packet).
 */
export function parseRtcp(buf: Uint8Array): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  const len = buf.length;
  let o = 0;
  do {
    if (o + RTCP_HEADER_SIZE > len) throw new RtcpParseError('RTCP_TOO_SHORT', `${len - o} bytes at offset ${o} cannot hold an RTCP header`);
    const b0 = buf[o];
    if (b0 >> 6 !== 2) throw new RtcpParseError('RTCP_BAD_VERSION', `RTCP version ${b0 >> 6} at offset ${o}, expected 2`);
    const end = o + (((buf[o + 2] << 8) | buf[o + 3]) + 1) * 4;
    if (end > len) throw new RtcpParseError('RTCP_LENGTH_OVERFLOW', `RTCP packet at offset ${o} declares ${end - o} bytes, ${len - o} remain`);
    const start = o + RTCP_HEADER_SIZE;
    let bodyEnd = end;
    if (b0 & 0x20) {
      const pad = buf[end - 1];
      // content and packet are both whole words, so real padding is too (RFC 3550 6.4.1)
      if (pad === 0 || pad > end - start || (pad & 3) !== 0) throw new RtcpParseError('RTCP_BAD_PADDING', `padding of ${pad} bytes in a ${end - start}-byte body`);
      bodyEnd = end - pad;
    }
    out.push(parseOne(buf, o, start, bodyEnd, end, b0 & 0x1f, buf[o + 1]));
    o = end;
  } while (o < len);
  return out;
}

function parseOne(buf: Uint8Array, packetStart: number, start: number, end: number, packetEnd: number, count: number, pt: number): RtcpPacket {
  switch (pt) {
    case PT_SR: return parseSr(buf, start, end, count);
    case PT_RR: return parseRr(buf, start, end, count);
    case PT_SDES: return parseSdes(buf, start, end, count);
    case PT_BYE: return parseBye(buf, start, end, count);
    case PT_APP: return parseApp(buf, start, end, count);
    case PT_RTPFB:
      if (count === FMT_NACK) return parseNack(buf, start, end);
      break;
    case PT_PSFB:
      if (count === FMT_PLI) return parsePli(buf, start, end);
      if (count === FMT_FIR) return parseFir(buf, start, end);
      if (count === FMT_AFB && isRembBody(buf, start, end)) return parseRemb(buf, start, end);
      break;
    case PT_XR:
      // the 5 bits are reserved in XR: a non-zero value is some other use, kept as unknown
      if (count === 0) return parseXr(buf, start, end);
      break;
  }
  return parseUnknown(buf, packetStart, packetEnd);
}

/** Bytes `serializeRtcpPacket` writes for `p`. Throws `RtcpSerializeError` if `p` cannot be written. */
export function rtcpPacketSize(p: RtcpPacket): number {
  switch (p.type) {
    case 'sr': return srSize(p);
    case 'rr': return rrSize(p);
    case 'sdes': return sdesSize(p);
    case 'bye': return byeSize(p);
    case 'app': return appSize(p);
    case 'nack': return nackSize(p);
    case 'pli': return pliSize(p);
    case 'fir': return firSize(p);
    case 'remb': return rembSize(p);
    case 'xr': return xrSize(p);
    case 'unknown': return unknownSize(p);
  }
}

/** Bytes `serializeRtcp` writes for `packets` (the sum of their sizes). */
export function rtcpSize(packets: readonly RtcpPacket[]): number {
  let n = 0;
  for (const p of packets) n += rtcpPacketSize(p);
  return n;
}

/** Writes one packet at `offset` in `buf` (which must have room); returns the offset after it. */
export function serializeRtcpPacket(p: RtcpPacket, buf: Uint8Array, offset: number): number {
  const size = rtcpPacketSize(p);
  if (offset + size > buf.length) throw new RtcpSerializeError('RTCP_BUFFER_TOO_SMALL', `need ${offset + size} bytes, buffer has ${buf.length}`);
  switch (p.type) {
    case 'sr': return writeSr(p, buf, offset, size);
    case 'rr': return writeRr(p, buf, offset, size);
    case 'sdes': return writeSdes(p, buf, offset, size);
    case 'bye': return writeBye(p, buf, offset, size);
    case 'app': return writeApp(p, buf, offset, size);
    case 'nack': return writeNack(p, buf, offset, size);
    case 'pli': return writePli(p, buf, offset, size);
    case 'fir': return writeFir(p, buf, offset, size);
    case 'remb': return writeRemb(p, buf, offset, size);
    case 'xr': return writeXr(p, buf, offset, size);
    case 'unknown': return writeUnknown(p, buf, offset, size);
  }
}

/**
 * Writes `packets` as one compound packet into `out` (from offset 0) when given, else into
 * a new buffer; returns the written bytes as a view. Sizes are checked before any byte is
 * written, so a bad packet throws `RtcpSerializeError` without leaving half a compound.
 */
export function serializeRtcp(packets: readonly RtcpPacket[], out?: Uint8Array): Uint8Array {
  const size = rtcpSize(packets);
  let buf: Uint8Array;
  if (out) {
    if (out.length < size) throw new RtcpSerializeError('RTCP_BUFFER_TOO_SMALL', `need ${size} bytes, buffer has ${out.length}`);
    buf = out;
  } else {
    buf = new Uint8Array(size);
  }
  let o = 0;
  for (const p of packets) o = serializeRtcpPacket(p, buf, o);
  return buf.length === size ? buf : buf.subarray(0, size);
}
