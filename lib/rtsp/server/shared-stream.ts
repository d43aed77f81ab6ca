/**
 * One packetized stream per served path, fanned out to every viewer, like a camera: one
 * encoder, one SSRC, one sequence of packets. Frames are pulled from the source at the pace
 * of their timestamps; every viewer gets the same packet buffers. The stream runs only while
 * someone watches; when it starts again its RTP clock jumps by the idle wall time, so RTP
 * time keeps tracking wall time and sequence numbers simply continue.
 */
import { tsAdd } from '../../rtp/seq.js';
import type { H264Source } from './media-source.js';
import { H264Packetizer } from '../../h264/packetizer.js';
import { PACER_DEFAULTS, RtpPacer } from './pacer.js';
import type { Clock, TimerHandle } from '../../clock.js';
import { buildSenderReport } from './rtcp.js';
import { RETRANSMISSION_HISTORY_DEFAULTS, RetransmissionHistory, type ResendLimiter, type ResendSink, type RetransmissionHistoryOptions, type RetransmissionHistoryStats } from '../../recovery/history.js';

/**
 * Bytes in front of every RTP packet a SharedStream delivers: `$`, channel 0, 16-bit length
 * (RFC 2326 10.12), so `new Uint8Array(pkt.buffer, pkt.byteOffset - 4, pkt.length + 4)` is
 * the packet ready for interleaved channel 0.
 */
export const INTERLEAVED_PREFIX = 4;

export interface StreamViewer {
  /** A packet of the current frame: `frameStart` on its first packet, `keyframe` on all of an IDR frame's. */
  deliverRtp(packet: Uint8Array, frameStart: boolean, keyframe: boolean): void;
  deliverRtcp(packet: Uint8Array): void;
}

export interface SharedStreamOptions {
  clock: Clock;
  /** Source of randomness for SSRC and initial sequence number/timestamp (tests pin it). Default Math.random. */
  random?: () => number;
  /** Default 96. */
  payloadType?: number;
  /** RTP packet size limit. Default 1200 bytes. */
  maxPacketSize?: number;
  /** Sender report interval. Default 5000 ms (RFC 3550 minimum). */
  senderReportIntervalMs?: number;
  /** At most one forced keyframe per this interval; later requests wait, never vanish. Default 500 ms. */
  minKeyframeIntervalMs?: number;
  /** Lateness after which pacing re-anchors instead of bursting. Default 1000 ms. */
  maxLagMs?: number;
  cname?: string;
  /** First RTP sequence number (tests crossing the 65535 -> 0 wrap). Default: random. */
  initialSequenceNumber?: number;
  /**
   * Copies of recent packets kept to answer viewers' NACKs (UDP), or false for none.
   * Default: RetransmissionHistory defaults (1000 ms, 1024 packets).
   */
  retransmission?: RetransmissionHistoryOptions | false;
}

/**
 * Without a default: `cname` (camwire-<ssrc>), `initialSequenceNumber` (random), `random`
 * (Math.random) and the clock, which is always given.
 */
export const SHARED_STREAM_DEFAULTS = Object.freeze({
  payloadType: 96,
  maxPacketSize: 1200,
  senderReportIntervalMs: 5000,
  minKeyframeIntervalMs: 500,
  maxLagMs: PACER_DEFAULTS.maxLagMs,
  retransmission: RETRANSMISSION_HISTORY_DEFAULTS,
} as const satisfies Required<Omit<SharedStreamOptions, 'clock' | 'random' | 'cname' | 'initialSequenceNumber'>>);

export interface SharedStreamStats {
  viewers: number;
  frames: number;
  keyframes: number;
  packets: number;
  /** Payload octets sent (RFC 3550 SR sender's octet count). */
  octets: number;
  keyframeRequests: number;
  keyframesForced: number;
  senderReports: number;
  reanchors: number;
  /** NACKed packets resent, and the history's own counters (absent when it is off). */
  retransmissions: number;
  history?: RetransmissionHistoryStats;
}

export class SharedStream {
  readonly ssrc: number;
  readonly source: H264Source;
  private readonly clock: Clock;
  private readonly packetizer: H264Packetizer;
  private readonly scratch: Uint8Array;
  private readonly pacer: RtpPacer;
  private readonly viewers = new Set<StreamViewer>();
  private readonly srIntervalMs: number;
  private readonly minKeyframeIntervalMs: number;
  private readonly cname: string;
  private timestamp: number;
  private timer: TimerHandle | undefined;
  private stoppedAt: number | undefined;
  private lastSrAt = -Infinity;
  private lastForcedKeyframeAt = -Infinity;
  private keyframePending = false;
  private counters = { frames: 0, keyframes: 0, packets: 0, octets: 0, keyframeRequests: 0, keyframesForced: 0, senderReports: 0, retransmissions: 0 };
  private readonly history: RetransmissionHistory | undefined;

  constructor(source: H264Source, opts: SharedStreamOptions) {
    const random = opts.random ?? Math.random;
    this.source = source;
    this.clock = opts.clock;
    this.ssrc = Math.floor(random() * 0x100000000) >>> 0;
    this.packetizer = new H264Packetizer({
      ssrc: this.ssrc,
      payloadType: opts.payloadType ?? SHARED_STREAM_DEFAULTS.payloadType,
      mtu: opts.maxPacketSize ?? SHARED_STREAM_DEFAULTS.maxPacketSize,
      sequenceNumber: opts.initialSequenceNumber !== undefined ? opts.initialSequenceNumber & 0xffff : Math.floor(random() * 0x10000),
      parameterSets: [source.sps, source.pps],
    });
    this.scratch = new Uint8Array(this.packetizer.mtu);
    this.timestamp = Math.floor(random() * 0x100000000) >>> 0;
    this.pacer = new RtpPacer({ clockRate: 90000, maxLagMs: opts.maxLagMs ?? SHARED_STREAM_DEFAULTS.maxLagMs });
    this.srIntervalMs = opts.senderReportIntervalMs ?? SHARED_STREAM_DEFAULTS.senderReportIntervalMs;
    this.minKeyframeIntervalMs = opts.minKeyframeIntervalMs ?? SHARED_STREAM_DEFAULTS.minKeyframeIntervalMs;
    this.cname = opts.cname ?? `camwire-${this.ssrc.toString(16)}`;
    if (opts.retransmission !== false) this.history = new RetransmissionHistory(opts.retransmission ?? {});
  }

