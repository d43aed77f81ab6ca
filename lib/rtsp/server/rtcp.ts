/**
 * The little RTCP the server speaks, on top of lib/rtcp: a compound sender report (SR +
 * SDES CNAME, RFC 3550 6.4.1 / 6.5.1) and spotting keyframe requests (PLI, RFC 4585 6.3.1;
 * FIR, RFC 5104 4.3.1) in what a viewer sends. Malformed RTCP is ignored, never thrown.
 */
import { parseRtcp, serializeRtcp } from '../../rtcp/compound.js';
import { RtcpParseError } from '../../rtcp/errors.js';
import { msToNtp, ntpMiddle32FromMs } from '../../rtcp/ntp.js';
import { nackItemsToSeqs } from '../../rtcp/nack.js';
import { rttFromReportBlock } from '../../rtcp/report-block.js';
import { SDES_CNAME, sdesItem } from '../../rtcp/sdes.js';

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

/** What a viewer's RTCP asks of the server: a keyframe, resends, and the RTT its reports give. */
export interface ViewerFeedback {
  keyframe: KeyframeRequestKind | undefined;
  /** Sequence numbers NACKed (RFC 4585 generic NACK) for `mediaSsrc`. */
  nackSeqs: number[];
  /** RTT from a report block about `mediaSsrc` (A - LSR - DLSR), when it has an LSR. */
  rttMs: number | undefined;
}

/**
 * Reads the feedback in one RTCP compound packet about our stream `mediaSsrc`, at wall-clock
 * `nowMs` (Unix epoch ms). Malformed RTCP gives empty feedback, never throws.
 */
export function readViewerFeedback(buf: Uint8Array, mediaSsrc: number, nowMs: number): ViewerFeedback {
  const out: ViewerFeedback = { keyframe: undefined, nackSeqs: [], rttMs: undefined };
  let packets;
  try {
    packets = parseRtcp(buf);
  } catch (e) {
    if (e instanceof RtcpParseError) return out;
    throw e;
  }
  for (const p of packets) {
    if ((p.type === 'pli' || p.type === 'fir') && out.keyframe === undefined) out.keyframe = p.type;
    else if (p.type === 'nack' && p.mediaSsrc >>> 0 === mediaSsrc >>> 0) {
      for (const seq of nackItemsToSeqs(p.items)) out.nackSeqs.push(seq);
    } else if (p.type === 'rr' || p.type === 'sr') {
      for (const b of p.reports) {
        if (b.ssrc >>> 0 !== mediaSsrc >>> 0) continue;
        const rtt = rttFromReportBlock(ntpMiddle32FromMs(nowMs), b.lsr, b.dlsr);
        if (rtt !== undefined && rtt < 10_000) out.rttMs = rtt;
      }
    }
  }
  return out;
}
