/**
 * Decode times from RTP timestamps: a monotonic count of timescale ticks (the tfdt of each
 * fragment) that goes on across the 32-bit RTP wrap and across camera restarts. A step forward
 * up to `maxStep` is taken as it is; anything else (a step back, a repeat, a jump: a camera
 * that restarted with a new random timestamp) is rebased: the timeline goes on one sample
 * duration after the last sample, as the gateway's egress timeline does. Decode time never
 * goes back, nor stands still.
 */
import { tsDistance } from '../rtp/seq.js';

export class DecodeTimeline {
  /** Rebases so far (jumps, restarts, steps back); the first sample is not one. */
  rebases = 0;
  private lastTimestamp = 0;
  private lastDecodeTime = -1;
  /** The last step taken as it was: the duration a rebased sample's predecessor is given. */
  private lastStep: number;

  /**
   * @param maxStep largest forward step (in ticks) taken as continuous
   * @param fallbackStep sample duration assumed when a rebase comes before any step was seen
   */
  constructor(private readonly maxStep: number, fallbackStep: number) {
    this.lastStep = fallbackStep;
  }

  /** Decode time of a sample with RTP timestamp `timestamp`; the first sample is at 0. */
  next(timestamp: number): number {
    if (this.lastDecodeTime < 0) {
      this.lastDecodeTime = 0;
    } else {
      const step = tsDistance(this.lastTimestamp, timestamp);
      if (step > 0 && step <= this.maxStep) {
        this.lastStep = step;
      } else {
        this.rebases++;
      }
      this.lastDecodeTime += this.lastStep;
    }
    this.lastTimestamp = timestamp >>> 0;
    return this.lastDecodeTime;
  }

  /** Duration to give the newest sample when no successor tells it (end of stream). */
  get lastSampleDuration(): number {
    return this.lastStep;
  }
}
