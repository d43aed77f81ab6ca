/** RTCP the client sends upstream: receiver reports (with CNAME) and feedback. */
import { serializeRtcp, sdesItem, SDES_CNAME, seqsToNackItems, type RtcpReportBlock } from '../../rtcp/index.js';

const CNAME = 'camwire';
const NO_EXTENSION = new Uint8Array(0);

/** RR + SDES CNAME compound (RFC 3550 6.1: every compound carries a CNAME). */
export function buildReceiverReport(ourSsrc: number, ...blocks: RtcpReportBlock[]): Uint8Array {
  return serializeRtcp([
    { type: 'rr', ssrc: ourSsrc, reports: blocks, profileExtension: NO_EXTENSION },
    { type: 'sdes', chunks: [{ ssrc: ourSsrc, items: [sdesItem(SDES_CNAME, CNAME)] }] },
  ]);
}

export function buildPli(ourSsrc: number, mediaSsrc: number): Uint8Array {
  return serializeRtcp([
    { type: 'rr', ssrc: ourSsrc, reports: [], profileExtension: NO_EXTENSION },
    { type: 'pli', senderSsrc: ourSsrc, mediaSsrc },
  ]);
}

export function buildFir(ourSsrc: number, mediaSsrc: number, seqNr: number): Uint8Array {
  return serializeRtcp([
    { type: 'rr', ssrc: ourSsrc, reports: [], profileExtension: NO_EXTENSION },
    { type: 'fir', senderSsrc: ourSsrc, mediaSsrc: 0, entries: [{ ssrc: mediaSsrc, seqNr: seqNr & 0xff }] },
  ]);
}

export function buildNack(ourSsrc: number, mediaSsrc: number, lostSeqs: Iterable<number>): Uint8Array {
  return serializeRtcp([
    { type: 'rr', ssrc: ourSsrc, reports: [], profileExtension: NO_EXTENSION },
    { type: 'nack', senderSsrc: ourSsrc, mediaSsrc, items: seqsToNackItems(lostSeqs) },
  ]);
}
