/** GatewayRtcp over camwire's lib/rtcp: browser RTCP in as viewer events, SR + SDES out. */
import {
  msToNtp, nackItemsToSeqs, ntpMiddle32, ntpMiddle32FromMs, parseRtcp, sdesItem, serializeRtcp, SDES_CNAME,
  type RtcpReportBlock,
} from '../rtcp/index.js';
import type { GatewayRtcp, RtcpEvent, SenderReportInfo } from './deps.js';

function reportEvents(blocks: readonly RtcpReportBlock[], out: RtcpEvent[]): void {
  for (const b of blocks) {
    out.push({
      type: 'report', ssrc: b.ssrc, fractionLost: b.fractionLost / 256, cumulativeLost: b.cumulativeLost,
      jitter: b.jitter, lastSr: b.lsr, delaySinceLastSr: b.dlsr,
    });
  }
}

export const gatewayRtcp: GatewayRtcp = {
  parse(packet: Uint8Array): RtcpEvent[] {
    const out: RtcpEvent[] = [];
    for (const p of parseRtcp(packet)) {
      switch (p.type) {
        case 'nack':
          out.push({ type: 'nack', mediaSsrc: p.mediaSsrc, lost: nackItemsToSeqs(p.items) });
          break;
        case 'pli':
          out.push({ type: 'pli', mediaSsrc: p.mediaSsrc });
          break;
        case 'fir':
          for (const e of p.entries) out.push({ type: 'fir', mediaSsrc: e.ssrc });
          break;
        case 'remb':
          out.push({ type: 'remb', bitrate: p.bitrate });
          break;
        case 'rr':
        case 'sr':
          reportEvents(p.reports, out);
          break;
        case 'xr':
          for (const b of p.blocks) {
            if (b.type === 'rrtr') out.push({ type: 'rrtr', ssrc: p.ssrc, lastRr: ntpMiddle32(b.ntpSeconds, b.ntpFraction) });
          }
          break;
        default:
          break;
      }
    }
    return out;
  },

  senderReport(i: SenderReportInfo): Uint8Array {
    const ntp = msToNtp(i.wallClockMs);
    return serializeRtcp([
      {
        type: 'sr', ssrc: i.ssrc, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: i.rtpTimestamp >>> 0,
        packetCount: i.packetCount >>> 0, octetCount: i.octetCount >>> 0, reports: [], profileExtension: new Uint8Array(0),
      },
      { type: 'sdes', chunks: [{ ssrc: i.ssrc, items: [sdesItem(SDES_CNAME, i.cname)] }] },
    ]);
  },

  dlrr(senderSsrc: number, receiverSsrc: number, lastRr: number, delayMs: number): Uint8Array {
    const delaySinceLastRr = Math.min(0xffffffff, Math.max(0, Math.round((delayMs * 65536) / 1000)));
    return serializeRtcp([{ type: 'xr', ssrc: senderSsrc, blocks: [{ type: 'dlrr', items: [{ ssrc: receiverSsrc, lastRr, delaySinceLastRr }] }] }]);
  },

  ntpMiddle: ntpMiddle32FromMs,
};
