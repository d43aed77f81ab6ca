/**
 * The sound's share of a viewer's link: the rate its audio sender has sent (RTP headers
 * included) over windows of `windowMs`. Its packets carry no transport-wide extension, so the
 * estimator is told this rate apart (BandwidthEstimator.setUntrackedBps) and the chooser
 * budgets the video within what is left.
 */
export const AUDIO_SHARE_DEFAULTS = Object.freeze({ windowMs: 1000 });

export interface AudioCounters {
  readonly packetsSent: number;
  /** Payload bytes. */
  readonly octetsSent: number;
}

const RTP_HEADER_BYTES = 12;

export class AudioShare {
  private since = -1;
  private bytesAtStart = 0;
  private bpsValue = 0;

  constructor(private readonly counters: () => AudioCounters | undefined, private readonly windowMs = AUDIO_SHARE_DEFAULTS.windowMs) {}

  /** The latest window's rate (bit/s), updated when a window has passed by `now`. */
  sample(now: number): number {
    const c = this.counters();
    if (!c) return 0;
    const bytes = c.octetsSent + c.packetsSent * RTP_HEADER_BYTES;
    if (this.since < 0) {
      this.since = now;
      this.bytesAtStart = bytes;
    } else if (now - this.since >= this.windowMs) {
      this.bpsValue = ((bytes - this.bytesAtStart) * 8000) / (now - this.since);
      this.since = now;
      this.bytesAtStart = bytes;
    }
    return this.bpsValue;
  }
}
