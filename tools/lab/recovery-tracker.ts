/**
 * How long each lost media packet took to be repaired, seen from the relay: a first
 * transmission the impairment dropped, then the first retransmission of the same sequence
 * number that got through. Only plain NACK retransmissions (same SSRC) can be matched: an RTX
 * packet carries the original sequence number inside its SRTP-encrypted payload.
 */
import { SeqUnwrapper } from '../../lib/rtp/seq.js';

export interface RecoveryStats {
  lost: number;
  recovered: number;
  /** Lost packets never repaired (or still waiting at the end). */
  unrecovered: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Repairs slower than 100 ms and 200 ms (a frame that late is shown as a freeze). */
  over100Ms: number;
  over200Ms: number;
}

/** Lost packets older than this are forgotten (counted unrecovered). */
const MAX_PENDING = 4096;

export class RecoveryTracker {
  private readonly pending = new Map<number, number>();
  private readonly latencies: number[] = [];
  private readonly unwrapper = new SeqUnwrapper();
  private lostCount = 0;
  private forgotten = 0;

  lost(seq: number, now: number): void {
    this.lostCount++;
    this.pending.set(this.unwrapper.unwrap(seq), now);
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next().value as number;
      this.pending.delete(oldest);
      this.forgotten++;
    }
  }

  repaired(seq: number, now: number): void {
    const ext = this.unwrapper.peek(seq);
    const at = this.pending.get(ext);
    if (at === undefined) return;
    this.pending.delete(ext);
    this.latencies.push(now - at);
  }

  stats(): RecoveryStats {
    const l = [...this.latencies].sort((a, b) => a - b);
    const q = (p: number) => (l.length === 0 ? 0 : Math.round(l[Math.min(l.length - 1, Math.floor(p * l.length))] * 10) / 10);
    return {
      lost: this.lostCount,
      recovered: l.length,
      unrecovered: this.pending.size + this.forgotten,
      p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: l.length ? Math.round(l[l.length - 1] * 10) / 10 : 0,
      over100Ms: l.filter((x) => x > 100).length,
      over200Ms: l.filter((x) => x > 200).length,
    };
  }
}
