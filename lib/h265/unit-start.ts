/** Single-packet checks on RFC 7798 payloads, for the depacketizer's first packet and the keyframe cache. */
import { H265NalType, h265NalType, isIrap, isH265Vcl } from './nal.js';

/**
 * Does this first payload of a stream visibly begin an access unit? An AUD, parameter set or
 * prefix SEI (which come before the slices), or a slice with first_slice_segment_in_pic_flag
 * set (the first bit after the NAL header). DONL fields, when the stream has them, sit between
 * the header and the NAL unit: `donl` says so.
 */
export function looksLikeH265UnitStart(payload: Uint8Array, donl = false): boolean {
  const d = donl ? 2 : 0;
  let type = h265NalType(payload[0] ?? 0);
  let at = 2 + d;
  if (type === H265NalType.Ap) {
    type = h265NalType(payload[4 + d] ?? 0);
    at = 6 + d + 2;
  } else if (type === H265NalType.Fu) {
    const fu = payload[2] ?? 0;
    if (!(fu & 0x80)) return false;
    type = fu & 0x3f;
    at = 3 + d;
  }
  if (at >= payload.length) return false;
  if (type === H265NalType.Aud || type === H265NalType.PrefixSei || (type >= H265NalType.Vps && type <= H265NalType.Pps)) return true;
  return isH265Vcl(type) && (payload[at] & 0x80) !== 0;
}

/**
 * Is this one RTP payload the start of a keyframe? A single NAL unit that is an IRAP slice or a
 * VPS/SPS, an AP holding one, an FU start fragment of one. Never throws.
 */
export function isH265KeyframeStart(payload: Uint8Array, donl = false): boolean {
  const n = payload.length;
  if (n < 3) return false;
  const type = h265NalType(payload[0]);
  if (type === H265NalType.Ap) {
    let i = 2;
    let first = true;
    for (;;) {
      i += donl ? (first ? 2 : 1) : 0;
      first = false;
      if (i + 3 > n) return false;
      const size = (payload[i] << 8) | payload[i + 1];
      if (size < 2 || i + 2 + size > n) return false;
      if (isKeyType(h265NalType(payload[i + 2]))) return true;
      i += 2 + size;
    }
  }
  if (type === H265NalType.Fu) return (payload[2] & 0x80) !== 0 && isKeyType(payload[2] & 0x3f);
  return isKeyType(type);
}

function isKeyType(type: number): boolean {
  return isIrap(type) || type === H265NalType.Vps || type === H265NalType.Sps;
}
