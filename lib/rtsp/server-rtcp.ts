/**
 * The little RTCP the server speaks, on top of lib/rtcp: a compound sender report (SR +
 * SDES CNAME, RFC 3550 6.4.1 / 6.5.1) and spotting keyframe requests (PLI, RFC 4585 6.3.1;
 * FIR, RFC 5104 4.3.1) in what a viewer sends. Malformed RTCP is ignored, never thrown.
 */
import { parseRtcp, serializeRtcp } from '../rtcp/compound.js';
import { RtcpParseError } from '../rtcp/errors.js';
import { msToNtp } from '../rtcp/ntp.js';
import { SDES_CNAME, sdesItem } from '../rtcp/sdes.js';

export interface SenderReportFields {
  ssrc: number;
  /** Wall-clock time of the report, ms since the Unix epoch. */
  wallClockMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  cname: string;
}

const EMPTY = new Uint8Array(0);

/** SR (no report blocks: the server receives no media) followed by SDES with one CNAME. */
export function buildSenderReport(f: SenderReportFields): Uint8Array {
  const ntp = msToNtp(f.wallClockMs);
  return serializeRtcp([
    {
      type: 'sr', ssrc: f.ssrc >>> 0, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: f.rtpTimestamp >>> 0,
      packetCount: f.packetCount >>> 0, octetCount: f.octetCount >>> 0, reports: [], profileExtension: EMPTY,
    },
    { type: 'sdes', chunks: [{ ssrc: f.ssrc >>> 0, items: [sdesItem(SDES_CNAME, f.cname.slice(0, 255))] }] },
  ]);
}

export type KeyframeRequestKind = 'pli' | 'fir';

/** The first PLI or FIR in an RTCP compound packet, or undefined (also for malformed input). */
export function findKeyframeRequest(buf: Uint8Array): KeyframeRequestKind | undefined {
  let packets;
  try {
    packets = parseRtcp(buf);
  } catch (e) {
    if (e instanceof RtcpParseError) return undefined;
    throw e;
  }
  for (const p of packets) if (p.type === 'pli' || p.type === 'fir') return p.type;
  return undefined;
}
