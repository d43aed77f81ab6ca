/**
 * How one viewer (or one multicast group) receives a shared stream: over UDP, or
 * interleaved in its RTSP TCP connection. A viewer starts on a keyframe (anything earlier
 * would not decode). An interleaved viewer whose socket cannot keep up is never allowed to
 * queue without bound: past `maxQueueBytes` it drops whole frames until its queue has
 * drained and the next keyframe comes (asking the stream for one), and if it stays stuck
 * for `stallTimeoutMs` it is disconnected.
 */
import type { StreamViewer } from './shared-stream.js';
import { ResendLimiter, type ResendSink } from '../../recovery/history.js';

export interface ViewerStats {
  packetsSent: number;
  octetsSent: number;
  rtcpSent: number;
  /** Packets not sent because the viewer was waiting for a keyframe (start, or after skipping). */
  packetsDropped: number;
  /** Times a slow viewer's queue overflowed and it skipped ahead to a keyframe. */
  overflows: number;
}

abstract class KeyframeGatedViewer implements StreamViewer {
  readonly stats: ViewerStats = { packetsSent: 0, octetsSent: 0, rtcpSent: 0, packetsDropped: 0, overflows: 0 };
  protected waitingForKeyframe = true;

  deliverRtp(packet: Uint8Array, frameStart: boolean, keyframe: boolean): void {
    if (this.waitingForKeyframe) {
      if (!(frameStart && keyframe && this.readyToResume())) {
        this.stats.packetsDropped++;
        if (frameStart) this.onFrameSkipped();
        return;
      }
      this.waitingForKeyframe = false;
    }
    if (!this.sendRtp(packet)) {
      this.stats.packetsDropped++;
      return;
    }
    this.stats.packetsSent++;
    this.stats.octetsSent += packet.length;
  }

  deliverRtcp(packet: Uint8Array): void {
    if (this.sendRtcp(packet)) this.stats.rtcpSent++;
  }

  /** False when the packet could not be queued (the viewer then waits for a keyframe). */
  protected abstract sendRtp(packet: Uint8Array): boolean;
  protected abstract sendRtcp(packet: Uint8Array): boolean;
  protected readyToResume(): boolean {
    return true;
  }
  protected onFrameSkipped(): void {}
}

/** The part of a dgram socket a UDP viewer needs. */
export interface DatagramSender {
  send(msg: Uint8Array, port: number, address: string): void;
}

/** RTP and RTCP to a client's port pair (unicast) or to a group's (multicast). Answers NACKs. */
export class UdpViewer extends KeyframeGatedViewer implements ResendSink {
  /** Not the same packet twice within one RTT (RetransmissionHistory.serve). */
  readonly limiter = new ResendLimiter(512);
  /**
   * RTT to this viewer from its receiver reports (ms). Until the first one (up to two report
   * intervals, ~10 s) a small default: a longer window swallows a receiver's quick retries
   * when the first resend was lost (20 ms did, for camwire's camera leg in the loss lab).
   */
  rttMs = 5;
  packetsResent = 0;

  constructor(
    private readonly rtpSocket: DatagramSender,
    private readonly rtcpSocket: DatagramSender,
    readonly address: string,
    readonly rtpPort: number,
    readonly rtcpPort: number,
  ) {
    super();
  }

  protected sendRtp(packet: Uint8Array): boolean {
    this.rtpSocket.send(packet, this.rtpPort, this.address);
    return true;
  }

  /** @internal ResendSink: `packet` is a view into the history ring, so it is copied (the send is asynchronous). */
  resend(packet: Uint8Array): void {
    this.packetsResent++;
    this.rtpSocket.send(packet.slice(), this.rtpPort, this.address);
  }

  protected sendRtcp(packet: Uint8Array): boolean {
    this.rtcpSocket.send(packet, this.rtcpPort, this.address);
    return true;
  }
}

/** The part of a net.Socket an interleaved viewer needs. */
export interface StreamWriter {
  readonly writableLength: number;
  write(chunk: Uint8Array): boolean;
}

