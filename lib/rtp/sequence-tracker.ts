/**
 * Where one packet's sequence number stands against the newest one taken before it (RFC 3550
 * A.1): the next one, after a gap, the newest again (duplicate), behind it (late), or so far
 * off that the sender must have restarted its sequence. Tracked once here for every receiver
 * that consumes packets in order (depacketizer, RTSP reception, packet forwarding).
 *
 * Unlike A.1 a far-off packet is taken as a restart at once, without probation: the stages that
 * use this sit behind the reorder buffer (which confirms restarts with two packets) or count
 * only. Allocation-free: `track` returns one of a few string constants and keeps numbers.
 */
import { seqDistance } from './seq.js';

/**
 * - `first`: nothing known yet (no packet, no `expect`).
 * - `next`: exactly the expected sequence number.
 * - `gap`: ahead by at most `maxDropout`; `missing` says how many were skipped.
 * - `duplicate`: the newest sequence number again.
 * - `late`: behind the newest by less than `maxMisorder`. State does not move.
 * - `restart`: further off either way: the sender restarted; this packet is the newest now.
 */
export type SequenceEvent = 'first' | 'next' | 'gap' | 'duplicate' | 'late' | 'restart';

export interface SequenceTrackerOptions {
  /**
   * A packet this many or more sequence numbers behind the newest is a restart, not a late
   * one. Default 100 (RFC 3550 A.1 MAX_MISORDER). `Infinity`: never (half the number space).
   */
  maxMisorder?: number;
  /**
   * A packet more than this many ahead of the newest is a restart, not a gap. Default 3000
   * (RFC 3550 A.1 MAX_DROPOUT). `Infinity`: never (half the number space).
   */
  maxDropout?: number;
}

export const SEQUENCE_TRACKER_DEFAULTS = { maxMisorder: 100, maxDropout: 3000 } as const;

export class SequenceTracker {
  readonly maxMisorder: number;
  readonly maxDropout: number;
  private started = false;
  private highestExt = 0;
  private lastExt = 0;
  private skipped = 0;

  constructor(options: SequenceTrackerOptions = {}) {
    this.maxMisorder = options.maxMisorder ?? SEQUENCE_TRACKER_DEFAULTS.maxMisorder;
    this.maxDropout = options.maxDropout ?? SEQUENCE_TRACKER_DEFAULTS.maxDropout;
  }

  /** Classifies `seq` and, unless it is late or a duplicate, makes it the newest. */
  track(seq: number): SequenceEvent {
    if (!this.started) {
      this.started = true;
      // 65536 + seq: packets late from before the first one keep positive extended numbers
      this.highestExt = this.lastExt = 65536 + seq;
      this.skipped = 0;
      return 'first';
    }
    const d = seqDistance(this.highestExt & 0xffff, seq);
    this.lastExt = this.highestExt + d;
    this.skipped = 0;
    if (d === 1) {
      this.highestExt = this.lastExt;
      return 'next';
    }
    if (d === 0) return 'duplicate';
    if (d < 0 && d > -this.maxMisorder) return 'late';
    if (d > 0 && d <= this.maxDropout) {
      this.highestExt = this.lastExt;
      this.skipped = d - 1;
      return 'gap';
    }
    // Extended numbers keep increasing across the restart (d is not 0, so neither is the
    // forward distance mod 2^16), their low 16 bits equal to `seq`.
    this.highestExt = this.lastExt = this.highestExt + ((seq - this.highestExt) & 0xffff);
    return 'restart';
  }

  /** The next packet should carry `seq` (RTSP RTP-Info after PLAY): a gap before it is a loss. */
  expect(seq: number): void {
    this.started = true;
    this.highestExt = this.lastExt = 65536 + ((seq - 1) & 0xffff);
    this.skipped = 0;
  }

  /** Forgets the stream (new SSRC, seek): the next packet is `first`. */
  reset(): void {
    this.started = false;
    this.skipped = 0;
  }

  /** A packet or `expect` has been seen since the last reset. */
  get isStarted(): boolean {
    return this.started;
  }

  /** Sequence numbers skipped by the last `gap` (0 after any other event). */
  get missing(): number {
    return this.skipped;
  }

  /** Sequence number of the newest packet taken. */
  get newest(): number {
    return this.highestExt & 0xffff;
  }

  /** Sequence number the next in-order packet carries. */
  get expected(): number {
    return (this.highestExt + 1) & 0xffff;
  }

  /**
   * Extended number (cycles * 65536 + seq) of the newest packet: increases with every `next`,
   * `gap` and `restart`. Meaningless before the first packet.
   */
  get newestExtended(): number {
    return this.highestExt;
  }

  /** Extended number of the packet just tracked (a late one's is below `newestExtended`). */
  get lastExtended(): number {
    return this.lastExt;
  }
}
