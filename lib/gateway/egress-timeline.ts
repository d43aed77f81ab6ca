/**
 * A track's egress timeline: the sequence numbers and timestamps its packets carry, shared by
 * every viewer (each maps them onto its own). It is the only writer of egress sequence numbers:
 * each packet is numbered as it goes out (`stamp`), so a packet made and then not sent (a unit
 * abandoned mid-way) never costs a number and viewers see no gap. Timestamps follow the
 * source's, shifted so that they run on continuously across camera restarts and timestamp jumps.
 */
import { setRtpSequenceNumber } from '../rtp/packet.js';
import { seqAdd, tsAdd, tsDistance } from '../rtp/seq.js';

export interface EgressTimelineOptions {
  /** RTP clock rate of the track (90000 for video). */
  clockRate: number;
  /** A source timestamp jump larger than this re-bases the timeline (ms). */
  timestampJumpMs: number;
  /** Sequence number of the first packet. */
  firstSequenceNumber: number;
  /** Egress timestamp of the first unit. */
  firstTimestamp: number;
}

export class EgressTimeline {
  private seq: number;
  /** Added to source timestamps to get egress ones. */
  private shiftValue = 0;
  private rebasePending = true;
  private lastSourceTs = 0;
  private lastTs: number;
  /** When the last unit began (ms), -1 before the first. */
  private lastUnitAt = -1;
  private rebaseCount = 0;
  /** The source's latest sender report: its wall clock (ms) at source timestamp srSourceTs; NaN when none this session. */
  private srCameraMs = NaN;
  private srSourceTs = 0;
  private readonly perMs: number;
  private readonly jumpLimit: number;

  constructor(o: EgressTimelineOptions) {
    this.perMs = o.clockRate / 1000;
    this.jumpLimit = o.timestampJumpMs * this.perMs;
    this.seq = o.firstSequenceNumber & 0xffff;
    this.lastTs = o.firstTimestamp >>> 0;
  }

  /** Sequence number the next packet sent gets. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Egress timestamp of the newest unit (the first timestamp before any). */
  get lastTimestamp(): number {
    return this.lastTs;
  }

  /** What is added to the source's timestamps now. */
  get shift(): number {
    return this.shiftValue;
  }

  /** Re-bases after the first unit: camera restarts and timestamp jumps. */
  get rebases(): number {
    return this.rebaseCount;
  }

  /** Numbers `packet` (bytes 2-3) as it goes out and returns its sequence number. */
  stamp(packet: Uint8Array): number {
    const seq = this.seq;
    setRtpSequenceNumber(packet, seq);
    this.seq = seqAdd(seq, 1);
    return seq;
  }

  /** A unit with source timestamp `sourceTs` begins at `now` (ms): returns its egress timestamp. */
  unitAt(sourceTs: number, now: number): number {
    if (this.rebasePending) this.rebase(sourceTs, now);
    else if (Math.abs(tsDistance(this.lastSourceTs, sourceTs)) > this.jumpLimit) {
      // the camera's timestamps jumped: its last sender report no longer maps them
      this.srCameraMs = NaN;
      this.rebase(sourceTs, now);
    }
    this.lastSourceTs = sourceTs;
    this.lastTs = tsAdd(sourceTs, this.shiftValue);
    this.lastUnitAt = now;
    return this.lastTs;
  }

  /** A new source session: its first timestamp re-bases, whatever it is. */
  restart(): void {
    this.rebasePending = true;
    this.srCameraMs = NaN;
  }

  /** The source's sender report: its wall clock `cameraMs` (Unix ms on its own clock) at source timestamp `sourceTs`. */
  senderReport(cameraMs: number, sourceTs: number): void {
    this.srCameraMs = cameraMs;
    this.srSourceTs = sourceTs >>> 0;
  }

  /** A sender report of this session maps source time to the source's wall clock. */
  get hasSenderReport(): boolean {
    return !Number.isNaN(this.srCameraMs);
  }

  /**
   * The egress timestamp for this instant, what an SR carries: from the source's own sender
   * report when \`cameraMs\` (the source's wall clock now) is given and one is known, so that
   * every track of a stream maps to wall time exactly as the camera does (lip sync); else
   * extrapolated from the last unit's arrival.
   */
  egressTsFor(now: number, cameraMs?: number): number {
    if (cameraMs === undefined || !this.hasSenderReport || this.rebasePending || this.lastUnitAt < 0) return this.egressTsAt(now);
    return tsAdd(tsAdd(this.srSourceTs, Math.round((cameraMs - this.srCameraMs) * this.perMs)), this.shiftValue);
  }

  /** Egress timestamp for time `now` (ms), extrapolated from the last unit. */
  egressTsAt(now: number): number {
    if (this.lastUnitAt < 0) return this.lastTs;
    return tsAdd(this.lastTs, Math.round((now - this.lastUnitAt) * this.perMs));
  }

  /** Egress timestamp of a unit beginning at `now` (ms) that re-bases the timeline, or that continues it on the source's pace (RTSP's RTP-Info). */
  nextUnitTimestamp(now: number): number {
    return this.rebasePending ? this.rebaseTarget(now) : this.egressTsAt(now);
  }

  private rebaseTarget(now: number): number {
    // At least 1 ms after the last unit, so a restarted camera's first frame is a new frame.
    return this.lastUnitAt < 0 ? this.lastTs : tsAdd(this.egressTsAt(now), this.perMs);
  }

  private rebase(sourceTs: number, now: number): void {
    const target = this.rebaseTarget(now);
    this.shiftValue = (target - sourceTs) >>> 0;
    if (this.lastUnitAt >= 0) this.rebaseCount++;
    this.rebasePending = false;
  }
}