export interface InterleavedViewerOptions {
  rtpChannel: number;
  rtcpChannel: number;
  /** Bytes the connection may hold unsent before frames are skipped. Default 1 MiB. */
  maxQueueBytes?: number;
  /** A viewer that has skipped frames for this long is disconnected. Default 10000 ms. */
  stallTimeoutMs?: number;
  now: () => number;
  /** Called (at most once per stall) when the queue has drained and a keyframe would resume it. */
  requestKeyframe: () => void;
  /** Called once when the viewer is stuck past `stallTimeoutMs`. */
  disconnect: () => void;
}

export const INTERLEAVED_VIEWER_DEFAULTS = Object.freeze({
  maxQueueBytes: 1024 * 1024,
  stallTimeoutMs: 10_000,
} as const satisfies Required<Pick<InterleavedViewerOptions, 'maxQueueBytes' | 'stallTimeoutMs'>>);

export class InterleavedViewer extends KeyframeGatedViewer {
  readonly maxQueueBytes: number;
  readonly stallTimeoutMs: number;
  private stalledSince: number | undefined;
  private keyframeAsked = false;
  private disconnected = false;

  constructor(private readonly socket: StreamWriter, private readonly opts: InterleavedViewerOptions) {
    super();
    this.maxQueueBytes = opts.maxQueueBytes ?? INTERLEAVED_VIEWER_DEFAULTS.maxQueueBytes;
    this.stallTimeoutMs = opts.stallTimeoutMs ?? INTERLEAVED_VIEWER_DEFAULTS.stallTimeoutMs;
  }

  /** Largest number of unsent bytes seen on the connection when a packet was offered. */
  peakQueueBytes = 0;

  protected sendRtp(packet: Uint8Array): boolean {
    return this.frame(this.opts.rtpChannel, packet);
  }

  protected sendRtcp(packet: Uint8Array): boolean {
    if (this.waitingForKeyframe) return false;
    return this.frame(this.opts.rtcpChannel, packet);
  }

  protected override readyToResume(): boolean {
    return this.socket.writableLength <= this.maxQueueBytes / 2;
  }

  protected override onFrameSkipped(): void {
    if (this.stalledSince === undefined) return; // still waiting for the first keyframe
    if (this.readyToResume()) {
      if (!this.keyframeAsked) {
        this.keyframeAsked = true;
        this.opts.requestKeyframe();
      }
      return;
    }
    if (!this.disconnected && this.opts.now() - this.stalledSince >= this.stallTimeoutMs) {
      this.disconnected = true;
      this.opts.disconnect();
    }
  }

  override deliverRtp(packet: Uint8Array, frameStart: boolean, keyframe: boolean): void {
    const wasWaiting = this.waitingForKeyframe;
    super.deliverRtp(packet, frameStart, keyframe);
    if (wasWaiting && !this.waitingForKeyframe) {
      this.stalledSince = undefined;
      this.keyframeAsked = false;
    }
  }

  private frame(channel: number, packet: Uint8Array): boolean {
    const queued = this.socket.writableLength;
    if (queued > this.peakQueueBytes) this.peakQueueBytes = queued;
    if (queued + packet.length + 4 > this.maxQueueBytes) {
      this.stats.overflows++;
      this.waitingForKeyframe = true;
      this.stalledSince = this.opts.now();
      return false;
    }
    if (channel === 0 && packet.byteOffset >= 4) {
      // the shared stream's packets carry a ready-made channel-0 prefix: send without copying
      const prefixed = new Uint8Array(packet.buffer, packet.byteOffset - 4, packet.length + 4);
      if (prefixed[0] === 0x24 && prefixed[1] === 0 && ((prefixed[2] << 8) | prefixed[3]) === packet.length) {
        this.socket.write(prefixed);
        return true;
      }
    }
    const out = new Uint8Array(4 + packet.length);
    out[0] = 0x24;
    out[1] = channel;
    out[2] = packet.length >> 8;
    out[3] = packet.length & 0xff;
    out.set(packet, 4);
    this.socket.write(out);
    return true;
  }
}
