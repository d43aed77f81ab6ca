/**
 * The 4-byte header every RTCP packet starts with (RFC 3550 6.4.1):
 * V(2) P(1) count/fmt(5) | packet type(8) | length in 32-bit words minus one(16).
 */
import { RtcpSerializeError } from './errors.js';

export const RTCP_HEADER_SIZE = 4;
/** The largest packet the 16-bit length field can describe. */
export const RTCP_MAX_PACKET_SIZE = 65536 * 4;
/** Count fields (RC, SC, FMT, APP subtype) are 5 bits. */
export const RTCP_MAX_COUNT = 31;

export const PT_SR = 200;
export const PT_RR = 201;
export const PT_SDES = 202;
export const PT_BYE = 203;
export const PT_APP = 204;
/** Transport-layer feedback (RFC 4585 6.2). */
export const PT_RTPFB = 205;
/** Payload-specific feedback (RFC 4585 6.3). */
export const PT_PSFB = 206;
/** Extended reports (RFC 3611). */
export const PT_XR = 207;

export const FMT_NACK = 1;
export const FMT_PLI = 1;
export const FMT_FIR = 4;
/** Application layer feedback; REMB is the one we know (draft-alvestrand-rmcat-remb). */
export const FMT_AFB = 15;

/**
 * Cheap RTP/RTCP demultiplexing test for a shared port (RFC 5761 4): version 2 and a
 * second byte in 192-223, which no RTP packet with a dynamic or static payload type has.
 */
export function isRtcp(buf: Uint8Array): boolean {
  if (buf.length < RTCP_HEADER_SIZE || buf[0] >> 6 !== 2) return false;
  const pt = buf[1];
  return pt >= 192 && pt <= 223;
}

export function writeHeader(buf: Uint8Array, o: number, count: number, packetType: number, size: number): void {
  const words = size / 4 - 1;
  buf[o] = 0x80 | count;
  buf[o + 1] = packetType;
  buf[o + 2] = (words >> 8) & 0xff;
  buf[o + 3] = words & 0xff;
}

/** Throws unless `n` fits a 5-bit count field. */
export function checkCount(n: number, what: string): void {
  if (n > RTCP_MAX_COUNT) throw new RtcpSerializeError('RTCP_BAD_FIELD', `${n} ${what}; at most ${RTCP_MAX_COUNT} fit one packet`);
}

/** Throws unless `size` bytes is a whole number of words the length field can describe. */
export function checkPacketSize(size: number, what: string): number {
  if (size % 4 !== 0) throw new RtcpSerializeError('RTCP_BAD_FIELD', `${what} of ${size} bytes is not a multiple of 4`);
  if (size > RTCP_MAX_PACKET_SIZE) throw new RtcpSerializeError('RTCP_BAD_FIELD', `${what} of ${size} bytes exceeds ${RTCP_MAX_PACKET_SIZE}`);
  return size;
}

/** Throws unless `data` is whole 32-bit words (profile extensions, APP data). */
export function checkAligned(data: Uint8Array, what: string): void {
  if (data.length % 4 !== 0) throw new RtcpSerializeError('RTCP_BAD_FIELD', `${what} of ${data.length} bytes is not a multiple of 4`);
}
