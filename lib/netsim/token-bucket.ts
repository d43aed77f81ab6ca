/**
 * A bottleneck shaped the way `tc qdisc ... tbf rate R burst B latency L` shapes one: tokens
 * (bytes) accrue at the link rate up to `burstBytes`; a packet leaves as soon as the tokens
 * cover it, in arrival order; a packet that would wait longer than `latencyMs` in the queue is
 * dropped on arrival (tail drop). Unlike RateCap (a fixed serialization rate), the rate may
 * follow a schedule (steps, a sawtooth), so the loss lab can move a link under a viewer.
 */
import type { NetModel, SimPacket } from './model.js';
import { NetsimError } from './errors.js';

/** From `atMs` (after the bucket's origin) on, the link runs at `kbps`. */
export interface RateStep {
  atMs: number;
  kbps: number;
}

export interface TokenBucketOptions {
  /** The link rate (kbit/s): fixed, or a schedule of steps (the first at 0 ms, ascending). */
  kbps: number | readonly RateStep[];
  /** Bucket size (bytes): what may leave at once after an idle spell. Default 32768 (tbf `burst 32kb`). */
  burstBytes?: number;
  /** Longest queueing delay before tail drop (ms). Default 200 (tbf `latency 200ms`). */
  latencyMs?: number;
  /** Time (ms) the schedule counts from. Default: the first packet's arrival. */
  originMs?: number;
}

export const TOKEN_BUCKET_DEFAULTS = Object.freeze({
  burstBytes: 32768,
  latencyMs: 200,
} as const satisfies Required<Omit<TokenBucketOptions, 'kbps' | 'originMs'>>);

/** The steps of a schedule, checked: non-empty, first at 0, ascending times, rates > 0. */
export function rateSchedule(kbps: number | readonly RateStep[]): readonly RateStep[] {
  const steps = typeof kbps === 'number' ? [{ atMs: 0, kbps }] : kbps;
  if (steps.length === 0 || steps[0].atMs !== 0) throw new NetsimError('NETSIM_BAD_OPTION', 'a rate schedule starts at 0 ms');
  for (let i = 0; i < steps.length; i++) {
    if (!(steps[i].kbps > 0) || !Number.isFinite(steps[i].kbps)) throw new NetsimError('NETSIM_BAD_OPTION', 'kbps must be > 0');
    if (i > 0 && !(steps[i].atMs > steps[i - 1].atMs)) throw new NetsimError('NETSIM_BAD_OPTION', 'rate steps must be in ascending time');
  }
  return steps;
}

/** The rate (kbit/s) of `steps` at `t` ms after their origin. */
export function rateAt(steps: readonly RateStep[], t: number): number {
  let k = 0;
  while (k + 1 < steps.length && steps[k + 1].atMs <= t) k++;
  return steps[k].kbps;
}

export class TokenBucket implements NetModel {
  readonly name = 'token-bucket';
  readonly stats = { in: 0, dropped: 0, bytesIn: 0, bytesOut: 0 };
  private readonly steps: readonly RateStep[];
  private readonly burst: number;
  private readonly latency: number;
  private origin: number | undefined;
  /** Tokens (bytes) at `tokensAt`, the time the last packet left (or the origin). */
  private tokens: number;
  private tokensAt = -Infinity;

  constructor(options: TokenBucketOptions) {
    this.steps = rateSchedule(options.kbps);
    this.burst = options.burstBytes ?? TOKEN_BUCKET_DEFAULTS.burstBytes;
    this.latency = options.latencyMs ?? TOKEN_BUCKET_DEFAULTS.latencyMs;
    if (!(this.burst > 0) || !(this.latency >= 0)) throw new NetsimError('NETSIM_BAD_OPTION', 'burstBytes must be > 0 and latencyMs >= 0');
    this.origin = options.originMs;
    this.tokens = this.burst;
  }

  /** The link rate (kbit/s) at `now`; the first step's before any packet came. */
  rateKbps(now: number): number {
    return this.origin === undefined ? this.steps[0].kbps : rateAt(this.steps, now - this.origin);
  }

  /** When the schedule started (the first packet's arrival unless given), undefined before. */
  get originMs(): number | undefined {
    return this.origin;
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    this.stats.bytesIn += p.size;
    if (this.origin === undefined) this.origin = p.time;
    if (this.tokensAt === -Infinity) this.tokensAt = p.time;
    // The queue is FIFO: this packet starts waiting for tokens when the one before it has left.
    const start = Math.max(p.time, this.tokensAt);
    const have = Math.min(this.burst, this.tokens + this.bytesBetween(this.tokensAt, start));
    const leave = have >= p.size ? start : this.timeToEarn(start, p.size - have);
    if (leave - p.time > this.latency) {
      this.stats.dropped++;
      return;
    }
    // A packet larger than the bucket leaves with the bucket full and empties it.
    this.tokens = leave === start ? have - p.size : 0;
    this.tokensAt = leave;
    this.stats.bytesOut += p.size;
    p.time = leave;
    out.push(p);
  }

  /** Bytes the link earns between two times, step by step through the schedule. */
  private bytesBetween(from: number, to: number): number {
    let bytes = 0;
    let t = from;
    while (t < to) {
      this.segment(t);
      const end = Math.min(to, this.segUntil);
      bytes += ((end - t) * this.segKbps) / 8;
      t = end;
    }
    return bytes;
  }

  /** The time at which `bytes` more tokens have accrued after `from`. */
  private timeToEarn(from: number, bytes: number): number {
    let t = from;
    let need = bytes;
    for (;;) {
      this.segment(t);
      const perMs = this.segKbps / 8;
      if (this.segUntil === Infinity || (this.segUntil - t) * perMs >= need) return t + need / perMs;
      need -= (this.segUntil - t) * perMs;
      t = this.segUntil;
    }
  }

  /** Set by segment() (fields, not a returned object: this runs for every packet). */
  private segKbps = 0;
  private segUntil = Infinity;

  /** The rate at absolute time `t` and when it next changes (absolute; Infinity after the last step). */
  private segment(t: number): void {
    const o = this.origin ?? t;
    const rel = t - o;
    let k = 0;
    while (k + 1 < this.steps.length && this.steps[k + 1].atMs <= rel) k++;
    this.segKbps = this.steps[k].kbps;
    this.segUntil = k + 1 < this.steps.length ? o + this.steps[k + 1].atMs : Infinity;
  }
}
