/**
 * One viewer's bandwidth estimate, in the manner of GCC: the delay-based estimate (from
 * transport-wide CC feedback: when each packet arrived), capped by the receiver's REMB when it
 * sends one, and a loss-based bound that reacts to loss only when it is congestion.
 *
 * Loss is not congestion here: camwire repairs random loss with NACK/RTX (99.6% of frames at
 * 15% loss), so loss alone never lowers the estimate. It counts only while the delay detector
 * has seen a queue grow within `lossWithDelayMs` (a full bottleneck both delays and drops), or
 * when it is beyond what retransmission repairs (`unrepairableLoss`). Then, as GCC's loss-based
 * controller: above 10% the bound falls by half the loss; below 2% it grows 5% a feedback.
 *
 * Pure: the injected clock's times come in as arguments. Memory per viewer is bounded: the send
 * history is a ring of `historySize` packets, feedback is processed as it comes.
 */
import { seqAdd, seqDistance } from '../rtp/seq.js';
import { transportCcCount, TWCC_NOT_RECEIVED, type TransportCcFeedback } from '../rtcp/transport-cc.js';
import { AimdRate } from './aimd-rate.js';
import { ProbeBitrate, type ProbeClusterResult } from './probe-bitrate.js';
import { DelayDetector, type BandwidthUsage, type DelayDetectorOptions } from './delay-detector.js';

export const BANDWIDTH_ESTIMATOR_DEFAULTS = Object.freeze({
  initialBps: 1_000_000,
  minBps: 100_000,
  maxBps: 50_000_000,
  /** Packets remembered for matching feedback (a power of two). */
  historySize: 4096,
  /** Loss counts as congestion this long after the delay detector last saw overuse (ms). */
  lossWithDelayMs: 2000,
  /** Loss above this (smoothed) counts as congestion whatever the delay. */
  unrepairableLoss: 0.3,
  /** The acknowledged rate is measured over this window (ms). */
  ackedWindowMs: 500,
  /** REMB above this (bit/s) is absurd: counted and ignored. */
  maxRembBps: 10_000_000_000,
});

export type BandwidthEstimatorOptions = Partial<Record<keyof typeof BANDWIDTH_ESTIMATOR_DEFAULTS, number>> & { delay?: DelayDetectorOptions };

export interface BandwidthEstimatorStats {
  estimateBps: number;
  delayBasedBps: number;
  lossBasedBps: number;
  /** The receiver's REMB, 0 when none. */
  rembBps: number;
  ackedBps: number;
  /** Smoothed fraction of packets reported lost. */
  lossRatio: number;
  usage: BandwidthUsage;
  trend: number;
  feedbacks: number;
  /** Feedback about packets not (or no longer) in the send history. */
  unknownPackets: number;
  rembIgnored: number;
  /** Receiver reports taken (the loss signal of a viewer without transport-wide CC). */
  receiverReports: number;
  /** Padding probes measured, and the latest one's result (bit/s, the untracked rate included; 0: failed). */
  probes: number;
  probeBps: number;
  /** Overuse cuts of the delay-based estimate. */
  overuseCuts: number;
  /** Sent without the transport-wide extension (the sound), added to what is acknowledged. */
  untrackedBps: number;
}

const EMPTY = -1;
/** Send times are kept in 32-bit ticks of 1/64 ms since the first packet (exact across their wrap for any packet sent within 9 hours of its feedback). */
const TICKS_PER_MS = 64;
/** A packet's size is kept in 15 bits (an RTP packet is at most an MTU). */
const MAX_RECORDED_BYTES = 0x7fff;

export class BandwidthEstimator {
  private readonly o: Record<keyof typeof BANDWIDTH_ESTIMATOR_DEFAULTS, number>;
  private readonly mask: number;
  /**
   * The send history, two Int32s a packet: its sequence number and size (`seq | bytes << 16`,
   * EMPTY once acknowledged), then its send tick. One array, 8 bytes a packet: it is written
   * for every packet to every viewer, and a viewer's history is out of the cache by the time it
   * comes round again, so its size is what each packet costs.
   */
  private readonly sent: Int32Array;
  /** The clock time of tick 0 (the first packet's send time). */
  private tickBase = NaN;
  private readonly probe = new ProbeBitrate();
  /** The probe cluster being sent (-1: none), and its packets so far: a cluster is a run of consecutive transport-wide sequence numbers. */
  private openCluster = -1;
  private clusterPackets = 0;
  /** The cluster being measured (-1: none; open or sent, its result not yet known), as its first sequence number and its packets so far. */
  private pendingCluster = -1;
  private pendingFirstSeq = 0;
  private pendingPackets = 0;
  private untracked = 0;
  /** The latest probe's result, undefined until one is measured. */
  lastProbe: ProbeClusterResult | undefined;
  private probes = 0;
  private readonly detector: DelayDetector;
  private readonly rate: AimdRate;
  private lossBound: number;
  private remb = 0;
  private loss = 0;
  private lastOveruse = -Infinity;
  private ackedBytes = 0;
  private ackedSince = -1;
  private acked = 0;
  private readonly c = { feedbacks: 0, unknownPackets: 0, rembIgnored: 0, receiverReports: 0 };

