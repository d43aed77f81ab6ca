/**
 * Receiving-side reorder buffer: takes RTP packets in arrival order and releases them in
 * sequence order. A gap is held for a bounded time and a bounded number of packets, then the
 * missing packets are declared lost and the buffer moves on. Generic over the packet type:
 * it only ever looks at the 16-bit sequence number the caller passes beside the packet.
 *
 * Extended sequence numbers (cycles * 65536 + seq) are what the sink sees; they are strictly
 * increasing, also across a camera restart (the buffer resynchronizes instead of waiting).
 *
 * It does not use lib/rtp's SequenceTracker on purpose: it measures distance from the next
 * packet to release (not the newest received), tells duplicates from late arrivals by each
 * number's recorded fate, and takes a restart only when two consecutive far-off packets confirm
 * it (RFC 3550 A.1 probation), so the in-order stages behind it may restart at once.
 */
import { seqDistance } from '../rtp/seq.js';

/** Where released packets and loss events go. Methods, not closures: no per-packet allocation. */
export interface ReorderSink<T> {
  /** Next packet in sequence order. `extSeq & 0xffff` is its RTP sequence number. */
  onPacket(pkt: T, extSeq: number): void;
  /** `count` packets from `fromExt` on will never be delivered (a depacketizer drops its partial frame). */
  onLoss(fromExt: number, count: number): void;
  /** The sender restarted its sequence space; the next packet is `nextExt`. Not a loss. */
  onResync?(nextExt: number): void;
}

export interface ReorderBufferOptions {
  /** Most packets held behind a gap (window size); rounded up to a power of two. Default 512. */
  capacity?: number;
  /** Fixed hold time for a gap in ms. When absent: clamp(max(2 x jitter, recovery wait), minWaitMs, maxWaitMs). */
  waitMs?: number;
  /** Lower bound of the jitter-derived hold time. Default 20 ms. */
  minWaitMs?: number;
  /** Upper bound of the jitter-derived hold time. Default 200 ms. */
  maxWaitMs?: number;
  /**
   * A packet this many or more sequence numbers ahead or behind is not treated as reordering:
   * two such consecutive packets mean the sender restarted. At least `capacity`. Default 3000.
   */
  resyncJump?: number;
  /**
   * Hold the very first packet for the gap hold time, so that packets sent before it but
   * overtaken by it (jitter at start) are delivered instead of dropped as too old. Default true.
   */
  startupHold?: boolean;
}

/** `waitMs` has no default: without it the hold time follows the jitter. */
export const REORDER_BUFFER_DEFAULTS = Object.freeze({
  capacity: 512,
  minWaitMs: 20,
  maxWaitMs: 200,
  resyncJump: 3000,
  startupHold: true,
} as const satisfies Required<Omit<ReorderBufferOptions, 'waitMs'>>);

export interface ReorderBufferStats {
  received: number;
  delivered: number;
  /** Packets declared lost. */
  lost: number;
  /** onLoss calls (runs of lost packets). */
  lossEvents: number;
  /** Arrived in time to fill a gap. */
  reordered: number;
  duplicates: number;
  /** Arrived after their loss had been declared (dropped). */
  late: number;
  /** Arrived behind the window with no record of them (dropped). */
  tooOld: number;
  /** Gaps given up because their hold time ran out. */
  timeouts: number;
  /** Gaps given up because the window was full. */
  overflows: number;
  resyncs: number;
  /** Far-off packets (`resyncJump` or more away) not confirmed as a restart (dropped). */
  strays: number;
}

const UNKNOWN = 0;
const DELIVERED = 1;
const LOST = 2;

export class ReorderBuffer<T extends NonNullable<unknown>> {
  readonly stats: ReorderBufferStats = {
    received: 0, delivered: 0, lost: 0, lossEvents: 0, reordered: 0, duplicates: 0, late: 0,
    tooOld: 0, timeouts: 0, overflows: 0, resyncs: 0, strays: 0,
  };
  readonly capacity: number;
  private readonly mask: number;
  private readonly sink: ReorderSink<T>;
  private readonly slots: (T | undefined)[];
  private readonly arrival: Float64Array;
  /** Fate of the `capacity` sequence numbers behind `head`, to tell duplicates from late arrivals. */
  private readonly past: Uint8Array;
  private readonly fixedWait: number | undefined;
  private readonly minWait: number;
  private readonly maxWait: number;
  private readonly resyncJump: number;
  private wait: number;
  private started = false;
  private readonly startupHold: boolean;
  /** Until the first release: earlier sequence numbers may still move the head back. */
  private priming = false;
  /** Extended number of the next packet to release. */
  private head = 0;
  /** Highest extended number received; head - 1 when nothing is held. */
  private highest = -1;
  private held = 0;
  /** Earliest arrival among held packets: the head gap has been known since then. */
  private minArrival = Infinity;
  private candidate: T | undefined;
  private candidateSeq = -1;
  private jitterMs = 0;
  private recoveryWait = 0;

