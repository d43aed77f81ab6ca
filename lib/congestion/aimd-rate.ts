/**
 * GCC's rate controller: from the delay detector's signal and the rate the receiver
 * acknowledged, the delay-based estimate. Overuse cuts it to a fraction of what got through;
 * underuse holds it (the queue drains); normal grows it, multiplicatively (8% a second) while far
 * from the rate of the last cut, additively (about a packet per round trip) near it. It never
 * runs far ahead of what the receiver acknowledged. Pure, on the times passed in.
 */
import type { BandwidthUsage } from './delay-detector.js';

export const AIMD_RATE_DEFAULTS = Object.freeze({
  /** Decrease to this fraction of the acknowledged rate on overuse. */
  beta: 0.85,
  /** Multiplicative growth per second. */
  increasePerSecond: 0.08,
  /** The estimate stays below this multiple of the acknowledged rate, plus 10 kbit/s. */
  maxAboveAcked: 1.5,
  /** No second cut within this of the last (ms): the first has yet to show its effect. */
  decreaseHoldMs: 200,
  /** Round trip assumed for the additive step (ms). */
  rttMs: 100,
  /** A probe's result lifts the cap on the acknowledged rate for this long (ms): time to switch up and show it. */
  probeHoldMs: 5000,
});

/** One full egress packet: the additive step per round trip. */
const PACKET_BITS = 1200 * 8;

export class AimdRate {
  private rate: number;
  private lastUpdate = -1;
  private lastDecrease = -Infinity;
  /** The acknowledged rate at the last cut: near it, growth is additive. */
  private linkEstimate = 0;
  /** A probe's result, above what is acknowledged, believed until `probeUntil` (or an overuse). */
  private probeBps = 0;
  private probeUntil = -Infinity;
  /** Overuse cuts made. */
  cuts = 0;

  constructor(initialBps: number, private readonly minBps: number, private readonly maxBps: number, private readonly o = AIMD_RATE_DEFAULTS) {
    this.rate = initialBps;
  }

  get bps(): number {
    return this.rate;
  }

  /** A probe showed the path carries `bps`: the estimate rises to it (never falls by it). */
  raise(bps: number, now: number): void {
    this.probeBps = bps;
    this.probeUntil = now + this.o.probeHoldMs;
    this.rate = Math.min(this.maxBps, Math.max(this.rate, bps));
  }

  update(usage: BandwidthUsage, ackedBps: number, now: number): number {
    const dt = this.lastUpdate < 0 ? 0 : Math.min(now - this.lastUpdate, 1000);
    this.lastUpdate = now;
    if (usage === 'overuse') {
      if (now - this.lastDecrease >= this.o.decreaseHoldMs && ackedBps > 0) {
        this.rate = Math.min(this.rate, this.o.beta * ackedBps);
        this.linkEstimate = ackedBps;
        this.lastDecrease = now;
        this.probeUntil = -Infinity;
        this.cuts++;
      }
    } else if (usage === 'normal') {
      const near = this.linkEstimate > 0 && this.rate < this.linkEstimate * 1.5 && this.rate > this.linkEstimate * 0.5;
      if (near) this.rate += (PACKET_BITS * dt) / this.o.rttMs;
      else this.rate *= (1 + this.o.increasePerSecond) ** (dt / 1000);
      const probed = now < this.probeUntil ? this.probeBps : 0;
      if (ackedBps > 0) this.rate = Math.min(this.rate, Math.max(probed, this.o.maxAboveAcked * ackedBps + 10_000));
    }
    this.rate = Math.min(this.maxBps, Math.max(this.minBps, this.rate));
    return this.rate;
  }
}