  constructor(opts: BandwidthEstimatorOptions = {}) {
    this.o = { ...BANDWIDTH_ESTIMATOR_DEFAULTS, ...opts };
    const size = 1 << Math.ceil(Math.log2(Math.max(16, this.o.historySize)));
    this.mask = size - 1;
    this.sent = new Int32Array(2 * size).fill(EMPTY);
    this.detector = new DelayDetector(opts.delay);
    this.rate = new AimdRate(this.o.initialBps, this.o.minBps, this.o.maxBps);
    this.lossBound = this.o.maxBps;
  }

  /** The estimate (bit/s): the least of the delay-based, loss-based and REMB figures. */
  get estimateBps(): number {
    let e = Math.min(this.rate.bps, this.lossBound);
    if (this.remb > 0) e = Math.min(e, this.remb);
    return Math.max(this.o.minBps, e);
  }

  /** A packet carrying transport-wide sequence number `seq` went out at `now` (ms). */
  onPacketSent(seq: number, bytes: number, now: number): void {
    if (Number.isNaN(this.tickBase)) this.tickBase = now;
    const i = (seq & this.mask) << 1;
    this.sent[i] = seq | (Math.min(bytes, MAX_RECORDED_BYTES) << 16);
    // Stored modulo 2^32 (the Int32Array's conversion): sentAtTick undoes it.
    this.sent[i + 1] = Math.round((now - this.tickBase) * TICKS_PER_MS);
    if (this.openCluster >= 0) {
      if (this.clusterPackets === 0) this.pendingFirstSeq = seq;
      this.pendingPackets = ++this.clusterPackets;
    }
  }

  /** Every packet sent from now to endProbeCluster (padding and media alike) is of probe cluster `id` (>= 0). */
  beginProbeCluster(id: number): void {
    this.openCluster = id;
    this.clusterPackets = 0;
    this.probe.open(id);
    this.pendingCluster = id;
    this.pendingPackets = 0;
  }

  /** The cluster is sent: its result comes with the feedback that reports the last of its packets. */
  endProbeCluster(now: number): void {
    const id = this.openCluster;
    this.openCluster = -1;
    if (id < 0) return;
    if (this.clusterPackets === 0) {
      this.pendingCluster = -1;
      return;
    }
    const r = this.probe.close(id, this.clusterPackets, now);
    if (r) this.onProbeResult(r, now);
  }

  /**
   * What is sent to this receiver without the transport-wide extension (bit/s, the sound): it
   * shares the link, so it is added to what is acknowledged and to a probe's result, making the
   * estimate one of the whole link; a chooser budgets it apart.
   */
  setUntrackedBps(bps: number): void {
    this.untracked = Math.max(0, bps);
  }

  onTransportFeedback(fb: TransportCcFeedback, now: number): void {
    this.c.feedbacks++;
    let arrival = fb.referenceTime * 64;
    let lost = 0;
    let reported = 0;
    const count = transportCcCount(fb);
    const sent = this.sent;
    const nowTick = Math.round((now - this.tickBase) * TICKS_PER_MS);
    for (let k = 0; k < count; k++) {
      const received = fb.statuses[k] !== TWCC_NOT_RECEIVED;
      // Every received packet's delta counts towards the next one's arrival, known or not.
      if (received) arrival += fb.deltas[k] / 4;
      const seq = seqAdd(fb.baseSeq, k);
      const i = (seq & this.mask) << 1;
      const record = sent[i];
      if (record === EMPTY || (record & 0xffff) !== seq) {
        this.c.unknownPackets++;
        continue;
      }
      reported++;
      // The tick's 32 bits are exact within 2^31 ticks of now: the difference, taken as a signed 32-bit number, is.
      const sentAt = this.tickBase + (nowTick - ((nowTick - sent[i + 1]) | 0)) / TICKS_PER_MS;
      if (this.pendingCluster >= 0 && this.inPendingCluster(seq)) this.probePacket(sentAt, received ? arrival : -1, record >>> 16, now);
      if (!received) {
        lost++;
        continue;
      }
      this.detector.onPacket(sentAt, arrival);
      this.ack(record >>> 16, now);
      sent[i] = EMPTY;
    }
    if (reported === 0) return;
    this.loss = 0.8 * this.loss + 0.2 * (lost / reported);
    const usage = this.detector.state;
    if (usage === 'overuse') this.lastOveruse = now;
    this.rate.update(usage, this.acked + this.untracked, now);
    this.updateLossBound(now);
  }