  constructor(sink: ReorderSink<T>, options: ReorderBufferOptions = {}) {
    this.sink = sink;
    let cap = 1;
    while (cap < Math.max(2, options.capacity ?? REORDER_BUFFER_DEFAULTS.capacity)) cap <<= 1;
    this.capacity = cap;
    this.mask = cap - 1;
    this.slots = new Array<T | undefined>(cap).fill(undefined);
    this.arrival = new Float64Array(cap);
    this.past = new Uint8Array(cap);
    this.fixedWait = options.waitMs;
    this.minWait = options.minWaitMs ?? REORDER_BUFFER_DEFAULTS.minWaitMs;
    this.maxWait = options.maxWaitMs ?? REORDER_BUFFER_DEFAULTS.maxWaitMs;
    this.resyncJump = Math.max(cap, options.resyncJump ?? REORDER_BUFFER_DEFAULTS.resyncJump);
    this.wait = this.fixedWait ?? this.minWait;
    this.startupHold = options.startupHold ?? REORDER_BUFFER_DEFAULTS.startupHold;
  }

  /** Current hold time for a gap, in ms. */
  get waitMs(): number {
    return this.wait;
  }

  /** Packets currently held behind a gap. */
  get heldCount(): number {
    return this.held;
  }

  /** Feeds the interarrival jitter (ms); the hold time follows it unless `waitMs` was fixed. */
  setJitterMs(jitterMs: number): void {
    this.jitterMs = jitterMs;
    this.updateWait();
  }

  /**
   * Time (ms) loss recovery needs to refill a gap (e.g. NACK first delay + one RTT and a
   * retry): the hold time becomes clamp(max(2 x jitter, this), minWaitMs, maxWaitMs).
   */
  setRecoveryWaitMs(ms: number): void {
    this.recoveryWait = ms;
    this.updateWait();
  }

  private updateWait(): void {
    if (this.fixedWait !== undefined) return;
    const want = Math.max(2 * this.jitterMs, this.recoveryWait);
    this.wait = Math.min(this.maxWait, Math.max(this.minWait, want));
  }

  /** One arriving packet with its RTP sequence number, at time `now` (ms). */
  push(pkt: T, seq: number, now: number): void {
    this.stats.received++;
    if (!this.started) {
      this.started = true;
      this.head = 65536 + seq;
      this.highest = this.head - 1;
      if (this.startupHold) {
        // Held as if behind a gap: released by `poll` once the hold time has passed.
        this.priming = true;
        this.hold(pkt, this.head, now);
        return;
      }
    }
    const d = seqDistance(this.head & 0xffff, seq);
    if (d === 0 && this.held === 0) {
      // In-order fast path: nothing held, nothing to store.
      if (this.candidate !== undefined) this.dropCandidate();
      const ext = this.head++;
      this.highest = ext;
      this.past[ext & this.mask] = DELIVERED;
      this.stats.delivered++;
      this.sink.onPacket(pkt, ext);
      return;
    }
    if (d < 0) {
      if (this.priming && this.highest - (this.head + d) < this.capacity) {
        // Sent before the first arrival, overtaken by it: start earlier.
        this.head += d;
        this.stats.reordered++;
        this.hold(pkt, this.head, now);
        return;
      }
      if (-d > this.resyncJump) return this.farOff(pkt, seq);
      if (-d > this.capacity) {
        this.stats.tooOld++;
        return;
      }
      const state = this.past[(this.head + d) & this.mask];
      if (state === DELIVERED) this.stats.duplicates++;
      else if (state === LOST) this.stats.late++;
      else this.stats.tooOld++;
      return;
    }
    if (d >= this.resyncJump) return this.farOff(pkt, seq);
    if (this.candidate !== undefined) this.dropCandidate();
    const ext = this.head + d;
    if (ext >= this.head + this.capacity) {
      this.stats.overflows++;
      this.releaseBefore(ext - this.capacity + 1);
    }
    if (this.slots[ext & this.mask] !== undefined) {
      this.stats.duplicates++;
      return;
    }
    if (ext < this.highest) this.stats.reordered++;
    if (ext === this.head) {
      this.head++;
      this.past[ext & this.mask] = DELIVERED;
      this.stats.delivered++;
      this.sink.onPacket(pkt, ext);
      this.drain();
      return;
    }
    this.hold(pkt, ext, now);
  }

