/**
 * The RTSP server's outputs: how one viewer (or one multicast group) receives a mount's track,
 * over UDP or interleaved in its RTSP TCP connection. Each is a TrackSink of the track, like a
 * WebRTC viewer's sender, but it keeps the stream's own SSRC and sequence numbers (every RTSP
 * viewer sees the same numbering, like a camera's). An output starts on the cached keyframe
 * when nothing has followed it, else on the next keyframe (anything earlier would not decode),
 * sends an SR every `senderReportIntervalMs`, and over UDP answers NACKs from the track's
 * history. An interleaved output whose socket cannot keep up never queues without bound: past
 * `maxQueueBytes` it drops whole frames until its queue has drained and the next keyframe
 * comes (asking for one), and if it stays stuck for `stallTimeoutMs` it is disconnected.
 */
import { ResendLimiter } from '../../recovery/history.js';
import { seqAdd } from '../../rtp/seq.js';
import type { Clock } from '../../clock.js';
import type { CachedKeyframe } from '../../gateway/keyframe-cache.js';
import type { SinkState, TrackSink } from '../../gateway/track-sink.js';

/** What an output needs of its mount. */
export interface OutputHost {
  readonly clock: Clock;
  readonly senderReportIntervalMs: number;
  /**
   * `packet` with the mount's SSRC and payload type, numbered `seq` and stamped `ts`, in a
   * buffer of its own that sockets may keep: one copy per egress packet, shared by every
   * output, with the `$`, channel 0, length prefix of an interleaved frame in the 4 bytes
   * in front of it (INTERLEAVED_PREFIX).
   */
  copy(packet: Uint8Array, seq: number, ts: number): Uint8Array;
  /** SR + SDES for the mount's SSRC, at egress timestamp `egressTsNow`. */
  senderReport(egressTsNow: number): Uint8Array;
  /** A copy of the sent packet `seq` from the track's history, ready to resend; undefined when gone. */
  resendCopy(seq: number, now: number): Uint8Array | undefined;
  requestKeyframe(): void;
}

/** Bytes in front of every packet `OutputHost.copy` returns: `$`, channel 0, 16-bit length (RFC 2326 10.12). */
export const INTERLEAVED_PREFIX = 4;

export interface ViewerStats {
  packetsSent: number;
  octetsSent: number;
  rtcpSent: number;
  /** Packets not sent because the output was waiting for a keyframe (start, or after skipping). */
  packetsDropped: number;
  /** Times a slow viewer's queue overflowed and it skipped ahead to a keyframe. */
  overflows: number;
}

abstract class RtspOutput implements TrackSink {
  readonly stats: ViewerStats = { packetsSent: 0, octetsSent: 0, rtcpSent: 0, packetsDropped: 0, overflows: 0 };
  /** Sequence number and timestamp of the first packet, when it started on the cached keyframe (RTP-Info). */
  startedAt: { seq: number; ts: number } | undefined;
  protected stateValue: SinkState = 'connecting';
  private lastSrAt = -Infinity;

  constructor(protected readonly host: OutputHost) {}

  get state(): SinkState {
    return this.stateValue;
  }

  waitForKeyframe(): void {
    if (this.stateValue === 'connecting') this.stateValue = 'waiting-keyframe';
  }

  startFromCache(cache: CachedKeyframe, nextLiveSeq: number, nowEgressTs: number): void {
    if (this.stateValue !== 'connecting' && this.stateValue !== 'waiting-keyframe') return;
    const n = cache.packets.length;
    // The stream's numbering is everyone's: frames sent since the keyframe would be a gap
    // after it, pictures this viewer never gets. Only the newest unit starts it.
    if (n === 0 || seqAdd(cache.firstSeq, n) !== nextLiveSeq) {
      this.stateValue = 'waiting-keyframe';
      return;
    }
    this.stateValue = 'playing';
    this.startedAt = { seq: cache.firstSeq, ts: nowEgressTs };
    for (let i = 0; i < n; i++) this.deliver(cache.packets[i], seqAdd(cache.firstSeq, i), nowEgressTs);
  }

  sendLive(packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean): void {
    if (this.stateValue !== 'playing') {
      if (this.stateValue !== 'waiting-keyframe' || !keyframeStart || !this.readyToResume()) {
        this.stats.packetsDropped++;
        if (this.stateValue === 'waiting-keyframe') this.onSkipped();
        return;
      }
      this.stateValue = 'playing';
      this.onResumed();
    }
    this.deliver(packet, egressSeq, egressTs);
  }

  tick(egressTsNow: number): void {
    if (this.stateValue !== 'playing') return;
    const now = this.host.clock.now();
    if (now - this.lastSrAt < this.host.senderReportIntervalMs) return;
    this.lastSrAt = now;
    if (this.sendRtcp(this.host.senderReport(egressTsNow))) this.stats.rtcpSent++;
  }

  close(): void {
    this.stateValue = 'closed';
  }

  private deliver(packet: Uint8Array, seq: number, ts: number): void {
    const out = this.host.copy(packet, seq, ts);
    if (!this.sendRtp(out)) {
      this.stats.packetsDropped++;
      return;
    }
    this.stats.packetsSent++;
    this.stats.octetsSent += out.length;
  }

  /** False when the packet could not be queued (the output then waits for a keyframe). */
  protected abstract sendRtp(packet: Uint8Array): boolean;
  protected abstract sendRtcp(packet: Uint8Array): boolean;
  protected readyToResume(): boolean {
    return true;
  }
  /** A packet was dropped while waiting for a keyframe. */
  protected onSkipped(): void {}
  protected onResumed(): void {}
}

/** The part of a dgram socket a UDP output needs. */
export interface DatagramSender {
  send(msg: Uint8Array, port: number, address: string): void;
}

