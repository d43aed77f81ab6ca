/** Receiver report (RFC 3550 6.4.2): reporter SSRC, report blocks, profile-specific extension. */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError } from './errors.js';
import { PT_RR, RTCP_HEADER_SIZE, checkAligned, checkCount, checkPacketSize, writeHeader } from './header.js';
import { REPORT_BLOCK_SIZE, checkReportBlock, readReportBlock, writeReportBlock, type RtcpReportBlock } from './report-block.js';

export interface RtcpReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: RtcpReportBlock[];
  /** Bytes after the report blocks, whole words; a view into the input. */
  profileExtension: Uint8Array;
}

export function parseRr(buf: Uint8Array, start: number, end: number, count: number): RtcpReceiverReport {
  const blocksEnd = start + 4 + count * REPORT_BLOCK_SIZE;
  if (blocksEnd > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `RR with ${count} report blocks needs ${blocksEnd - start} bytes, has ${end - start}`);
  const reports: RtcpReportBlock[] = new Array(count);
  for (let i = 0; i < count; i++) reports[i] = readReportBlock(buf, start + 4 + i * REPORT_BLOCK_SIZE);
  return { type: 'rr', ssrc: readU32(buf, start), reports, profileExtension: buf.subarray(blocksEnd, end) };
}

export function rrSize(p: RtcpReceiverReport): number {
  checkCount(p.reports.length, 'report blocks');
  checkAligned(p.profileExtension, 'RR profile extension');
  for (const b of p.reports) checkReportBlock(b);
  return checkPacketSize(RTCP_HEADER_SIZE + 4 + p.reports.length * REPORT_BLOCK_SIZE + p.profileExtension.length, 'RR');
}

export function writeRr(p: RtcpReceiverReport, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, p.reports.length, PT_RR, size);
  writeU32(buf, o + 4, p.ssrc);
  let i = o + 8;
  for (const b of p.reports) { writeReportBlock(buf, i, b); i += REPORT_BLOCK_SIZE; }
  buf.set(p.profileExtension, i);
  return o + size;
}
