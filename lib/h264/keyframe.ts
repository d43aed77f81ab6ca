/**
 * Is this one RTP payload the start of a keyframe? For the gateway's keyframe cache, which must
 * decide per packet without depacketizing: a single NAL unit IDR or SPS, a STAP-A holding an IDR
 * or SPS, an FU-A start fragment of an IDR (or SPS). A single-NAL payload that is an Annex-B
 * stream (leading start code; several cameras) is judged by its first unit. Never throws.
 */
import { NalType } from './nal.js';

function isKeyType(type: number): boolean {
  return type === NalType.Idr || type === NalType.Sps;
}

export function isKeyframeStart(payload: Uint8Array): boolean {
  const n = payload.length;
  if (n === 0) return false;
  const type = payload[0] & 0x1f;
  if (type === NalType.StapA) {
    let i = 1;
    while (i + 2 < n) {
      const size = (payload[i] << 8) | payload[i + 1];
      if (size === 0 || i + 2 + size > n) return false;
      if (isKeyType(payload[i + 2] & 0x1f)) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === NalType.FuA) {
    return n >= 2 && (payload[1] & 0x80) !== 0 && isKeyType(payload[1] & 0x1f);
  }
  if (type === NalType.Unspecified) {
    // 00 00 01 xx or 00 00 00 01 xx: an Annex-B stream in a single-NAL packet
    let i = 1;
    while (i < n && i < 4 && payload[i] === 0) i++;
    return i >= 2 && i + 1 < n && payload[i] === 1 && isKeyType(payload[i + 1] & 0x1f);
  }
  return isKeyType(type);
}
