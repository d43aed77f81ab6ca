/**
 * Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb, PSFB FMT 15 with the
 * identifier 'REMB'): bitrate = mantissa (18 bits) * 2^exp (6 bits), and the SSRCs it covers.
 */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { FMT_AFB, PT_PSFB, RTCP_HEADER_SIZE, checkPacketSize, writeHeader } from './header.js';
import { FEEDBACK_COMMON_SIZE } from './feedback.js';

export interface RtcpRemb {
  type: 'remb';
  senderSsrc: number;
  /** The draft says 0; kept as received. */
  mediaSsrc: number;
  /** Bits per second. Written as mantissa * 2^exp, rounded down to 18 significant bits. */
  bitrate: number;
  ssrcs: number[];
}

const REMB_ID = 0x52454d42; // 'REMB'
const MANTISSA_MAX = 0x3ffff;
/** The largest bitrate the 6-bit exponent and 18-bit mantissa can carry. */
export const REMB_MAX_BITRATE = MANTISSA_MAX * 2 ** 63;

/** True when an application-layer feedback body carries the REMB identifier. */
export function isRembBody(buf: Uint8Array, start: number, end: number): boolean {
  return start + FEEDBACK_COMMON_SIZE + 8 <= end && readU32(buf, start + FEEDBACK_COMMON_SIZE) === REMB_ID;
}

export function parseRemb(buf: Uint8Array, start: number, end: number): RtcpRemb {
  const o = start + FEEDBACK_COMMON_SIZE;
  const n = buf[o + 4];
  if (o + 8 + n * 4 > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `REMB with ${n} SSRCs runs past the end`);
  const exp = buf[o + 5] >> 2;
  const mantissa = ((buf[o + 5] & 3) << 16) | (buf[o + 6] << 8) | buf[o + 7];
  const ssrcs: number[] = new Array(n);
  for (let k = 0; k < n; k++) ssrcs[k] = readU32(buf, o + 8 + k * 4);
  return { type: 'remb', senderSsrc: readU32(buf, start), mediaSsrc: readU32(buf, start + 4), bitrate: mantissa * 2 ** exp, ssrcs };
}

/** The smallest exponent whose mantissa fits 18 bits (bits below it are dropped). */
export function encodeRembBitrate(bitrate: number): { exp: number; mantissa: number } {
  if (!(bitrate >= 0) || bitrate > REMB_MAX_BITRATE) throw new RtcpSerializeError('RTCP_BAD_FIELD', `REMB bitrate ${bitrate} is not 0-${REMB_MAX_BITRATE}`);
  let exp = 0;
  let m = Math.floor(bitrate);
  while (m > MANTISSA_MAX) { m = Math.floor(m / 2); exp++; }
  return { exp, mantissa: m };
}

export function rembSize(p: RtcpRemb): number {
  if (p.ssrcs.length > 255) throw new RtcpSerializeError('RTCP_BAD_FIELD', `${p.ssrcs.length} REMB SSRCs; at most 255 fit`);
  encodeRembBitrate(p.bitrate);
  return checkPacketSize(RTCP_HEADER_SIZE + FEEDBACK_COMMON_SIZE + 8 + p.ssrcs.length * 4, 'REMB');
}

export function writeRemb(p: RtcpRemb, buf: Uint8Array, o: number, size: number): number {
  const { exp, mantissa } = encodeRembBitrate(p.bitrate);
  writeHeader(buf, o, FMT_AFB, PT_PSFB, size);
  writeU32(buf, o + 4, p.senderSsrc);
  writeU32(buf, o + 8, p.mediaSsrc);
  writeU32(buf, o + 12, REMB_ID);
  buf[o + 16] = p.ssrcs.length;
  buf[o + 17] = (exp << 2) | (mantissa >> 16);
  buf[o + 18] = (mantissa >> 8) & 0xff;
  buf[o + 19] = mantissa & 0xff;
  let i = o + 20;
  for (const s of p.ssrcs) { writeU32(buf, i, s); i += 4; }
  return o + size;
}
