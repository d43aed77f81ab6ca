/**
 * Interarrival jitter of one RTP stream, RFC 3550 6.4.1 / A.8: the smoothed mean deviation
 * of the transit-time difference between consecutive packets, in timestamp units (what an
 * RR carries) and in ms (what the reorder buffer's hold time follows).
 * Feed it original packets only: a retransmission's arrival time says nothing about the path.
 */
import { tsDistance } from '../rtp/seq.js';

export interface JitterStats {
  packets: number;
}

export class JitterEstimator {
  readonly stats: JitterStats = { packets: 0 };
  readonly clockRate: number;
  private readonly unitsPerMs: number;
  private jitterUnits = 0;
  private lastTimestamp = 0;
  private lastArrivalMs = 0;
  private started = false;

  /** `clockRate` of the RTP timestamps in Hz (90000 for video). */
  constructor(clockRate: number) {
    this.clockRate = clockRate;
    this.unitsPerMs = clockRate / 1000;
  }

  /** One packet: its RTP timestamp and its arrival time in ms. */
  update(rtpTimestamp: number, arrivalMs: number): void {
    this.stats.packets++;
    if (!this.started) {
      this.started = true;
    } else {
      // D(i-1,i) = (Rj - Ri) - (Sj - Si), arrival converted to timestamp units; wrap-safe on S.
      const d = (arrivalMs - this.lastArrivalMs) * this.unitsPerMs - tsDistance(this.lastTimestamp, rtpTimestamp);
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.lastTimestamp = rtpTimestamp;
    this.lastArrivalMs = arrivalMs;
  }

  /** Jitter in timestamp units, rounded down as the RR's 32-bit field wants it. */
  get jitter(): number {
    return Math.min(0xffffffff, Math.floor(this.jitterUnits));
  }

  /** Jitter in milliseconds. */
  get jitterMs(): number {
    return this.jitterUnits / this.unitsPerMs;
  }

  reset(): void {
    this.started = false;
    this.jitterUnits = 0;
  }
}
