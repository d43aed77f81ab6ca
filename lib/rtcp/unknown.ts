/**
 * Any packet camwire does not model (XR, other feedback formats, APP-like extensions...),
 * kept whole so a relay forwards it byte for byte.
 */
import { RtcpSerializeError } from './errors.js';
import { checkPacketSize } from './header.js';

export interface RtcpUnknown {
  type: 'unknown';
  /** The packet type byte (e.g. 207 for XR, 205/206 with an unmodelled FMT). */
  packetType: number;
  /** The 5-bit count/FMT field. */
  count: number;
  /** The whole packet, header and padding included; a view into the input. Written as is. */
  raw: Uint8Array;
}

export function parseUnknown(buf: Uint8Array, packetStart: number, packetEnd: number): RtcpUnknown {
  return { type: 'unknown', packetType: buf[packetStart + 1], count: buf[packetStart] & 0x1f, raw: buf.subarray(packetStart, packetEnd) };
}

export function unknownSize(p: RtcpUnknown): number {
  if (p.raw.length < 4) throw new RtcpSerializeError('RTCP_BAD_FIELD', `unknown RTCP packet of ${p.raw.length} bytes has no header`);
  const declared = (((p.raw[2] << 8) | p.raw[3]) + 1) * 4;
  if (declared !== p.raw.length) throw new RtcpSerializeError('RTCP_BAD_FIELD', `unknown RTCP packet of ${p.raw.length} bytes declares ${declared}`);
  return checkPacketSize(p.raw.length, 'unknown RTCP packet');
}

export function writeUnknown(p: RtcpUnknown, buf: Uint8Array, o: number, size: number): number {
  buf.set(p.raw, o);
  return o + size;
}
