/**
 * Maps RTP timestamps to wall-clock send times, the way a camera emits frames as they are
 * captured. The mapping is an anchor (wall time, RTP time) rather than a running sum of
 * frame durations, so timer jitter never accumulates into drift. When the sender falls
 * further behind than `maxLagMs` (event loop stalled, machine suspended) it re-anchors
 * instead of bursting every late frame at once.
 */
import { tsAdd, tsDistance } from '../../rtp/seq.js';

export interface PacerOptions {
  /** RTP clock rate in Hz. Default 90000 (video). */
  clockRate?: number;
  /** Lateness beyond which the pacer re-anchors instead of catching up. Default 1000 ms. */
  maxLagMs?: number;
}

export const PACER_DEFAULTS = Object.freeze({
  clockRate: 90000,
  maxLagMs: 1000,
} as const satisfies Required<PacerOptions>);

export interface PacerStats {
  /** Times the pacer gave up catching up and re-anchored on the current time. */
  reanchors: number;
}

export class RtpPacer {
  readonly clockRate: number;
  readonly maxLagMs: number;
  readonly stats: PacerStats = { reanchors: 0 };
  private anchorWallMs = 0;
  private anchorRtp = 0;
  private anchored = false;

  constructor(opts: PacerOptions = {}) {
    this.clockRate = opts.clockRate ?? PACER_DEFAULTS.clockRate;
    this.maxLagMs = opts.maxLagMs ?? PACER_DEFAULTS.maxLagMs;
  }

  /** Declares that RTP time `rtpTimestamp` is due at wall time `nowMs`. */
  anchor(rtpTimestamp: number, nowMs: number): void {
    this.anchorRtp = rtpTimestamp >>> 0;
    this.anchorWallMs = nowMs;
    this.anchored = true;
  }

  /**
   * Milliseconds from `nowMs` until a packet stamped `rtpTimestamp` is due (0 when due or
   * late). Re-anchors on `rtpTimestamp` when it is later than `maxLagMs`.
   */
  delayUntil(rtpTimestamp: number, nowMs: number): number {
    if (!this.anchored) {
      this.anchor(rtpTimestamp, nowMs);
      return 0;
    }
    const due = this.anchorWallMs + (tsDistance(this.anchorRtp, rtpTimestamp) * 1000) / this.clockRate;
    const delay = due - nowMs;
    if (delay < -this.maxLagMs) {
      this.stats.reanchors++;
      this.anchor(rtpTimestamp, nowMs);
      return 0;
    }
    return delay > 0 ? delay : 0;
  }

  /** The RTP timestamp that corresponds to wall time `nowMs` (for sender reports). */
  rtpTimeAt(nowMs: number): number {
    return tsAdd(this.anchorRtp, Math.round(((nowMs - this.anchorWallMs) * this.clockRate) / 1000));
  }
}