  private hold(pkt: T, ext: number, now: number): void {
    const slot = ext & this.mask;
    this.slots[slot] = pkt;
    this.arrival[slot] = now;
    this.held++;
    if (ext > this.highest) this.highest = ext;
    if (now < this.minArrival) this.minArrival = now;
  }

  /** Time (ms) at which `poll` has work to do; Infinity when nothing is held. */
  nextDeadline(): number {
    return this.held > 0 ? this.minArrival + this.wait : Infinity;
  }

  /** Gives up gaps whose hold time ran out by `now` and releases what follows them. */
  poll(now: number): void {
    while (this.held > 0 && now >= this.minArrival + this.wait) {
      if (this.priming) {
        this.priming = false;
        if (this.slots[this.head & this.mask] !== undefined) {
          this.drain();
          continue;
        }
      }
      this.stats.timeouts++;
      let ext = this.head;
      while (this.slots[ext & this.mask] === undefined) ext++;
      this.releaseBefore(ext);
    }
  }

  /** End of stream: releases every held packet, declaring the gaps between them lost; drops an unconfirmed far-off packet. */
  flush(): void {
    this.priming = false;
    if (this.held > 0) this.releaseBefore(this.highest + 1);
    if (this.candidate !== undefined) this.dropCandidate();
  }

  /** Declares everything missing below `target` lost and releases held packets up to it, then drains. */
  private releaseBefore(target: number): void {
    this.priming = false;
    while (this.head < target) {
      if (this.held === 0) {
        this.declareLost(this.head, target - this.head);
        this.head = target;
        break;
      }
      const slot = this.head & this.mask;
      const pkt = this.slots[slot];
      if (pkt !== undefined) {
        this.slots[slot] = undefined;
        this.held--;
        this.past[slot] = DELIVERED;
        this.stats.delivered++;
        this.sink.onPacket(pkt, this.head++);
        continue;
      }
      const from = this.head;
      while (this.head < target && this.slots[this.head & this.mask] === undefined) this.head++;
      this.declareLost(from, this.head - from);
    }
    if (this.highest < this.head - 1) this.highest = this.head - 1;
    this.drain();
  }

  private declareLost(from: number, count: number): void {
    const marks = Math.min(count, this.capacity);
    for (let e = from + count - marks; e < from + count; e++) this.past[e & this.mask] = LOST;
    this.stats.lost += count;
    this.stats.lossEvents++;
    this.sink.onLoss(from, count);
  }

  /** Releases the contiguous run of held packets at the head and refreshes `minArrival`. */
  private drain(): void {
    let slot = this.head & this.mask;
    let pkt = this.slots[slot];
    while (pkt !== undefined) {
      this.slots[slot] = undefined;
      this.held--;
      this.past[slot] = DELIVERED;
      this.stats.delivered++;
      this.sink.onPacket(pkt, this.head++);
      slot = this.head & this.mask;
      pkt = this.slots[slot];
    }
    if (this.held === 0) {
      this.minArrival = Infinity;
      return;
    }
    let min = Infinity;
    for (let e = this.head; e <= this.highest; e++) {
      const s = e & this.mask;
      if (this.slots[s] !== undefined && this.arrival[s] < min) min = this.arrival[s];
    }
    this.minArrival = min;
  }

  /** A packet far outside the window: the sender restarted once two consecutive ones arrive. */
  private farOff(pkt: T, seq: number): void {
    if (this.candidate === undefined || seq !== ((this.candidateSeq + 1) & 0xffff)) {
      if (this.candidate !== undefined) this.stats.strays++;
      this.candidate = pkt;
      this.candidateSeq = seq;
      return;
    }
    const first = this.candidate;
    const firstSeq = this.candidateSeq;
    this.candidate = undefined;
    this.priming = false;
    if (this.held > 0) this.releaseBefore(this.highest + 1);
    this.past.fill(UNKNOWN);
    // Keep extended numbers increasing and their low 16 bits equal to the RTP sequence number.
    const base = this.highest + 1;
    const ext = base + ((firstSeq - base) & 0xffff);
    this.head = ext + 2;
    this.highest = ext + 1;
    this.minArrival = Infinity;
    this.stats.resyncs++;
    this.sink.onResync?.(ext);
    this.past[ext & this.mask] = DELIVERED;
    this.past[(ext + 1) & this.mask] = DELIVERED;
    this.stats.delivered += 2;
    this.sink.onPacket(first, ext);
    this.sink.onPacket(pkt, ext + 1);
  }

  private dropCandidate(): void {
    this.candidate = undefined;
    this.stats.strays++;
  }
}
