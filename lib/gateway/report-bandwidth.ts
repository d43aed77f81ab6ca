/**
 * The bandwidth estimate of a viewer of a stream with renditions whose browser did not offer
 * transport-wide CC: the fraction lost its receiver reports give for its video SSRC, against
 * the bitrate it was being sent, and REMB when that is all it sends, fed to a
 * BandwidthEstimator (which takes loss as congestion only beyond what retransmission repairs).
 * Reports come about once a second, so parsing each compound packet whole costs nothing.
 */
import { BandwidthEstimator } from '../congestion/bandwidth-estimator.js';
import { parseRtcp, type RtcpPacket } from '../rtcp/compound.js';
import type { TransportCcStats } from './transport-cc-peer.js';

export class ReportBandwidth {
  readonly estimator = new BandwidthEstimator({ initialBps: 10_000_000 });
  private feedbackErrors = 0;

  constructor(
    private readonly videoSsrc: number,
    /** What the viewer is being sent now (bit/s): its rendition's measured bitrate. */
    private readonly sentBps: () => number,
    private readonly now: () => number,
  ) {}

  onRtcp(packet: Uint8Array): void {
    let packets: RtcpPacket[];
    try {
      packets = parseRtcp(packet);
    } catch {
      this.feedbackErrors++;
      return;
    }
    for (const p of packets) {
      if (p.type === 'remb') this.estimator.onRemb(p.bitrate);
      if (p.type !== 'rr' && p.type !== 'sr') continue;
      for (const b of p.reports) if (b.ssrc === this.videoSsrc) this.estimator.onReceiverReport(b.fractionLost / 256, this.sentBps(), this.now());
    }
  }

  stats(): TransportCcStats {
    return { ...this.estimator.stats(), feedbackErrors: this.feedbackErrors };
  }
}
