/**
 * Keyframe policy of one stream: merges PLI/FIR from every receiver into at most one
 * upstream request per `minIntervalMs` (Janus: 1 s), tracks receivers that cannot decode
 * until the next keyframe, and remembers where the latest keyframe starts so the gateway
 * can start a new receiver there (replaying it from the retransmission history).
 */

export interface KeyframePolicyOptions {
  /** Upstream keyframe requests at most this often (ms). Default 1000. */
  minIntervalMs?: number;
  /** A cached keyframe older than this is not replayed to a new receiver (ms). Default 2000. */
  maxReplayAgeMs?: number;
}

export interface KeyframePolicyStats {
  pliIn: number;
  firIn: number;
  /** Requests sent upstream. */
  forwarded: number;
  /** Requests folded into one already sent or pending. */
  merged: number;
  keyframes: number;
  /** Receivers marked as waiting for a keyframe (lost one, or joined without a replayable one). */
  waitsStarted: number;
  /** New receivers started at a cached keyframe. */
  replays: number;
}

export interface KeyframeInfo {
  /** Sequence number of the keyframe's first packet (SPS/PPS or IDR) on the outgoing stream. */
  seq: number;
  rtpTimestamp: number;
  /** When it was sent (ms). */
  at: number;
}

/** Whatever can tell whether a packet can still be replayed (e.g. RetransmissionHistory). */
export interface PacketStore {
  has(seq: number, now: number): boolean;
}

export type KeyframeRequestKind = 'pli' | 'fir';

export class KeyframePolicy<K = string> {
  readonly stats: KeyframePolicyStats = { pliIn: 0, firIn: 0, forwarded: 0, merged: 0, keyframes: 0, waitsStarted: 0, replays: 0 };
  private readonly minInterval: number;
  private readonly maxReplayAge: number;
  private lastForwardAt = -Infinity;
  private pending = false;
  private readonly waiting = new Set<K>();
  private latest: KeyframeInfo | undefined;
  private firSeq = 0;

  constructor(options: KeyframePolicyOptions = {}) {
    this.minInterval = options.minIntervalMs ?? 1000;
    this.maxReplayAge = options.maxReplayAgeMs ?? 2000;
  }

  /**
   * A receiver sent PLI or FIR (or the stream itself needs a keyframe). Returns true when the caller should send a request upstream now; otherwise it is merged
   * and `poll` says when.
   */
  request(kind: KeyframeRequestKind, now: number): boolean {
    if (kind === 'fir') this.stats.firIn++;
    else this.stats.pliIn++;
    if (now - this.lastForwardAt >= this.minInterval) return this.forward(now);
    if (this.pending) this.stats.merged++;
    else this.pending = true;
    return false;
  }

  /** True when a merged request is due upstream now. */
  poll(now: number): boolean {
    if (this.pending && now - this.lastForwardAt >= this.minInterval) return this.forward(now);
    return false;
  }

  /** When `poll` has something to do; Infinity when nothing is pending. */
  nextDeadline(): number {
    return this.pending ? this.lastForwardAt + this.minInterval : Infinity;
  }

  /** Next FIR command sequence number (RFC 5104 4.3.1.1) for a request sent upstream. */
  nextFirSequence(): number {
    const s = this.firSeq;
    this.firSeq = (this.firSeq + 1) & 0xff;
    return s;
  }

  /**
   * A keyframe went out (its first packet has sequence number `seq`): waiting receivers can
   * decode again, a pending request is satisfied, and new receivers can start here.
   */
  onKeyframe(seq: number, rtpTimestamp: number, now: number): void {
    this.stats.keyframes++;
    this.latest = { seq: seq & 0xffff, rtpTimestamp, at: now };
    this.waiting.clear();
    this.pending = false;
  }

  /**
   * `receiver` lost packets of a keyframe (or of anything it cannot get back): it waits for the
   * next keyframe, which is requested. Returns true when the caller should request upstream now.
   */
  markWaiting(receiver: K, now: number): boolean {
    if (!this.waiting.has(receiver)) {
      this.waiting.add(receiver);
      this.stats.waitsStarted++;
    }
    return this.request('pli', now);
  }

  /** True while `receiver` should get no delta frames (it could not decode them). */
  isWaiting(receiver: K): boolean {
    return this.waiting.has(receiver);
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  removeReceiver(receiver: K): void {
    this.waiting.delete(receiver);
  }

  latestKeyframe(): KeyframeInfo | undefined {
    return this.latest;
  }

  /**
   * Where a new receiver starts: `replayFrom` the latest keyframe when it is recent and its
   * first packet is still in `store`; otherwise the receiver is marked waiting, a keyframe is
   * requested, and `upstreamNow` says whether to send that request now (else `poll` will).
   */
  startReceiver(receiver: K, now: number, store: PacketStore): { replayFrom: KeyframeInfo } | { upstreamNow: boolean } {
    const k = this.latest;
    if (k && now - k.at <= this.maxReplayAge && store.has(k.seq, now)) {
      this.stats.replays++;
      return { replayFrom: k };
    }
    return { upstreamNow: this.markWaiting(receiver, now) };
  }

  private forward(now: number): boolean {
    this.lastForwardAt = now;
    this.pending = false;
    this.stats.forwarded++;
    return true;
  }
}
