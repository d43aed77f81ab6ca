/**
 * Per-source receiver statistics that fill an RTCP report block (RFC 3550 6.4.1, A.3, A.8):
 * what a receiver needs to send RRs to a camera or an SR's report blocks to a browser.
 * Time is passed in (ms from an injected clock); nothing here reads a clock.
 *
 * This is camwire's one implementation of the A.3 arithmetic; lib/rtsp's RtpReception wraps
 * it (adding duplicate and reorder counts and a restart on a new SSRC).
 *
 * Not done: RFC 3550 A.1 source validation (probation, restart after a huge jump); a
 * sequence jump beyond half the number space is taken as reordering by the unwrapper.
 */
import { SeqUnwrapper } from '../rtp/seq.js';
import { msToDlsr, ntpMiddle32 } from './ntp.js';
import { clampCumulativeLost, fractionLost, updateJitter, type RtcpReportBlock } from './report-block.js';

export interface ReceptionCounters {
  /** Packets received, duplicates included (as RFC 3550 counts them). */
  received: number;
  /** Packets expected from the first sequence number to the highest. */
  expected: number;
  /** expected - received; negative when duplicates outnumber losses. Not clamped. */
  lost: number;
  /** Interarrival jitter in ms. */
  jitterMs: number;
  /** Sender reports seen from this source. */
  senderReports: number;
}

export interface ReceptionStatsOptions {
  /**
   * A packet older than the first one received moves the start of the expected range back to
   * it (so a first packet that arrived late still counts as expected). Default false: the
   * first packet received is the base, as in RFC 3550 A.3.
   */
  baseFollowsLatePackets?: boolean;
}

export class ReceptionStats {
  private readonly seqs = new SeqUnwrapper();
  private baseExt = -1;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private jitter = 0;
  private lastArrivalMs = 0;
  private lastTimestamp = 0;
  private lsr = 0;
  private lastSrArrivalMs = 0;
  private senderReports = 0;
  private readonly baseFollowsLate: boolean;

  /** `clockRate`: RTP timestamp units per second of the source (90000 for video). */
  constructor(readonly ssrc: number, readonly clockRate: number, options: ReceptionStatsOptions = {}) {
    this.baseFollowsLate = options.baseFollowsLatePackets ?? false;
  }

  /** Records one packet; returns its extended sequence number. */
  onRtp(sequenceNumber: number, rtpTimestamp: number, arrivalMs: number): number {
    const ext = this.seqs.unwrap(sequenceNumber);
    if (this.received > 0) {
      const arrivalDelta = ((arrivalMs - this.lastArrivalMs) * this.clockRate) / 1000;
      this.jitter = updateJitter(this.jitter, arrivalDelta, this.lastTimestamp, rtpTimestamp);
    }
    if (this.baseExt < 0 || (this.baseFollowsLate && ext < this.baseExt)) this.baseExt = ext;
    this.received++;
    this.lastArrivalMs = arrivalMs;
    this.lastTimestamp = rtpTimestamp;
    return ext;
  }

  /** Extended sequence number `sequenceNumber` would get now, without recording it. */
  peekExtended(sequenceNumber: number): number {
    return this.seqs.peek(sequenceNumber);
  }

  /** Highest extended sequence number so far (first packet: 65536 + its seq), or -1 before any. */
  get highestExtended(): number {
    return this.seqs.highestExtended;
  }

  /** Interarrival jitter in RTP timestamp units (unrounded). */
  get jitterUnits(): number {
    return this.jitter;
  }

  /** Record an SR from this source: its NTP time becomes the next blocks' LSR. */
  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.lsr = ntpMiddle32(ntpSeconds, ntpFraction);
    this.lastSrArrivalMs = arrivalMs;
    this.senderReports++;
  }

  private get expected(): number {
    return this.baseExt < 0 ? 0 : this.seqs.highestExtended - this.baseExt + 1;
  }

  /**
   * The report block for now, and the start of a new interval for `fractionLost`.
   * Undefined before the first packet (RFC 3550: no block for a source not heard from).
   */
  reportBlock(nowMs: number): RtcpReportBlock | undefined {
    if (this.baseExt < 0) return undefined;
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const highest = this.seqs.highestExtended;
    // Cycles counted from the base packet (the unwrapper puts the first one in cycle 1).
    const cycles = Math.floor(highest / 65536) - Math.floor(this.baseExt / 65536);
    return {
      ssrc: this.ssrc,
      fractionLost: fractionLost(expectedInterval, expectedInterval - receivedInterval),
      cumulativeLost: clampCumulativeLost(expected - this.received),
      highestSeq: ((cycles & 0xffff) * 65536 + (highest & 0xffff)) >>> 0,
      jitter: Math.min(0xffffffff, Math.floor(this.jitter)) >>> 0,
      lsr: this.lsr,
      dlsr: this.lsr === 0 ? 0 : msToDlsr(nowMs - this.lastSrArrivalMs),
    };
  }

  get counters(): ReceptionCounters {
    const expected = this.expected;
    return {
      received: this.received,
      expected,
      lost: expected - this.received,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      senderReports: this.senderReports,
    };
  }
}
