/**
 * What the RTSP client knows about one camera track (RFC 3550 6.4.1, A.3, A.8): packets
 * received, lost, reordered and duplicated, interarrival jitter, and the report block for the
 * receiver reports cameras want every 5 s. Unlike lib/rtcp's ReceptionStats it tells
 * duplicates and reordering apart (the probe reports them) and restarts when the SSRC changes;
 * the arithmetic is lib/rtcp's. Pure: arrival times come in as parameters.
 */
import { SeqUnwrapper } from '../rtp/seq.js';
import { clampCumulativeLost, fractionLost, msToDlsr, ntpMiddle32, updateJitter, type RtcpReportBlock } from '../rtcp/index.js';

export interface ReceptionCounters {
  ssrc: number | undefined;
  received: number;
  bytes: number;
  /** Expected (from the sequence range) minus received; never negative. */
  lost: number;
  /** Arrived after a higher sequence number. */
  reordered: number;
  /** Same sequence number seen again within the last `DUPLICATE_WINDOW` packets. */
  duplicated: number;
  /** Times the SSRC changed within one session (counters restart). */
  ssrcChanges: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
}

export type ReceptionReportBlock = RtcpReportBlock;

const DUPLICATE_WINDOW = 1024;

export class RtpReception {
  private readonly unwrapper = new SeqUnwrapper();
  private readonly seen = new Float64Array(DUPLICATE_WINDOW).fill(-1);
  private ssrc: number | undefined;
  private base = -1;
  private received = 0;
  private bytes = 0;
  private reordered = 0;
  private duplicated = 0;
  private ssrcChanges = 0;
  private jitter = 0;
  private lastTransitSet = false;
  private lastArrivalRtp = 0;
  private lastTimestamp = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private lastSrNtpMiddle = 0;
  private lastSrArrivalMs = 0;

  /** `clockRate` of the track, for jitter in RTP units. */
  constructor(private readonly clockRate: number) {}

  /** Records one packet; returns how it arrived. */
  onPacket(seq: number, timestamp: number, ssrc: number, bytes: number, arrivalMs: number): 'new' | 'reordered' | 'duplicate' {
    if (this.ssrc !== ssrc) {
      if (this.ssrc !== undefined) this.ssrcChanges++;
      this.restart(ssrc);
    }
    const before = this.unwrapper.highestExtended;
    const ext = this.unwrapper.unwrap(seq);
    const slot = ext % DUPLICATE_WINDOW;
    if (this.seen[slot] === ext) {
      this.duplicated++;
      return 'duplicate';
    }
    this.seen[slot] = ext;
    if (this.base < 0 || ext < this.base) this.base = ext;
    this.received++;
    this.bytes += bytes;
    const arrivalRtp = (arrivalMs * this.clockRate) / 1000;
    if (this.lastTransitSet) this.jitter = updateJitter(this.jitter, arrivalRtp - this.lastArrivalRtp, this.lastTimestamp, timestamp);
    this.lastTransitSet = true;
    this.lastArrivalRtp = arrivalRtp;
    this.lastTimestamp = timestamp;
    if (before >= 0 && ext < before) {
      this.reordered++;
      return 'reordered';
    }
    return 'new';
  }

  /** Records a sender report from this source (for LSR/DLSR). */
  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.lastSrNtpMiddle = ntpMiddle32(ntpSeconds, ntpFraction);
    this.lastSrArrivalMs = arrivalMs;
  }

  get counters(): ReceptionCounters {
    return {
      ssrc: this.ssrc,
      received: this.received,
      bytes: this.bytes,
      lost: this.lost(),
      reordered: this.reordered,
      duplicated: this.duplicated,
      ssrcChanges: this.ssrcChanges,
      jitter: Math.floor(this.jitter),
    };
  }

  /** Report block for an RR sent now; undefined before the first packet. Advances the interval. */
  reportBlock(nowMs: number): ReceptionReportBlock | undefined {
    if (this.ssrc === undefined || this.base < 0) return undefined;
    const highest = this.unwrapper.highestExtended;
    const expected = highest - this.base + 1;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const fraction = fractionLost(expectedInterval, expectedInterval - receivedInterval);
    const cumulative = clampCumulativeLost(expected - this.received);
    // Cycles counted from the lowest sequence number received (which may have arrived late).
    const cycles = Math.floor(highest / 65536) - Math.floor(this.base / 65536);
    const extendedHighest = ((cycles & 0xffff) * 65536 + (highest & 0xffff)) >>> 0;
    const dlsr = this.lastSrNtpMiddle === 0 ? 0 : msToDlsr(nowMs - this.lastSrArrivalMs);
    return {
      ssrc: this.ssrc,
      fractionLost: fraction,
      cumulativeLost: cumulative,
      highestSeq: extendedHighest,
      jitter: Math.min(0xffffffff, Math.floor(this.jitter)) >>> 0,
      lsr: this.lastSrNtpMiddle,
      dlsr,
    };
  }

  private lost(): number {
    if (this.base < 0) return 0;
    return Math.max(0, this.unwrapper.highestExtended - this.base + 1 - this.received);
  }

  private restart(ssrc: number): void {
    this.ssrc = ssrc;
    this.unwrapper.reset();
    this.seen.fill(-1);
    this.base = -1;
    this.received = this.bytes = this.reordered = this.duplicated = 0;
    this.jitter = 0;
    this.lastTransitSet = false;
    this.expectedPrior = this.receivedPrior = 0;
    this.lastSrNtpMiddle = this.lastSrArrivalMs = 0;
  }
}
