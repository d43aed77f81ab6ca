/**
 * A one-way lossy link: packets go through a chain of models and come out in arrival-time
 * order. Driven by the caller's clock (virtual in tests, real in the UDP relay):
 * `send` at the time a packet enters, `deliver(now)` to take out what has arrived by then,
 * `nextDeadline()` to know when to call `deliver` next.
 */
import type { NetModel, SimPacket } from './model.js';
import { DeliveryQueue } from './heap.js';
import { Prng } from './prng.js';
import { Duplicate, GilbertElliottLoss, RandomLoss, type GilbertElliottOptions } from './loss.js';
import { Reorder, type ReorderOptions } from './reorder.js';
import { Delay, RateCap, type DelayOptions, type RateCapOptions } from './delay.js';
import { TokenBucket, type TokenBucketOptions } from './token-bucket.js';

/** Receives what the link delivers. */
export type DeliverFn<T> = (data: T, time: number) => void;

export class Link<T> {
  readonly stats = { sent: 0, delivered: 0 };
  readonly models: readonly NetModel[];
  private readonly queue = new DeliveryQueue<T>();

  constructor(models: NetModel[]) {
    this.models = models;
  }

  /** A packet of `size` bytes enters the link at `now` (ms, non-decreasing). */
  send(data: T, size: number, now: number): void {
    this.advance(now);
    this.stats.sent++;
    this.runFrom(0, { data, size, time: now });
  }

  /** Hands every packet that has arrived by `now` to `fn`, in arrival order. Returns how many. */
  deliver(now: number, fn: DeliverFn<T>): number {
    this.advance(now);
    let n = 0;
    while (this.queue.size > 0 && this.queue.peekTime() <= now) {
      const p = this.queue.pop()!;
      this.stats.delivered++;
      n++;
      fn(p.data, p.time);
    }
    return n;
  }

  /** When `deliver` next has something to do; Infinity when the link is empty. */
  nextDeadline(): number {
    let t = this.queue.peekTime();
    for (const m of this.models) {
      if (m.nextRelease) t = Math.min(t, m.nextRelease());
    }
    return t;
  }

  /** Packets inside the link (queued or held by a model) are not counted; this is what has arrived and waits. */
  get queued(): number {
    return this.queue.size;
  }

  /** Every model's counters, keyed by model name (a repeated name gets a #index suffix). */
  modelStats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    this.models.forEach((m, i) => {
      out[m.name in out ? `${m.name}#${i}` : m.name] = { ...m.stats };
    });
    return out;
  }

  private advance(now: number): void {
    for (let k = 0; k < this.models.length; k++) {
      const m = this.models[k];
      if (!m.release || !m.nextRelease || m.nextRelease() > now) continue;
      const released: SimPacket<T>[] = [];
      m.release(now, released);
      for (const p of released) this.runFrom(k + 1, p);
    }
  }

  private runFrom(first: number, p: SimPacket<T>): void {
    // One reusable batch array per stage: runFrom is never re-entered while a batch is live.
    let batch: SimPacket<T>[] = this.scratch(first);
    batch.length = 0;
    batch.push(p);
    for (let k = first; k < this.models.length && batch.length > 0; k++) {
      const next = this.scratch(k + 1);
      next.length = 0;
      for (let i = 0; i < batch.length; i++) this.models[k].process(batch[i], next);
      batch = next;
    }
    for (let i = 0; i < batch.length; i++) this.queue.push(batch[i]);
    batch.length = 0;
  }

  private readonly batches: SimPacket<T>[][] = [];

  private scratch(k: number): SimPacket<T>[] {
    while (this.batches.length <= k) this.batches.push([]);
    return this.batches[k];
  }
}

/** A link described by numbers; the models are built in a fixed, sensible order. */
export interface LinkProfile {
  /** Independent loss probability. */
  loss?: number;
  /** Bursty loss (Gilbert-Elliott). */
  burst?: GilbertElliottOptions;
  /** Bottleneck with tail drop. */
  rate?: RateCapOptions;
  /** Bottleneck shaped as tc tbf does (rate or rate schedule, burst, latency). */
  tbf?: TokenBucketOptions;
  reorder?: ReorderOptions;
  /** Duplication probability. */
  duplicate?: number;
  delay?: DelayOptions;
}

/** Models for `profile`, in the order loss, burst, rate, tbf, reorder, duplicate, delay; each with its own PRNG stream from `seed`. */
export function modelsFromProfile(profile: LinkProfile, seed: number): NetModel[] {
  const root = new Prng(seed);
  const models: NetModel[] = [];
  if (profile.loss !== undefined && profile.loss > 0) models.push(new RandomLoss(profile.loss, root.fork(1)));
  if (profile.burst !== undefined && profile.burst.loss > 0) models.push(new GilbertElliottLoss(profile.burst, root.fork(2)));
  if (profile.rate !== undefined) models.push(new RateCap(profile.rate));
  if (profile.tbf !== undefined) models.push(new TokenBucket(profile.tbf));
  if (profile.reorder !== undefined && (profile.reorder.probability > 0 || (profile.reorder.underLoad?.probability ?? 0) > 0)) models.push(new Reorder(profile.reorder, root.fork(3)));
  if (profile.duplicate !== undefined && profile.duplicate > 0) models.push(new Duplicate(profile.duplicate, root.fork(4)));
  if (profile.delay !== undefined) models.push(new Delay(profile.delay, root.fork(5)));
  return models;
}

export function linkFromProfile<T>(profile: LinkProfile, seed: number): Link<T> {
  return new Link<T>(modelsFromProfile(profile, seed));
}

export interface TimedPacket<T> {
  data: T;
  /** Send time (ms); the array must be in non-decreasing time order. */
  time: number;
  /** Bytes on the wire. Default 1200. */
  size?: number;
}

/** Runs `packets` through a link (models or a profile) on virtual time; returns them in arrival order with arrival times. */
export function simulate<T>(link: NetModel[] | LinkProfile, packets: readonly TimedPacket<T>[], seed = 1): { data: T; time: number }[] {
  const l = new Link<T>(Array.isArray(link) ? link : modelsFromProfile(link, seed));
  for (const p of packets) l.send(p.data, p.size ?? 1200, p.time);
  const out: { data: T; time: number }[] = [];
  l.deliver(Infinity, (data, time) => out.push({ data, time }));
  return out;
}
