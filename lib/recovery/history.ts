/**
 * Sending-side retransmission history: copies of the packets sent on one stream, shared by
 * every viewer of it, so a NACK can be answered. Bounded by age, count and bytes. Packets
 * live in one byte ring (no per-packet allocation, no slot rounding) that starts small and
 * grows by 1/16 only when the packets within the age and count window do not fit, up to
 * `maxBytes`; so memory follows the stream's bitrate, not the worst case. A packet's slot is
 * found from the wrap-safe distance between its sequence number and the newest one's.
 * Copies, because a later stage (per-viewer rewrite, SRTP) may mutate what it sends.
 */
import { seqAdd, seqDistance } from '../rtp/seq.js';
import { RecoveryError } from './errors.js';

export interface RetransmissionHistoryOptions {
  /** Packets older than this are not resent (ms). Default 1000. */
  maxAgeMs?: number;
  /** Most packets held. Default 1024. */
  maxPackets?: number;
  /** Largest packet stored; larger ones are refused (counted). Default 1500. */
  maxPacketSize?: number;
  /**
   * Most bytes of packet storage the ring may grow to; when it is reached, the oldest packets
   * make room. Default maxPackets x 1200 + maxPacketSize (the count bound at a 1200-byte MTU).
   */
  maxBytes?: number;
  /** Former name of `maxBytes` (still accepted; `maxBytes` wins when both are given). */
  byteCapacity?: number;
  /** Bytes of packet storage allocated at first. Default 64 KiB (at least maxPacketSize, at most maxBytes). */
  initialBytes?: number;
}

/** `maxBytes` (and its former name) has no fixed default: it follows maxPackets and maxPacketSize. */
export const RETRANSMISSION_HISTORY_DEFAULTS = Object.freeze({
  maxAgeMs: 1000,
  maxPackets: 1024,
  maxPacketSize: 1500,
  initialBytes: 64 * 1024,
} as const satisfies Required<Omit<RetransmissionHistoryOptions, 'maxBytes' | 'byteCapacity'>>);

/** The default maxBytes holds maxPackets packets of this size (a 1200-byte egress MTU). */
const TYPICAL_PACKET_BYTES = 1200;

export interface RetransmissionHistoryStats {
  stored: number;
  /** Refused: shorter than an RTP header or longer than maxPacketSize. */
  refused: number;
  /** Dropped to make room or because they aged out. */
  evicted: number;
  /** Lookups answered with a packet. */
  served: number;
  /** Lookups of packets once held but gone (too old or evicted). */
  expired: number;
  /** Lookups of packets never held (ahead of the stream, or never sent). */
  unknown: number;
}

/** Receives the packets `serve` resends. A method, not a closure, so callers can reuse one object. */
export interface ResendSink {
  resend(packet: Uint8Array, seq: number): void;
}

const INITIAL_SLOTS = 64;

export class RetransmissionHistory {
  readonly stats: RetransmissionHistoryStats = { stored: 0, refused: 0, evicted: 0, served: 0, expired: 0, unknown: 0 };
  readonly maxAgeMs: number;
  readonly maxPackets: number;
  readonly maxPacketSize: number;
  /** Bound on the byte ring (see RetransmissionHistoryOptions.maxBytes). */
  readonly maxBytes: number;
  private bytes: Uint8Array;
  /** Slots are entry numbers & mask; the slot arrays double (up to maxPackets) as needed. */
  private mask: number;
  private readonly maxSlots: number;
  private offset: Uint32Array;
  private length: Uint16Array | Uint32Array;
  private sentAt: Float64Array;
  private seqOf: Uint16Array;
  /**
   * How many entries before this one carry the sequence numbers just before its own
   * (capped at 65535): 0 after a jump, a duplicate or a restart. Lookups of a stream stored
   * in sequence order take one step; anything else takes one step per jump still held.
   */
  private run: Uint16Array;
  private oldest = 0;
  private next = 0;
  private writePos = 0;
  private newestSeq = -1;

  constructor(options: RetransmissionHistoryOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? RETRANSMISSION_HISTORY_DEFAULTS.maxAgeMs;
    this.maxPackets = options.maxPackets ?? RETRANSMISSION_HISTORY_DEFAULTS.maxPackets;
    this.maxPacketSize = options.maxPacketSize ?? RETRANSMISSION_HISTORY_DEFAULTS.maxPacketSize;
    if (this.maxPackets < 1 || this.maxPacketSize < 12) throw new RecoveryError('RECOVERY_BAD_OPTION', 'history needs maxPackets >= 1 and maxPacketSize >= 12');
    this.maxBytes = options.maxBytes ?? options.byteCapacity ?? this.maxPackets * TYPICAL_PACKET_BYTES + this.maxPacketSize;
    if (this.maxBytes < this.maxPacketSize) throw new RecoveryError('RECOVERY_BAD_OPTION', 'maxBytes (byteCapacity) must hold at least one maxPacketSize packet');
    if (this.maxBytes > 0xffffffff) throw new RecoveryError('RECOVERY_BAD_OPTION', 'maxBytes must be below 4 GiB');
    this.bytes = new Uint8Array(Math.min(this.maxBytes, Math.max(this.maxPacketSize, options.initialBytes ?? RETRANSMISSION_HISTORY_DEFAULTS.initialBytes)));
    let cap = 1;
    while (cap < this.maxPackets) cap *= 2;
    this.maxSlots = cap;
    const slots = Math.min(cap, INITIAL_SLOTS);
    this.mask = slots - 1;
    this.offset = new Uint32Array(slots);
    this.length = this.maxPacketSize <= 0xffff ? new Uint16Array(slots) : new Uint32Array(slots);
    this.sentAt = new Float64Array(slots);
    this.seqOf = new Uint16Array(slots);
    this.run = new Uint16Array(slots);
  }

