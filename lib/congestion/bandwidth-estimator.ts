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
import { seqAdd } from '../rtp/seq.js';
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

export class BandwidthEstimator {
  private readonly o: Record<keyof typeof BANDWIDTH_ESTIMATOR_DEFAULTS, number>;
  private readonly mask: number;
  private readonly sentSeq: Int32Array;
  private readonly sentAt: Float64Array;
  private readonly sentBytes: Int32Array;
  /** The probe cluster each remembered packet went out in (-1: none). */
  private readonly sentCluster: Int32Array;
  private readonly probe = new ProbeBitrate();
  private openCluster = -1;
  private clusterPackets = 0;
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
    this.sentSeq = new Int32Array(size).fill(EMPTY);
    this.sentAt = new Float64Array(size);
    this.sentBytes = new Int32Array(size);
    this.sentCluster = new Int32Array(size).fill(EMPTY);
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
    const i = seq & this.mask;
    this.sentSeq[i] = seq;
    this.sentAt[i] = now;
    this.sentBytes[i] = bytes;
    this.sentCluster[i] = this.openCluster;
    if (this.openCluster >= 0) this.clusterPackets++;
  }

  /** Every packet sent from now to endProbeCluster (padding and media alike) is of probe cluster `id` (>= 0). */
  beginProbeCluster(id: number): void {
    this.openCluster = id;
    this.clusterPackets = 0;
  }

  /** The cluster is sent: its result comes with the feedback that reports the last of its packets. */
  endProbeCluster(): void {
    if (this.openCluster >= 0 && this.clusterPackets > 0) this.probe.expect(this.openCluster, this.clusterPackets);
    this.openCluster = -1;
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
    for (let k = 0; k < count; k++) {
      const received = fb.statuses[k] !== TWCC_NOT_RECEIVED;
      // Every received packet's delta counts towards the next one's arrival, known or not.
      if (received) arrival += fb.deltas[k] / 4;
      const seq = seqAdd(fb.baseSeq, k);
      const i = seq & this.mask;
      if (this.sentSeq[i] !== seq) {
        this.c.unknownPackets++;
        continue;
      }
      reported++;
      if (this.sentCluster[i] >= 0) this.probePacket(i, received ? arrival : -1, now);
      if (!received) {
        lost++;
        continue;
      }
      this.detector.onPacket(this.sentAt[i], arrival);
      this.ack(this.sentBytes[i], now);
      this.sentSeq[i] = EMPTY;
    }
    if (reported === 0) return;
    this.loss = 0.8 * this.loss + 0.2 * (lost / reported);
    const usage = this.detector.state;
    if (usage === 'overuse') this.lastOveruse = now;
    this.rate.update(usage, this.acked + this.untracked, now);
    this.updateLossBound(now);
  }

  private probePacket(i: number, arrival: number, now: number): void {
    const r = this.probe.onPacket(this.sentCluster[i], this.sentAt[i], arrival, this.sentBytes[i], now);
    if (!r) return;
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
