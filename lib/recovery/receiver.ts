/**
 * The receiving side of one RTP stream, composed: interarrival jitter, NACK generator and
 * reorder buffer wired together the way the camera leg needs them. Packets go in in arrival
 * order; in-order packets and loss events come out through the sink; `poll` says which
 * sequence numbers to NACK and whether to ask for a keyframe.
 *
 * The wiring: jitter (originals only) sets the reorder hold time; with NACK on, the hold
 * time also covers the first request plus `recoveryRtts` round trips, so a resent packet
 * can still fill its gap; a gap the reorder buffer gives up is no longer requested; a sender
 * restart resets the NACK state.
 */
import { ReorderBuffer, type ReorderBufferOptions, type ReorderSink } from './reorder-buffer.js';
import { NACK_GENERATOR_DEFAULTS, NackGenerator, type NackGeneratorOptions, type NackRequest } from './nack-generator.js';
import { JitterEstimator } from './jitter.js';

export interface RecoveringReceiverOptions {
  /** RTP clock rate of the stream (Hz). Default 90000. */
  clockRate?: number;
  reorder?: ReorderBufferOptions;
  /** NACK generator options, or false to never ask for retransmissions (`--no-nack`). */
  nack?: NackGeneratorOptions | false;
  /**
   * Round trips the reorder hold time leaves for retransmissions when NACK is on (each at least
   * the NACK generator's minimum retry interval). Default 3.
   */
  recoveryRtts?: number;
}

/** Its reorder buffer and NACK generator have their own (REORDER_BUFFER_DEFAULTS, NACK_GENERATOR_DEFAULTS). */
export const RECOVERING_RECEIVER_DEFAULTS = Object.freeze({
  clockRate: 90000,
  recoveryRtts: 3,
} as const satisfies Required<Omit<RecoveringReceiverOptions, 'reorder' | 'nack'>>);

export interface RecoveringReceiverStats {
  received: number;
  delivered: number;
  /** Never arrived in time (declared lost by the reorder buffer). */
  lost: number;
  /** Arrived after having been NACKed. */
  recovered: number;
  duplicates: number;
  late: number;
  nacksSent: number;
  keyframeRequests: number;
  /** Current interarrival jitter (ms) and hold time (ms). */
  jitterMs: number;
  holdMs: number;
  /** RTT learned from NACK repairs (ms), -1 before the first (see NackGenerator). */
  learnedRttMs: number;
}

const NO_REQUEST: NackRequest = Object.freeze({ seqs: Object.freeze([]) as unknown as number[], keyframe: false });

export class RecoveringReceiver<T extends NonNullable<unknown>> implements ReorderSink<T> {
  readonly reorder: ReorderBuffer<T>;
  readonly nack: NackGenerator | undefined;
  readonly jitter: JitterEstimator;
  private readonly sink: ReorderSink<T>;
  private readonly firstDelay: number;
  private readonly recoveryRtts: number;
  private rtt: number;
  private readonly minRetry: number;
  private resynced = false;

  constructor(sink: ReorderSink<T>, options: RecoveringReceiverOptions = {}) {
    this.sink = sink;
    this.jitter = new JitterEstimator(options.clockRate ?? RECOVERING_RECEIVER_DEFAULTS.clockRate);
    this.reorder = new ReorderBuffer<T>(this, options.reorder);
    const nackOptions = options.nack === false ? undefined : options.nack ?? {};
    this.nack = nackOptions ? new NackGenerator(nackOptions) : undefined;
    // The generator's own defaults, for the hold time that must cover its requests.
    const nack = NACK_GENERATOR_DEFAULTS;
    this.firstDelay = (nackOptions?.firstDelayMs ?? nack.firstDelayMs) + (nackOptions?.batchIntervalMs ?? nack.batchIntervalMs);
    this.recoveryRtts = options.recoveryRtts ?? RECOVERING_RECEIVER_DEFAULTS.recoveryRtts;
    this.minRetry = nackOptions?.minRetryIntervalMs ?? nack.minRetryIntervalMs;
    this.rtt = nackOptions?.initialRttMs ?? nack.initialRttMs;
    this.updateRecoveryWait();
  }

  /**
   * One arriving packet. `retransmission` (e.g. unwrapped from RTX) keeps it out of the
   * jitter estimate; its arrival time says nothing about the path's jitter.
   */
  push(pkt: T, seq: number, rtpTimestamp: number, now: number, retransmission = false): void {
    if (!retransmission) {
      this.jitter.update(rtpTimestamp, now);
      this.reorder.setJitterMs(this.jitter.jitterMs);
    }
    this.nack?.onPacket(seq, now);
    this.resynced = false;
    this.reorder.push(pkt, seq, now);
    if (this.resynced && this.nack) {
      // The sender restarted: what was missing in the old sequence space is moot.
      this.nack.reset();
      this.nack.onPacket(seq, now);
    }
  }

  /** Round-trip time to the sender (ms), from RTCP. */
  setRttMs(rttMs: number): void {
    if (!(rttMs >= 0 && Number.isFinite(rttMs))) return;
    this.rtt = rttMs;
    this.nack?.setRttMs(rttMs);
    this.updateRecoveryWait();
  }

  /**
   * A round trip measured outside RTCP (RTSP control): paces retries (NackGenerator.setRttFloorMs)
   * but leaves the hold time alone. Like what repairs teach, it may not be the media path's
   * round trip (a firewall can delay UDP and not TCP); only an RTCP RTT shortens the hold.
   */
  setRttFloorMs(ms: number): void {
    this.nack?.setRttFloorMs(ms);
  }

  /** When `poll` next has work; Infinity when idle. Schedule one timer for it. */
  nextDeadline(): number {
    const r = this.reorder.nextDeadline();
    const n = this.nack ? this.nack.nextDeadline() : Infinity;
    return r < n ? r : n;
  }

  /** Releases expired gaps and returns what to request now (reused object; empty when nothing). */
  poll(now: number): NackRequest {
    this.reorder.poll(now);
    if (this.nack && this.nack.nextDeadline() <= now) return this.nack.poll(now);
    return NO_REQUEST;
  }

  /** End of stream: release everything held. */
  flush(): void {
    this.reorder.flush();
  }

  stats(): RecoveringReceiverStats {
    const r = this.reorder.stats;
    const n = this.nack?.stats;
    return {
      received: r.received, delivered: r.delivered, lost: r.lost, recovered: n?.recovered ?? 0,
      duplicates: r.duplicates, late: r.late + r.tooOld, nacksSent: n?.requested ?? 0,
      keyframeRequests: n?.keyframeRequests ?? 0, jitterMs: this.jitter.jitterMs, holdMs: this.reorder.waitMs,
      learnedRttMs: this.nack?.learnedRttMs ?? -1,
    };
  }

  /** @internal ReorderSink: forwards to the caller's sink. */
  onPacket(pkt: T, extSeq: number): void {
    this.sink.onPacket(pkt, extSeq);
  }

  /** @internal */
  onLoss(fromExt: number, count: number): void {
    this.nack?.abandonThrough((fromExt + count - 1) & 0xffff);
    this.sink.onLoss(fromExt, count);
  }

  /** @internal */
  onResync(nextExt: number): void {
    this.resynced = true;
    this.sink.onResync?.(nextExt);
  }

  private updateRecoveryWait(): void {
    if (this.nack) this.reorder.setRecoveryWaitMs(this.firstDelay + this.recoveryRtts * Math.max(this.rtt, this.minRetry));
  }
}