  /** Packets currently held. */
  get size(): number {
    return this.next - this.oldest;
  }

  /** Bytes of packet data currently held. */
  get bytesHeld(): number {
    let n = 0;
    for (let e = this.oldest; e < this.next; e++) n += this.length[e & this.mask];
    return n;
  }

  /** Bytes allocated for packet data now (grows on demand up to maxBytes). */
  get byteCapacity(): number {
    return this.bytes.length;
  }

  /** Bytes of every typed array the history holds: the byte ring plus per-slot metadata. */
  get bytesAllocated(): number {
    return this.bytes.byteLength + this.offset.byteLength + this.length.byteLength + this.sentAt.byteLength
      + this.seqOf.byteLength + this.run.byteLength;
  }

  /** Stores a copy of the serialized RTP packet `packet`, sent at `now` (ms). */
  store(packet: Uint8Array, now: number): void {
    const len = packet.length;
    if (len < 12 || len > this.maxPacketSize) {
      this.stats.refused++;
      return;
    }
    this.evictOlderThan(now - this.maxAgeMs);
    if (this.next - this.oldest >= this.maxPackets) this.evictOldest();
    if (this.next - this.oldest > this.mask) this.growSlots();
    const at = this.reserve(len);
    this.bytes.set(packet, at);
    const slot = this.next & this.mask;
    const seq = (packet[2] << 8) | packet[3];
    this.offset[slot] = at;
    this.length[slot] = len;
    this.sentAt[slot] = now;
    this.seqOf[slot] = seq;
    const prev = this.run[(this.next - 1) & this.mask];
    this.run[slot] = this.next > this.oldest && seq === seqAdd(this.newestSeq, 1) ? (prev < 0xffff ? prev + 1 : prev) : 0;
    this.next++;
    this.writePos = at + len;
    this.newestSeq = seq;
    this.stats.stored++;
  }

  /** True when `seq` is held and young enough to resend. Counts nothing. */
  has(seq: number, now: number): boolean {
    return this.slotFor(seq & 0xffff, now) >= 0;
  }

  /**
   * The held packet `seq` as a view into the ring (valid until the next `store`; do not
   * modify it), or undefined. Counts served / expired / unknown.
   */
  get(seq: number, now: number): Uint8Array | undefined {
    const slot = this.lookup(seq & 0xffff, now);
    if (slot < 0) return undefined;
    this.stats.served++;
    const o = this.offset[slot];
    return this.bytes.subarray(o, o + this.length[slot]);
  }

