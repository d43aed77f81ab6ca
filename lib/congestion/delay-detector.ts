/**
 * The delay-based half of a GCC-style estimator (draft-ietf-rmcat-gcc): packets sent within a
 * burst form a group; for each pair of groups, how much longer the arrival gap was than the
 * send gap is queueing delay building (or draining). A trendline (least squares over the last
 * groups of the smoothed accumulated delay) gives its slope; an adaptive threshold turns the
 * slope into a signal: 'overuse' (a queue is growing: the link is full), 'underuse' (it is
 * draining) or 'normal'. Pure: times come in as arguments (ms).
 */

export type BandwidthUsage = 'normal' | 'overuse' | 'underuse';

export const DELAY_DETECTOR_DEFAULTS = Object.freeze({
  /** Packets sent within this of a group's first are one group (ms). */
  burstMs: 5,
  /** Groups the trendline fits. */
  windowSize: 20,
  /** Smoothing of the accumulated delay (0-1: weight of the past). */
  smoothing: 0.9,
  /** The slope is scaled by this (and the number of deltas, up to 60) before the threshold. */
  thresholdGain: 4,
  /** Adaptive threshold: start, bounds (ms), and how fast it follows the signal up or down. */
  initialThreshold: 12.5,
  minThreshold: 6,
  maxThreshold: 600,
  kUp: 0.0087,
  kDown: 0.039,
  /** A trend above the threshold this long (ms) and still rising is overuse. */
  overuseTimeMs: 10,
});

export type DelayDetectorOptions = Partial<Record<keyof typeof DELAY_DETECTOR_DEFAULTS, number>>;

export class DelayDetector {
  private readonly o: Record<keyof typeof DELAY_DETECTOR_DEFAULTS, number>;
  /**
   * The group being formed (its first and last send, its last arrival) and the last closed
   * one's last send and arrival: fields, not an object a group, as feedback for every packet
   * to every viewer comes through here.
   */
  private grouping = false;
  private firstSend = 0;
  private lastSend = 0;
  private lastArrival = 0;
  private closed = false;
  private closedLastSend = 0;
  private closedLastArrival = 0;
  private accumulated = 0;
  private smoothed = 0;
  private firstArrival = -1;
  private deltas = 0;
  /** Ring of (arrival ms since the first, smoothed delay) points for the fit. */
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private points = 0;
  private threshold: number;
  private lastThresholdUpdate = -1;
  private overuseSince = -1;
  private overuseCount = 0;
  private lastTrend = 0;
  private usage: BandwidthUsage = 'normal';
  /** The latest modified trend (ms), for stats. */
  trend = 0;

  constructor(opts: DelayDetectorOptions = {}) {
    this.o = { ...DELAY_DETECTOR_DEFAULTS, ...opts };
    this.xs = new Float64Array(this.o.windowSize);
    this.ys = new Float64Array(this.o.windowSize);
    this.threshold = this.o.initialThreshold;
  }

  get state(): BandwidthUsage {
    return this.usage;
  }

  /** One packet that arrived: sent at `sendMs` (sender clock), arrived at `arrivalMs` (receiver clock). In send order. */
  onPacket(sendMs: number, arrivalMs: number): void {
    if (this.grouping) {
      if (sendMs < this.firstSend) return; // reordered into a group already closed
      if (sendMs - this.firstSend <= this.o.burstMs) {
        if (sendMs > this.lastSend) this.lastSend = sendMs;
        if (arrivalMs > this.lastArrival) this.lastArrival = arrivalMs;
        return;
      }
      this.closeGroup();
    }
    this.grouping = true;
    this.firstSend = sendMs;
    this.lastSend = sendMs;
    this.lastArrival = arrivalMs;
  }

  private closeGroup(): void {
    const hadClosed = this.closed;
    const sendDelta = this.lastSend - this.closedLastSend;
    const arrivalDelta = this.lastArrival - this.closedLastArrival;
    this.closed = true;
    this.closedLastSend = this.lastSend;
    this.closedLastArrival = this.lastArrival;
    if (!hadClosed || sendDelta <= 0) return;
    this.update(arrivalDelta - sendDelta, this.lastArrival);
  }

  private update(delayDelta: number, arrival: number): void {
    const o = this.o;
    if (this.firstArrival < 0) this.firstArrival = arrival;
    this.deltas = Math.min(this.deltas + 1, 1000);
    this.accumulated += delayDelta;
    this.smoothed = o.smoothing * this.smoothed + (1 - o.smoothing) * this.accumulated;
    const i = this.points % o.windowSize;
    this.xs[i] = arrival - this.firstArrival;
    this.ys[i] = this.smoothed;
    this.points++;
    if (this.points < o.windowSize) return;
    const slope = this.slope();
    this.trend = Math.min(this.deltas, 60) * slope * o.thresholdGain;
    this.detect(this.trend, delayDelta, arrival);
  }

  private slope(): number {
    const n = this.o.windowSize;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sx += this.xs[i];
      sy += this.ys[i];
    }
    const mx = sx / n;
    const my = sy / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += (this.xs[i] - mx) * (this.ys[i] - my);
      den += (this.xs[i] - mx) ** 2;
    }
    return den === 0 ? 0 : num / den;
  }

  private detect(trend: number, delayDelta: number, now: number): void {
    if (trend > this.threshold) {
      if (this.overuseSince < 0) this.overuseSince = now - Math.max(0, delayDelta);
      this.overuseCount++;
      if (now - this.overuseSince > this.o.overuseTimeMs && this.overuseCount > 1 && trend >= this.lastTrend) this.usage = 'overuse';
    } else {
      this.overuseSince = -1;
      this.overuseCount = 0;
      this.usage = trend < -this.threshold ? 'underuse' : 'normal';
    }
    this.lastTrend = trend;
    this.adapt(trend, now);
  }

  /** The threshold follows the trend (slowly up, faster down), so a steady jitter does not read as overuse. */
  private adapt(trend: number, now: number): void {
    const o = this.o;
    const last = this.lastThresholdUpdate;
    this.lastThresholdUpdate = now;
    const abs = Math.abs(trend);
    // A spike well beyond the threshold (a route change, a frozen tab) is not learnt from.
    if (last < 0 || abs > this.threshold + 15) return;
    const k = abs < this.threshold ? o.kDown : o.kUp;
    const dt = Math.min(now - last, 100);
    this.threshold = Math.min(o.maxThreshold, Math.max(o.minThreshold, this.threshold + k * (abs - this.threshold) * dt));
  }
}