/** RTP and RTCP to a client's port pair (unicast) or to a group's (multicast). Answers NACKs. */
export class UdpOutput extends RtspOutput {
  /** Not the same packet twice within one RTT. */
  readonly limiter = new ResendLimiter(512);
  /**
   * RTT to this viewer from its receiver reports (ms). Until the first one (up to two report
   * intervals, ~10 s) a small default: a longer window swallows a receiver's quick retries
   * when the first resend was lost (20 ms did, for camwire's camera leg in the loss lab).
   */
  rttMs = 5;
  packetsResent = 0;

  constructor(
    host: OutputHost,
    private readonly rtpSocket: DatagramSender,
    private readonly rtcpSocket: DatagramSender,
    readonly address: string,
    readonly rtpPort: number,
    readonly rtcpPort: number,
  ) {
    super(host);
  }

  /** Resends the NACKed packets the track's history still holds, not one twice within an RTT; returns how many. */
  answerNack(seqs: readonly number[]): number {
    const now = this.host.clock.now();
    let sent = 0;
    for (const seq of seqs) {
      const copy = this.host.resendCopy(seq, now);
      if (!copy || !this.limiter.allow(seq, now, this.rttMs)) continue;
      this.rtpSocket.send(copy, this.rtpPort, this.address);
      sent++;
    }
    this.packetsResent += sent;
    return sent;
  }

  protected sendRtp(packet: Uint8Array): boolean {
    this.rtpSocket.send(packet, this.rtpPort, this.address);
    return true;
  }

  protected sendRtcp(packet: Uint8Array): boolean {
    this.rtcpSocket.send(packet, this.rtcpPort, this.address);
    return true;
  }
}

/** The part of a net.Socket an interleaved output needs. */
export interface StreamWriter {
  readonly writableLength: number;
  write(chunk: Uint8Array): boolean;
}

export interface InterleavedOutputOptions {
  rtpChannel: number;
  rtcpChannel: number;
  /** Bytes the connection may hold unsent before frames are skipped. Default 1 MiB. */
  maxQueueBytes?: number;
  /** A viewer that has skipped frames for this long is disconnected. Default 10000 ms. */
  stallTimeoutMs?: number;
  /** Called once when the viewer is stuck past `stallTimeoutMs`. */
  disconnect: () => void;
}

export const INTERLEAVED_OUTPUT_DEFAULTS = Object.freeze({
  maxQueueBytes: 1024 * 1024,
  stallTimeoutMs: 10_000,
} as const satisfies Required<Pick<InterleavedOutputOptions, 'maxQueueBytes' | 'stallTimeoutMs'>>);

export class InterleavedOutput extends RtspOutput {
  readonly maxQueueBytes: number;
  readonly stallTimeoutMs: number;
  /** Largest number of unsent bytes seen on the connection when a packet was offered. */
  peakQueueBytes = 0;
  private stalledSince: number | undefined;
  private keyframeAsked = false;
  private disconnected = false;

  constructor(host: OutputHost, private readonly socket: StreamWriter, private readonly opts: InterleavedOutputOptions) {
    super(host);
    this.maxQueueBytes = opts.maxQueueBytes ?? INTERLEAVED_OUTPUT_DEFAULTS.maxQueueBytes;
    this.stallTimeoutMs = opts.stallTimeoutMs ?? INTERLEAVED_OUTPUT_DEFAULTS.stallTimeoutMs;
  }

  protected sendRtp(packet: Uint8Array): boolean {
    return this.frame(this.opts.rtpChannel, packet);
  }

  protected sendRtcp(packet: Uint8Array): boolean {
    return this.frame(this.opts.rtcpChannel, packet);
  }

  protected override readyToResume(): boolean {
    return this.socket.writableLength <= this.maxQueueBytes / 2;
  }

  protected override onSkipped(): void {
    if (this.stalledSince === undefined) return; // still waiting for the first keyframe
    if (this.readyToResume()) {
      if (!this.keyframeAsked) {
        this.keyframeAsked = true;
        this.host.requestKeyframe();
      }
      return;
    }
    if (!this.disconnected && this.host.clock.now() - this.stalledSince >= this.stallTimeoutMs) {
      this.disconnected = true;
      this.opts.disconnect();
    }
  }

  protected override onResumed(): void {
    this.stalledSince = undefined;
    this.keyframeAsked = false;
  }

  private frame(channel: number, packet: Uint8Array): boolean {
    const queued = this.socket.writableLength;
    if (queued > this.peakQueueBytes) this.peakQueueBytes = queued;
    if (queued + packet.length + INTERLEAVED_PREFIX > this.maxQueueBytes) {
      this.stats.overflows++;
      this.stateValue = 'waiting-keyframe';
      this.stalledSince = this.host.clock.now();
      return false;
    }
    if (channel === 0 && packet.byteOffset >= INTERLEAVED_PREFIX) {
      // the mount's copies carry a ready-made channel-0 prefix: send without copying again
      const prefixed = new Uint8Array(packet.buffer, packet.byteOffset - INTERLEAVED_PREFIX, packet.length + INTERLEAVED_PREFIX);
      if (prefixed[0] === 0x24 && prefixed[1] === 0 && ((prefixed[2] << 8) | prefixed[3]) === packet.length) {
        this.socket.write(prefixed);
        return true;
      }
    }
    const out = new Uint8Array(INTERLEAVED_PREFIX + packet.length);
    out[0] = 0x24;
    out[1] = channel;
    out[2] = packet.length >> 8;
    out[3] = packet.length & 0xff;
    out.set(packet, INTERLEAVED_PREFIX);
    this.socket.write(out);
    return true;
  }
}
