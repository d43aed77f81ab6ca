/** Sender report (RFC 3550 6.4.1): sender info, report blocks, profile-specific extension. */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError } from './errors.js';
import { PT_SR, RTCP_HEADER_SIZE, checkAligned, checkCount, checkPacketSize, writeHeader } from './header.js';
import { REPORT_BLOCK_SIZE, checkReportBlock, readReportBlock, writeReportBlock, type RtcpReportBlock } from './report-block.js';

export interface RtcpSenderReport {
  type: 'sr';
  ssrc: number;
  /** NTP timestamp, seconds part (since 1900, mod 2^32). */
  ntpSeconds: number;
  /** NTP timestamp, fraction part (units of 2^-32 s). */
  ntpFraction: number;
  /** RTP timestamp corresponding to the NTP timestamp. */
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
  /** Bytes after the report blocks (RFC 3550 6.4.3), whole words; a view into the input. */
  profileExtension: Uint8Array;
}

const SENDER_INFO_SIZE = 24; // SSRC + NTP(8) + RTP ts + packet count + octet count

export function parseSr(buf: Uint8Array, start: number, end: number, count: number): RtcpSenderReport {
  const blocksEnd = start + SENDER_INFO_SIZE + count * REPORT_BLOCK_SIZE;
  if (blocksEnd > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `SR with ${count} report blocks needs ${blocksEnd - start} bytes, has ${end - start}`);
  const reports: RtcpReportBlock[] = new Array(count);
  for (let i = 0; i < count; i++) reports[i] = readReportBlock(buf, start + SENDER_INFO_SIZE + i * REPORT_BLOCK_SIZE);
  return {
    type: 'sr',
    ssrc: readU32(buf, start),
    ntpSeconds: readU32(buf, start + 4),
    ntpFraction: readU32(buf, start + 8),
    rtpTimestamp: readU32(buf, start + 12),
    packetCount: readU32(buf, start + 16),
    octetCount: readU32(buf, start + 20),
    reports,
    profileExtension: buf.subarray(blocksEnd, end),
  };
}

export function srSize(p: RtcpSenderReport): number {
  checkCount(p.reports.length, 'report blocks');
  checkAligned(p.profileExtension, 'SR profile extension');
  for (const b of p.reports) checkReportBlock(b);
  return checkPacketSize(RTCP_HEADER_SIZE + SENDER_INFO_SIZE + p.reports.length * REPORT_BLOCK_SIZE + p.profileExtension.length, 'SR');
}

export function writeSr(p: RtcpSenderReport, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, p.reports.length, PT_SR, size);
  let i = o + RTCP_HEADER_SIZE;
  writeU32(buf, i, p.ssrc);
  writeU32(buf, i + 4, p.ntpSeconds);
  writeU32(buf, i + 8, p.ntpFraction);
  writeU32(buf, i + 12, p.rtpTimestamp);
  writeU32(buf, i + 16, p.packetCount);
  writeU32(buf, i + 20, p.octetCount);
  i += SENDER_INFO_SIZE;
  for (const b of p.reports) { writeReportBlock(buf, i, b); i += REPORT_BLOCK_SIZE; }
  buf.set(p.profileExtension, i);
  return o + size;
}
