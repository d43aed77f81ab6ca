/** Picture Loss Indication (RFC 4585 6.3.1, PSFB FMT 1): no FCI. */
import { readU32, writeU32 } from '../rtp/packet.js';
import { FMT_PLI, PT_PSFB, RTCP_HEADER_SIZE, writeHeader } from './header.js';
import { FEEDBACK_COMMON_SIZE, checkFeedbackBody } from './feedback.js';

export interface RtcpPli {
  type: 'pli';
  senderSsrc: number;
  mediaSsrc: number;
}

/** FCI bytes, which PLI should not have, are ignored. */
export function parsePli(buf: Uint8Array, start: number, end: number): RtcpPli {
  checkFeedbackBody(start, end, 'PLI');
  return { type: 'pli', senderSsrc: readU32(buf, start), mediaSsrc: readU32(buf, start + 4) };
}

export function pliSize(_p: RtcpPli): number {
  return RTCP_HEADER_SIZE + FEEDBACK_COMMON_SIZE;
}

export function writePli(p: RtcpPli, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, FMT_PLI, PT_PSFB, size);
  writeU32(buf, o + 4, p.senderSsrc);
  writeU32(buf, o + 8, p.mediaSsrc);
  return o + size;
}
