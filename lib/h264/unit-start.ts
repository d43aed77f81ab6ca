/** Single-packet check used when a stream's first packet has no known predecessor. */
import { NalType } from './nal.js';

/**
 * Does this first payload of a stream visibly begin an access unit? An AUD or SPS (which come
 * first in a unit), or a slice with first_mb_in_slice = 0 (the first bit of its header is 1).
 * Used only when nothing says which packet came before.
 */
export function looksLikeUnitStart(payload: Uint8Array): boolean {
  if (payload.length < 2) return false;
  let type = payload[0] & 0x1f;
  let next = payload[1];
  if (type === NalType.StapA) {
    if (payload.length < 5) return false;
    type = payload[3] & 0x1f;
    next = payload[4];
  } else if (type === NalType.FuA) {
    if (!(payload[1] & 0x80) || payload.length < 3) return false;
    type = payload[1] & 0x1f;
    next = payload[2];
  }
  if (type === NalType.Aud || type === NalType.Sps) return true;
  return (type === NalType.Slice || type === NalType.Idr) && (next & 0x80) !== 0;
}