  /**
   * Resends the NACKed packets still held to one viewer (`sink`), except those `limiter`
   * says it got within the last `rttMs`. Returns how many were resent.
   */
  answerNack(seqs: readonly number[], limiter: ResendLimiter, rttMs: number, sink: ResendSink): number {
    if (!this.history) return 0;
    const n = this.history.serve(seqs, this.clock.now(), limiter, rttMs, sink);
    this.counters.retransmissions += n;
    return n;
  }

  get payloadType(): number {
    return this.packetizer.payloadType;
  }

  /** Sequence number of the next packet sent (for RTP-Info). */
  get nextSequenceNumber(): number {
    return this.packetizer.sequenceNumber;
  }

  /** RTP timestamp of the next frame sent (for RTP-Info). */
  get nextTimestamp(): number {
    if (this.timer === undefined && this.stoppedAt !== undefined) return this.resumeTimestamp();
    return this.timestamp;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  stats(): SharedStreamStats {
    const out: SharedStreamStats = { viewers: this.viewers.size, ...this.counters, reanchors: this.pacer.stats.reanchors };
    if (this.history) out.history = { ...this.history.stats };
    return out;
  }

  /** Adds a viewer (it should wait for a keyframe) and asks for one; starts the stream if idle. */
  add(viewer: StreamViewer): void {
    this.viewers.add(viewer);
    this.lastSrAt = -Infinity; // the newcomer gets a sender report with its first frame
    this.requestKeyframe();
    if (this.timer === undefined) this.start();
  }

  remove(viewer: StreamViewer): void {
    if (!this.viewers.delete(viewer)) return;
    if (this.viewers.size === 0) this.stop();
  }

  /** A viewer lost the picture (PLI, FIR, skipped ahead): the next frame will be a keyframe, rate-limited. */
  requestKeyframe(): void {
    this.counters.keyframeRequests++;
    this.keyframePending = true;
  }

  close(): void {
    this.viewers.clear();
    this.stop();
  }

  private resumeTimestamp(): number {
    const idleMs = this.clock.now() - (this.stoppedAt ?? this.clock.now());
    return tsAdd(this.timestamp, Math.round(idleMs * 90));
  }

  private start(): void {
    if (this.stoppedAt !== undefined) this.timestamp = this.resumeTimestamp();
    this.stoppedAt = undefined;
    this.pacer.anchor(this.timestamp, this.clock.now());
    this.timer = this.clock.setTimer(0, this.tick);
  }

  private stop(): void {
    if (this.timer === undefined) return;
    this.timer.cancel();
    this.timer = undefined;
    this.stoppedAt = this.clock.now();
  }

  private readonly tick = (): void => {
    const now = this.clock.now();
    if (this.keyframePending && now - this.lastForcedKeyframeAt >= this.minKeyframeIntervalMs) {
      this.source.requestKeyframe();
      this.lastForcedKeyframeAt = now;
      this.counters.keyframesForced++;
      this.keyframePending = false;
    }
    const frame = this.source.nextFrame();
    if (frame.keyframe) {
      this.counters.keyframes++;
      this.keyframePending = false; // any keyframe answers every request made before it
    }
    this.packetizer.start(frame.nalus, this.timestamp);
    let frameStart = true;
    for (let n = this.packetizer.writeNext(this.scratch); n > 0; n = this.packetizer.writeNext(this.scratch)) {
      // A fresh buffer per packet: several sockets write it asynchronously, nobody may reuse
      // it. It starts with the `$`, channel 0, length prefix of an interleaved frame, so TCP
      // viewers on channel 0 (nearly all) send it without another copy (see INTERLEAVED_PREFIX).
      const framed = new Uint8Array(n + INTERLEAVED_PREFIX);
      framed[0] = 0x24;
      framed[2] = n >> 8;
      framed[3] = n & 0xff;
      framed.set(this.scratch.subarray(0, n), INTERLEAVED_PREFIX);
      const pkt = framed.subarray(INTERLEAVED_PREFIX);
      this.counters.packets++;
      this.counters.octets += n - 12;
      this.history?.store(pkt, now);
      for (const v of this.viewers) v.deliverRtp(pkt, frameStart, frame.keyframe);
      frameStart = false;
    }
    this.counters.frames++;
    if (now - this.lastSrAt >= this.srIntervalMs) this.sendSenderReport(now);
    this.timestamp = tsAdd(this.timestamp, frame.duration);
    if (this.timer === undefined) return; // a viewer callback stopped the stream
    this.timer = this.clock.setTimer(this.pacer.delayUntil(this.timestamp, this.clock.now()), this.tick);
  };

  private sendSenderReport(now: number): void {
    this.lastSrAt = now;
    this.counters.senderReports++;
    const sr = buildSenderReport({
      ssrc: this.ssrc,
      wallClockMs: this.clock.wallClock(),
      rtpTimestamp: this.pacer.rtpTimeAt(now),
      packetCount: this.counters.packets >>> 0,
      octetCount: this.counters.octets >>> 0,
      cname: this.cname,
    });
    for (const v of this.viewers) v.deliverRtcp(sr);
  }
}