  private inPendingCluster(seq: number): boolean {
    const d = seqDistance(this.pendingFirstSeq, seq);
    return d >= 0 && d < this.pendingPackets;
  }

  private probePacket(sentAt: number, arrival: number, bytes: number, now: number): void {
    const r = this.probe.onPacket(this.pendingCluster, sentAt, arrival, bytes, now);
    if (r) this.onProbeResult(r, now);
  }

  private onProbeResult(r: ProbeClusterResult, now: number): void {
    this.pendingCluster = -1;
    this.probes++;
    this.lastProbe = r.bps > 0 ? { ...r, bps: r.bps + this.untracked } : r;
    if (r.bps > 0) {
      this.rate.raise(this.lastProbe.bps, now);
      this.lossBound = Math.max(this.lossBound, this.lastProbe.bps);
    }
  }

  /**
   * A receiver report's fraction lost (0-1) while `sentBps` was being sent: the whole signal of
   * a viewer without transport-wide CC. With no delay to tell a queue from a lossy path, loss
   * counts as congestion only beyond what retransmission repairs (`unrepairableLoss`); then
   * the loss-based bound falls to what got through, else it grows 5% a report up to 1.5x the
   * rate sent.
   */
  onReceiverReport(fractionLost: number, sentBps: number, now: number): void {
    this.c.receiverReports++;
    this.loss = 0.5 * this.loss + 0.5 * Math.min(1, Math.max(0, fractionLost));
    const sent = sentBps > 0 ? sentBps + this.untracked : 0;
    if (this.loss > this.o.unrepairableLoss && sent > 0) {
      this.lossBound = Math.max(this.o.minBps, Math.min(this.lossBound, sent * (1 - this.loss)));
    } else {
      this.updateLossBound(now);
      // With no delay signal there is no evidence of room beyond what is sent now: as the
      // delay-based rate is capped by what is acknowledged, this bound is capped at 1.5x the
      // rate sent (a viewer on a lower rendition steps up by the chooser's trial, not by drift).
      if (sent > 0) this.lossBound = Math.min(this.lossBound, Math.max(this.o.minBps, sent * 1.5));
    }
  }

  /** The receiver's own estimate (REMB); absurd values are counted and ignored. */
  onRemb(bps: number): void {
    if (!(bps > 0) || bps > this.o.maxRembBps) {
      this.c.rembIgnored++;
      return;
    }
    this.remb = bps;
  }

  stats(): BandwidthEstimatorStats {
    return {
      estimateBps: Math.round(this.estimateBps), delayBasedBps: Math.round(this.rate.bps), lossBasedBps: Math.round(Math.min(this.lossBound, this.o.maxBps)),
      rembBps: this.remb, ackedBps: Math.round(this.acked), lossRatio: Math.round(this.loss * 1000) / 1000, usage: this.detector.state,
      trend: Math.round(this.detector.trend * 100) / 100, ...this.c,
      probes: this.probes, overuseCuts: this.rate.cuts, probeBps: Math.round(this.lastProbe?.bps ?? 0), untrackedBps: Math.round(this.untracked),
    };
  }

  private ack(bytes: number, now: number): void {
    if (this.ackedSince < 0) this.ackedSince = now;
    this.ackedBytes += bytes;
    const span = now - this.ackedSince;
    if (span < this.o.ackedWindowMs) return;
    const bps = (this.ackedBytes * 8 * 1000) / span;
    this.acked = this.acked === 0 ? bps : 0.5 * this.acked + 0.5 * bps;
    this.ackedBytes = 0;
    this.ackedSince = now;
  }

  private updateLossBound(now: number): void {
    const congested = now - this.lastOveruse <= this.o.lossWithDelayMs || this.loss > this.o.unrepairableLoss;
    const base = Math.min(this.lossBound, Math.max(this.rate.bps, this.acked));
    if (congested && this.loss > 0.1) this.lossBound = Math.max(this.o.minBps, base * (1 - 0.5 * this.loss));
    else if (this.loss < 0.02 || !congested) this.lossBound = Math.min(this.o.maxBps, this.lossBound * 1.05);
  }
}
