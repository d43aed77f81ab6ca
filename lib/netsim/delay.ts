/** Timing models: propagation delay with jitter, and a rate cap with a bounded queue. */
import type { NetModel, SimPacket } from './model.js';
import { Prng } from './prng.js';
import { NetsimError } from './errors.js';

export interface DelayOptions {
  /** Mean one-way delay (ms). */
  delayMs: number;
  /** Each packet's delay is uniform in delayMs +- jitterMs (never below 0). Default 0. */
  jitterMs?: number;
  /** Keep FIFO order (a packet never overtakes the one before it). Default false: jitter may reorder. */
  preserveOrder?: boolean;
}

export const DELAY_DEFAULTS = Object.freeze({
  jitterMs: 0,
  preserveOrder: false,
} as const satisfies Required<Omit<DelayOptions, 'delayMs'>>);

export class Delay implements NetModel {
  readonly name = 'delay';
  readonly stats = { in: 0 };
  private readonly delay: number;
  private readonly jitter: number;
  private readonly fifo: boolean;
  private lastOut = -Infinity;

  constructor(options: DelayOptions, private readonly rng: Prng) {
    this.delay = options.delayMs;
    this.jitter = options.jitterMs ?? DELAY_DEFAULTS.jitterMs;
    if (!(this.delay >= 0) || !(this.jitter >= 0)) throw new NetsimError('NETSIM_BAD_OPTION', 'delay and jitter must be >= 0');
    this.fifo = options.preserveOrder ?? DELAY_DEFAULTS.preserveOrder;
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    let t = p.time + Math.max(0, this.delay + this.jitter * (2 * this.rng.next() - 1));
    if (this.fifo && t < this.lastOut) t = this.lastOut;
    this.lastOut = t;
    p.time = t;
    out.push(p);
  }
}

export interface RateCapOptions {
  /** Link rate (kbit/s). */
  kbps: number;
  /** Longest queueing delay before tail drop (ms). Default 100. */
  queueMs?: number;
}

export const RATE_CAP_DEFAULTS = Object.freeze({
  queueMs: 100,
} as const satisfies Required<Omit<RateCapOptions, 'kbps'>>);

/** A bottleneck: packets are serialized at `kbps`; when the queue holds more than `queueMs`, new ones are dropped. */
export class RateCap implements NetModel {
  readonly name = 'rate-cap';
  readonly stats = { in: 0, dropped: 0 };
  private readonly bytesPerMs: number;
  private readonly queueMs: number;
  private busyUntil = -Infinity;

  constructor(options: RateCapOptions) {
    if (!(options.kbps > 0)) throw new NetsimError('NETSIM_BAD_OPTION', 'kbps must be > 0');
    this.bytesPerMs = options.kbps / 8;
    this.queueMs = options.queueMs ?? RATE_CAP_DEFAULTS.queueMs;
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    const start = Math.max(p.time, this.busyUntil);
    if (start - p.time > this.queueMs) {
      this.stats.dropped++;
      return;
    }
    this.busyUntil = start + p.size / this.bytesPerMs;
    p.time = this.busyUntil;
    out.push(p);
  }
}
