/** Full Intra Request (RFC 5104 4.3.1, PSFB FMT 4): one entry per target SSRC. */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { FMT_FIR, PT_PSFB, RTCP_HEADER_SIZE, checkPacketSize, writeHeader } from './header.js';
import { FEEDBACK_COMMON_SIZE, checkFeedbackBody } from './feedback.js';

export interface FirEntry {
  /** SSRC of the media sender asked for a decoder refresh. */
  ssrc: number;
  /** Command sequence number (8-bit); a repeat with the same number is the same request. */
  seqNr: number;
}

export interface RtcpFir {
  type: 'fir';
  senderSsrc: number;
  /** RFC 5104 says 0 (the targets are in the entries); kept as received. */
  mediaSsrc: number;
  entries: FirEntry[];
}

const FIR_ENTRY_SIZE = 8;

export function parseFir(buf: Uint8Array, start: number, end: number): RtcpFir {
  checkFeedbackBody(start, end, 'FIR');
  const fci = end - start - FEEDBACK_COMMON_SIZE;
  if (fci % FIR_ENTRY_SIZE !== 0) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `FIR FCI of ${fci} bytes is not whole 8-byte entries`);
  const n = fci / FIR_ENTRY_SIZE;
  const entries: FirEntry[] = new Array(n);
  for (let k = 0, o = start + FEEDBACK_COMMON_SIZE; k < n; k++, o += FIR_ENTRY_SIZE) {
    entries[k] = { ssrc: readU32(buf, o), seqNr: buf[o + 4] };
  }
  return { type: 'fir', senderSsrc: readU32(buf, start), mediaSsrc: readU32(buf, start + 4), entries };
}

export function firSize(p: RtcpFir): number {
  for (const e of p.entries) {
    if (e.seqNr >>> 8 !== 0) throw new RtcpSerializeError('RTCP_BAD_FIELD', `FIR seqNr ${e.seqNr} is not 8-bit`);
  }
  return checkPacketSize(RTCP_HEADER_SIZE + FEEDBACK_COMMON_SIZE + p.entries.length * FIR_ENTRY_SIZE, 'FIR');
}

export function writeFir(p: RtcpFir, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, FMT_FIR, PT_PSFB, size);
  writeU32(buf, o + 4, p.senderSsrc);
  writeU32(buf, o + 8, p.mediaSsrc);
  let i = o + 12;
  for (const e of p.entries) {
    writeU32(buf, i, e.ssrc);
    buf[i + 4] = e.seqNr;
    buf[i + 5] = 0;
    buf[i + 6] = 0;
    buf[i + 7] = 0;
    i += FIR_ENTRY_SIZE;
  }
  return o + size;
}
