/**
 * The little RTCP the server speaks: a compound sender report (SR + SDES CNAME, RFC 3550
 * 6.4.1 and 6.5.1) and recognising keyframe requests (PLI, RFC 4585 6.3.1; FIR, RFC 5104
 * 4.3.1) in whatever a viewer sends. Scanning never throws: a malformed compound is ignored.
 */
import { writeU32 } from '../rtp/packet.js';

const NTP_UNIX_OFFSET_S = 2208988800;
const PT_SR = 200;
const PT_SDES = 202;
const PT_PSFB = 206;
const FMT_PLI = 1;
const FMT_FIR = 4;

export interface SenderReportFields {
  ssrc: number;
  /** Wall-clock time of the report, ms since the Unix epoch. */
  wallClockMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  cname: string;
}

/** SR (no report blocks) followed by SDES with one CNAME item. */
export function buildSenderReport(f: SenderReportFields): Uint8Array {
  const cname = new TextEncoder().encode(f.cname.slice(0, 255));
  const sdesChunk = 4 + 2 + cname.length + 1; // SSRC, type+len, text, null terminator
  const sdesLen = 4 + ((sdesChunk + 3) & ~3);
  const out = new Uint8Array(28 + sdesLen);
  out[0] = 0x80;
  out[1] = PT_SR;
  out[3] = 6;
  writeU32(out, 4, f.ssrc);
  const seconds = Math.floor(f.wallClockMs / 1000);
  const fraction = Math.floor(((f.wallClockMs - seconds * 1000) / 1000) * 2 ** 32);
  writeU32(out, 8, (seconds + NTP_UNIX_OFFSET_S) >>> 0);
  writeU32(out, 12, fraction >>> 0);
  writeU32(out, 16, f.rtpTimestamp);
  writeU32(out, 20, f.packetCount);
  writeU32(out, 24, f.octetCount);
  const s = 28;
  out[s] = 0x81;
  out[s + 1] = PT_SDES;
  const words = sdesLen / 4 - 1;
  out[s + 2] = words >> 8;
  out[s + 3] = words & 0xff;
  writeU32(out, s + 4, f.ssrc);
  out[s + 8] = 1; // CNAME
  out[s + 9] = cname.length;
  out.set(cname, s + 10);
  return out;
}

export type KeyframeRequestKind = 'pli' | 'fir';

/** The first PLI or FIR in an RTCP compound packet, or undefined (also for malformed input). */
export function findKeyframeRequest(buf: Uint8Array): KeyframeRequestKind | undefined {
  let o = 0;
  while (o + 4 <= buf.length) {
    if (buf[o] >> 6 !== 2) return undefined;
    const pt = buf[o + 1];
    const len = (((buf[o + 2] << 8) | buf[o + 3]) + 1) * 4;
    if (o + len > buf.length) return undefined;
    if (pt === PT_PSFB) {
      const fmt = buf[o] & 0x1f;
      if (fmt === FMT_PLI && len >= 12) return 'pli';
      if (fmt === FMT_FIR && len >= 20) return 'fir';
    }
    o += len;
  }
  return undefined;
}

/** True when the bytes look like RTCP (version 2, packet type 192-223), for RTP/RTCP demux. */
export function looksLikeRtcp(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] >> 6 === 2 && buf[1] >= 192 && buf[1] <= 223;
}
