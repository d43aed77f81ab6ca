/**
 * Sending-side retransmission history: copies of the packets sent on one stream, shared by
 * every viewer of it, so a NACK can be answered. Bounded by age, count and bytes. Packets
 * live in one preallocated byte ring (no per-packet allocation, no slot rounding: memory is
 * the bytes held plus at most one packet of wrap slack), indexed by sequence number.
 * Copies, because a later stage (per-viewer rewrite, SRTP) may mutate what it sends.
 */
import { seqDistance } from '../rtp/seq.js';
import { RecoveryError } from './errors.js';

export interface RetransmissionHistoryOptions {
  /** Packets older than this are not resent (ms). Default 1000. */
  maxAgeMs?: number;
  /** Most packets held. Default 1024. */
  maxPackets?: number;
  /** Largest packet stored; larger ones are refused (counted). Default 1500. */
  maxPacketSize?: number;
  /** Size of the byte ring. Default maxPackets x 1200 + maxPacketSize. */
  byteCapacity?: number;
}

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

export class RetransmissionHistory {
  readonly stats: RetransmissionHistoryStats = { stored: 0, refused: 0, evicted: 0, served: 0, expired: 0, unknown: 0 };
  readonly maxAgeMs: number;
  readonly maxPackets: number;
  readonly maxPacketSize: number;
  private readonly bytes: Uint8Array;
  private readonly mask: number;
  private readonly offset: Uint32Array;
  private readonly length: Uint32Array;
  private readonly sentAt: Float64Array;
  private readonly seqOf: Int32Array;
  /** Absolute entry number held in each slot, to tell a live slot from a reused one. */
  private readonly entryOf: Float64Array;
  /** seq -> slot of its newest copy, -1 when none. */
  private readonly slotOfSeq: Int32Array;
  private oldest = 0;
  private next = 0;
  private writePos = 0;
  private newestSeq = -1;

  constructor(options: RetransmissionHistoryOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.maxPackets = options.maxPackets ?? 1024;
    this.maxPacketSize = options.maxPacketSize ?? 1500;
    if (this.maxPackets < 1 || this.maxPacketSize < 12) throw new RecoveryError('RECOVERY_BAD_OPTION', 'history needs maxPackets >= 1 and maxPacketSize >= 12');
    const byteCapacity = options.byteCapacity ?? this.maxPackets * 1200 + this.maxPacketSize;
    if (byteCapacity < this.maxPacketSize) throw new RecoveryError('RECOVERY_BAD_OPTION', 'byteCapacity must hold at least one maxPacketSize packet');
    this.bytes = new Uint8Array(byteCapacity);
    let cap = 1;
    while (cap < this.maxPackets) cap <<= 1;
    this.mask = cap - 1;
    this.offset = new Uint32Array(cap);
    this.length = new Uint32Array(cap);
    this.sentAt = new Float64Array(cap);
    this.seqOf = new Int32Array(cap);
    this.entryOf = new Float64Array(cap).fill(-1);
    this.slotOfSeq = new Int32Array(65536).fill(-1);
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

  /** Bytes allocated for packet data. */
  get byteCapacity(): number {
    return this.bytes.length;
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
    const at = this.reserve(len);
    this.bytes.set(packet, at);
    const slot = this.next & this.mask;
    const seq = (packet[2] << 8) | packet[3];
    this.offset[slot] = at;
    this.length[slot] = len;
    this.sentAt[slot] = now;
    this.seqOf[slot] = seq;
    this.entryOf[slot] = this.next;
    this.slotOfSeq[seq] = slot;
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

  /** Copies the held packet `seq` into `out` at `at`; returns its length, or -1 when not held. */
  copyTo(seq: number, now: number, out: Uint8Array, at = 0): number {
    const slot = this.lookup(seq & 0xffff, now);
    if (slot < 0) return -1;
    const o = this.offset[slot];
    const len = this.length[slot];
    if (out.length - at < len) throw new RecoveryError('RTX_BUFFER_TOO_SMALL', `need ${len} bytes, buffer has ${out.length - at}`);
    this.stats.served++;
    out.set(this.bytes.subarray(o, o + len), at);
    return len;
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

  private slotFor(seq: number, now: number): number {
    const slot = this.slotOfSeq[seq];
    if (slot < 0) return -1;
    const entry = this.entryOf[slot];
    if (entry < this.oldest || entry >= this.next || this.seqOf[slot] !== seq) return -1;
    if (now - this.sentAt[slot] > this.maxAgeMs) return -1;
    return slot;
  }

  /** Byte offset where `len` bytes fit, evicting the oldest packets until they do. */
  private reserve(len: number): number {
    const cap = this.bytes.length;
    for (;;) {
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
      this.evictOldest();
    }
  }

  private evictOlderThan(limit: number): void {
    while (this.next > this.oldest && this.sentAt[this.oldest & this.mask] < limit) this.evictOldest();
  }

  private evictOldest(): void {
    const slot = this.oldest & this.mask;
    if (this.slotOfSeq[this.seqOf[slot]] === slot) this.slotOfSeq[this.seqOf[slot]] = -1;
    this.oldest++;
    this.stats.evicted++;
  }
}

/**
 * Per-receiver resend suppression: the same packet is not resent to one receiver twice
 * within one RTT (its first copy may still be on the way). Small fixed table keyed by seq.
 */
export class ResendLimiter {
  readonly stats = { allowed: 0, suppressed: 0 };
  private readonly seqs: Int32Array;
  private readonly times: Float64Array;
  private readonly mask: number;

  /** `slots`: how many recent resends are remembered (rounded up to a power of two). Default 1024. */
  constructor(slots = 1024) {
    let cap = 1;
    while (cap < slots) cap <<= 1;
    this.mask = cap - 1;
    this.seqs = new Int32Array(cap).fill(-1);
    this.times = new Float64Array(cap);
  }

  /** True (and remembered) when `seq` may be resent now; false when it was within `rttMs`. */
  allow(seq: number, now: number, rttMs: number): boolean {
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
