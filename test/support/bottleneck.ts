/**
 * A bottleneck link on virtual time, for the bandwidth estimator's tests: packets queue behind a
 * rate cap (arrival = max(sent + propagation, previous arrival + serialization)), are dropped
 * when the queue would hold them longer than `maxQueueMs` (as tc tbf's latency does), and are
 * lost at random with `lossRate` regardless of the queue (as the study's firewall does). The
 * receiver's transport-cc feedback is built every `feedbackMs` from what arrived by then.
 */
import { TWCC_NOT_RECEIVED, TWCC_SMALL_DELTA, TWCC_LARGE_DELTA, type TransportCcFeedback } from '../../lib/rtcp/index.js';
import { Prng } from '../../lib/netsim/prng.js';

export interface BottleneckOptions {
  /** Capacity (bit/s) as a function of time (ms). */
  capacityBps: (now: number) => number;
  lossRate: number;
  seed: number;
  propagationMs?: number;
  maxQueueMs?: number;
  /**
   * A token bucket in front of the queue (tc tbf's `burst`, bytes): while the link has been
   * idle it fills at the capacity, and packets it covers cross at line rate, queueing nothing.
   */
  burstBytes?: number;
}

interface InFlight {
  seq: number;
  arrival: number; // -1: lost
}

export class Bottleneck {
  private lastArrival = 0;
  private readonly flight: InFlight[] = [];
  private readonly rng: Prng;
  private fbCount = 0;
  /** Packets the full queue dropped (random losses not counted), and the longest queue seen (ms). */
  queueDrops = 0;
  maxQueueMs = 0;
  private tokens = 0;
  private tokensAt = 0;

  constructor(private readonly o: BottleneckOptions) {
    this.rng = new Prng(o.seed);
  }

  send(seq: number, bytes: number, now: number): void {
    const prop = this.o.propagationMs ?? 20;
    const serialize = (bytes * 8 * 1000) / this.o.capacityBps(now);
    const start = Math.max(now, this.lastArrival - prop);
    if (this.o.burstBytes && start === now && this.fromBucket(bytes, now)) {
      if (seq >= 0) this.flight.push({ seq, arrival: this.rng.next() < this.o.lossRate ? -1 : now + prop });
      return;
    }
    const queueMs = start - now;
    if (queueMs > (this.o.maxQueueMs ?? 200)) {
      this.queueDrops++;
      if (seq >= 0) this.flight.push({ seq, arrival: -1 });
      return;
    }
    this.maxQueueMs = Math.max(this.maxQueueMs, queueMs);
    const arrival = start + serialize + prop;
    this.lastArrival = arrival;
    const lost = this.rng.next() < this.o.lossRate;
    if (seq >= 0) this.flight.push({ seq, arrival: lost ? -1 : arrival });
  }

  /** Whether the bucket covers `bytes` now (the queue being empty), taking them from it. */
  private fromBucket(bytes: number, now: number): boolean {
    this.tokens = Math.min(this.o.burstBytes ?? 0, this.tokens + ((now - this.tokensAt) * this.o.capacityBps(now)) / 8000);
    this.tokensAt = now;
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }

  /** A packet without the transport-wide extension (the sound): it takes its share of the link, and is not reported. */
  sendUntracked(bytes: number, now: number): void {
    this.send(-1, bytes, now);
  }

  /** Feedback for every packet whose fate is known by `now`, in transport sequence order. */
  feedback(now: number): TransportCcFeedback | undefined {
    // A packet is reported once it arrived, or once a later one did (then it is lost).
    let lastKnown = -1;
    for (let i = 0; i < this.flight.length; i++) if (this.flight[i].arrival >= 0 && this.flight[i].arrival <= now) lastKnown = i;
    const n = lastKnown + 1;
    if (n === 0) return undefined;
    const batch = this.flight.splice(0, n);
    const statuses = new Uint8Array(n);
    const deltas = new Int32Array(n);
    const firstArrival = batch.find((p) => p.arrival >= 0)!.arrival;
    const reference = Math.floor(firstArrival / 64);
    let prev = reference * 64;
    for (let i = 0; i < n; i++) {
      const p = batch[i];
      if (p.arrival < 0 || p.arrival > now) {
        statuses[i] = TWCC_NOT_RECEIVED;
        continue;
      }
      const d = Math.round((p.arrival - prev) * 4);
      statuses[i] = d >= 0 && d <= 255 ? TWCC_SMALL_DELTA : TWCC_LARGE_DELTA;
      deltas[i] = d;
      prev += d / 4;
    }
    const base = batch[0].seq;
    return { senderSsrc: 1, mediaSsrc: 2, baseSeq: base, referenceTime: reference, feedbackCount: this.fbCount++ & 0xff, statuses, deltas };
  }
}