  /**
   * Answers one NACK for one receiver: resends every requested packet still held, except
   * those `limiter` sent to this receiver within the last `rttMs`. Returns the number resent.
   */
  serve(seqs: ArrayLike<number>, now: number, limiter: ResendLimiter, rttMs: number, sink: ResendSink): number {
    let sent = 0;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i] & 0xffff;
      const slot = this.lookup(seq, now);
      if (slot < 0 || !limiter.allow(seq, now, rttMs)) continue;
      this.stats.served++;
      const o = this.offset[slot];
      sink.resend(this.bytes.subarray(o, o + this.length[slot]), seq);
      sent++;
    }
    return sent;
  }

  /** Slot of a live, young-enough copy of `seq`, or -1 after counting why not. */
  private lookup(seq: number, now: number): number {
    const slot = this.slotFor(seq, now);
    if (slot >= 0) return slot;
    // Behind the newest packet and within what was ever stored: it was held once.
    const behind = this.newestSeq < 0 ? -1 : seqDistance(seq, this.newestSeq);
    if (behind >= 0 && behind < this.stats.stored) this.stats.expired++;
    else this.stats.unknown++;
    return -1;
  }

  /**
   * Slot of the newest held copy of `seq` when it is young enough, else -1. Walks back from
   * the newest entry one run of consecutive sequence numbers at a time: within a run the
   * entry is the newest one's minus the (unsigned, wrap-safe) distance back to `seq`.
   */
  private slotFor(seq: number, now: number): number {
    const oldest = this.oldest;
    const mask = this.mask;
    let e = this.next - 1;
    while (e >= oldest) {
      const s = e & mask;
      const back = seqAdd(this.seqOf[s], -seq);
      let k = this.run[s];
      if (k > e - oldest) k = e - oldest;
      if (back <= k) {
        const slot = (e - back) & mask;
        return now - this.sentAt[slot] > this.maxAgeMs ? -1 : slot;
      }
      e -= k + 1;
    }
    return -1;
  }

  /** Byte offset where `len` bytes fit: grows the ring while below maxBytes, else evicts the oldest packets. */
  private reserve(len: number): number {
    for (;;) {
      const cap = this.bytes.length;
      if (this.next === this.oldest) {
        this.writePos = 0;
        return 0;
      }
      const readPos = this.offset[this.oldest & this.mask];
      const w = this.writePos;
      if (w > readPos) {
        // Live bytes are [readPos, w): free space is [w, cap) and [0, readPos).
        if (cap - w >= len) return w;
        if (readPos >= len) return 0;
      } else if (w < readPos) {
        // Live bytes wrap: free space is [w, readPos).
        if (readPos - w >= len) return w;
      }
      if (cap < this.maxBytes) this.growBytes(len);
      else this.evictOldest();
    }
  }

  /** A larger ring (+1/16, at least `len` more, at most maxBytes) with the live packets packed at its start. */
  private growBytes(len: number): void {
    const old = this.bytes;
    const grown = new Uint8Array(Math.min(this.maxBytes, old.length + Math.max(old.length >>> 4, len)));
    // Live packets lie end to end except where the ring wrapped: copy whole stretches.
    let pos = 0;
    let from = -1;
    let to = -1;
    for (let e = this.oldest; e < this.next; e++) {
      const s = e & this.mask;
      const o = this.offset[s];
      if (o !== to) {
        if (to > from) grown.set(old.subarray(from, to), pos - (to - from));
        from = to = o;
      }
      to += this.length[s];
      this.offset[s] = pos;
      pos += this.length[s];
    }
    if (to > from) grown.set(old.subarray(from, to), pos - (to - from));
    this.bytes = grown;
    this.writePos = pos;
  }

  /** Twice the slots (only when maxPackets allows more entries than there are slots). */
  private growSlots(): void {
    const slots = (this.mask + 1) * 2;
    const mask = slots - 1;
    const offset = new Uint32Array(slots);
    const length = this.length instanceof Uint16Array ? new Uint16Array(slots) : new Uint32Array(slots);
    const sentAt = new Float64Array(slots);
    const seqOf = new Uint16Array(slots);
    const run = new Uint16Array(slots);
    for (let e = this.oldest; e < this.next; e++) {
      const a = e & this.mask;
      const b = e & mask;
      offset[b] = this.offset[a];
      length[b] = this.length[a];
      sentAt[b] = this.sentAt[a];
      seqOf[b] = this.seqOf[a];
      run[b] = this.run[a];
    }
    this.mask = mask;
    this.offset = offset;
    this.length = length;
    this.sentAt = sentAt;
    this.seqOf = seqOf;
    this.run = run;
  }

  private evictOlderThan(limit: number): void {
    while (this.next > this.oldest && this.sentAt[this.oldest & this.mask] < limit) this.evictOldest();
  }

  private evictOldest(): void {
    this.oldest++;
    this.stats.evicted++;
  }
}

const EMPTY_TIMES = new Float64Array(0);

export const RESEND_LIMITER_DEFAULTS = Object.freeze({
  /** Recent resends remembered per receiver (rounded up to a power of two). */
  slots: 1024,
} as const);

/**
 * Per-receiver resend suppression: the same packet is not resent to one receiver twice
 * within one RTT (its first copy may still be on the way). Small fixed table keyed by seq,
 * made on the first resend: a viewer on a clean link never asks, and every viewer has one.
 */
export class ResendLimiter {
  readonly stats = { allowed: 0, suppressed: 0 };
  private seqs: Int32Array | undefined;
  private times = EMPTY_TIMES;
  private readonly mask: number;

  /** `slots`: how many recent resends are remembered (rounded up to a power of two). */
  constructor(slots: number = RESEND_LIMITER_DEFAULTS.slots) {
    let cap = 1;
    while (cap < slots) cap <<= 1;
    this.mask = cap - 1;
  }

  /** True (and remembered) when `seq` may be resent now; false when it was within `rttMs`. */
  allow(seq: number, now: number, rttMs: number): boolean {
    if (this.seqs === undefined) {
      this.seqs = new Int32Array(this.mask + 1).fill(-1);
      this.times = new Float64Array(this.mask + 1);
    }
    const s = seq & this.mask;
    if (this.seqs[s] === seq && now - this.times[s] < rttMs) {
      this.stats.suppressed++;
      return false;
    }
    this.seqs[s] = seq;
    this.times[s] = now;
    this.stats.allowed++;
    return true;
  }
}
