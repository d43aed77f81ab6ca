/**
 * RFC 4588 retransmission packets: the original packet re-sent on the RTX payload type and
 * SSRC, with its own sequence numbers, and the original sequence number (OSN) as the first
 * two bytes of the payload. Works on serialized packets; the header (CSRCs, extension) is
 * copied as is, the original padding is dropped.
 */
import { parseRtp, writeU32 } from '../rtp/packet.js';
import { RecoveryError } from './errors.js';

/** Bytes `buildRtx` writes for `original`. Throws RtpParseError on a malformed packet. */
export function rtxSize(original: Uint8Array): number {
  const p = parseRtp(original);
  return p.payload.byteOffset - original.byteOffset + 2 + p.payload.length;
}

/**
 * Wraps the serialized RTP packet `original` into an RTX packet. Writes into `out` when
 * given (from offset 0) and returns the written view. Throws RtpParseError on a malformed
 * original, RecoveryError('RTX_BUFFER_TOO_SMALL') when `out` is too short.
 */
export function buildRtx(original: Uint8Array, rtxPayloadType: number, rtxSsrc: number, rtxSeq: number, out?: Uint8Array): Uint8Array {
  const p = parseRtp(original);
  const headerLength = p.payload.byteOffset - original.byteOffset;
  const size = headerLength + 2 + p.payload.length;
  const buf = prepare(out, size);
  buf.set(original.subarray(0, headerLength), 0);
  buf[0] &= ~0x20; // original padding is not carried over
  buf[1] = (buf[1] & 0x80) | (rtxPayloadType & 0x7f);
  buf[2] = (rtxSeq >> 8) & 0xff;
  buf[3] = rtxSeq & 0xff;
  writeU32(buf, 8, rtxSsrc);
  buf[headerLength] = original[2];
  buf[headerLength + 1] = original[3];
  buf.set(p.payload, headerLength + 2);
  return buf.length === size ? buf : buf.subarray(0, size);
}

/** Original sequence number carried by an RTX packet. */
export function rtxOriginalSeq(rtx: Uint8Array): number {
  const p = parseRtp(rtx);
  if (p.payload.length < 2) throw new RecoveryError('RTX_NO_OSN', `RTX payload of ${p.payload.length} bytes has no original sequence number`);
  return (p.payload[0] << 8) | p.payload[1];
}

/**
 * Restores the original packet from an RTX packet: payload type and SSRC of the original
 * stream, sequence number from the OSN. Throws RtpParseError or RecoveryError('RTX_NO_OSN')
 * (e.g. an RTX padding-only probe).
 */
export function parseRtx(rtx: Uint8Array, originalPayloadType: number, originalSsrc: number, out?: Uint8Array): Uint8Array {
  const p = parseRtp(rtx);
  if (p.payload.length < 2) throw new RecoveryError('RTX_NO_OSN', `RTX payload of ${p.payload.length} bytes has no original sequence number`);
  const headerLength = p.payload.byteOffset - rtx.byteOffset;
  const size = headerLength + p.payload.length - 2;
  const buf = prepare(out, size);
  buf.set(rtx.subarray(0, headerLength), 0);
  buf[0] &= ~0x20;
  buf[1] = (buf[1] & 0x80) | (originalPayloadType & 0x7f);
  buf[2] = p.payload[0];
  buf[3] = p.payload[1];
  writeU32(buf, 8, originalSsrc);
  buf.set(p.payload.subarray(2), headerLength);
  return buf.length === size ? buf : buf.subarray(0, size);
}

function prepare(out: Uint8Array | undefined, size: number): Uint8Array {
  if (!out) return new Uint8Array(size);
  if (out.length < size) throw new RecoveryError('RTX_BUFFER_TOO_SMALL', `need ${size} bytes, buffer has ${out.length}`);
  return out;
}
