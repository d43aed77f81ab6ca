/**
 * One browser watching a Stream: its peer, one TrackSender per stream track (sequence and
 * timestamp rewrite, NACK answers, SR), and the browser's RTCP, which arrives as one compound
 * stream for all tracks and is handed to the sender whose SSRC it is about. PLI/FIR become
 * keyframe requests to the Stream; XR RRTR is answered with a DLRR at once.
 */
import type { Clock, EgressHistory, GatewayRtcp, ResendGate, RtcpEvent, RtxBuilder } from './deps.js';
import type { MediaKind } from './track.js';
import { TrackSender, type SenderCaptureNotes, type SenderMedia, type SenderState, type TrackSenderStats } from './track-sender.js';
import type { WebRtcPeer } from './transport.js';
import { RedSink } from './red-sink.js';
import type { TrackSink } from './track-sink.js';

export type { CachedKeyframe } from './keyframe-cache.js';

export type ViewerState = SenderState;

/** A viewer's counters: its tracks' senders summed (the report figures from the first track), plus its RTCP. */
export interface ViewerStats extends TrackSenderStats {
  state: ViewerState;
  plisReceived: number;
  firsReceived: number;
  /** XR RRTR blocks received and DLRR answers sent: how a receive-only browser learns its RTT. */
  rrtrReceived: number;
  dlrrSent: number;
  rtcpErrors: number;
  rembBitrate: number;
}

/** One stream track as this viewer receives it. */
export interface ViewerTrackOptions {
  kind: MediaKind;
  /** What the answer gave this track (the peer's media for video). */
  media: SenderMedia;
  history: EgressHistory;
  resendGate?: ResendGate;
  /** Answer this track's NACKs (default: the viewer's `answerNacks`). */
  answerNacks?: boolean;
  /** RED (RFC 2198) around each packet; the value is the payload type inside (the viewer's Opus). */
  redOf?: number;
}

export interface ViewerOptions {
  id: string;
  peer: WebRtcPeer;
  /** In the stream's track order; the first is the viewer's state and its SSRC answers RRTR. */
  tracks: readonly ViewerTrackOptions[];
  rtcp: GatewayRtcp;
  /** Used when the peer negotiated RTX; plain retransmission otherwise. */
  rtx?: RtxBuilder;
  /** False: retransmit on the media SSRC even with RTX negotiated (then only for probe padding). Default true. */
  retransmitOnRtx?: boolean;
  clock: Clock;
  /** Called on PLI or FIR: the Stream's keyframe policy decides what to do. */
  onKeyframeRequest(viewer: Viewer): void;
  /** Resend what NACKs ask for (default true). */
  answerNacks?: boolean;
  /** RTT assumed until receiver reports give one (default 100 ms). */
  initialRttMs?: number;
  /** SR interval (default 1000 ms). */
  senderReportIntervalMs?: number;
  /** Random 16/32-bit starting points; injected so tests are repeatable. */
  random?: () => number;
  /** This viewer's capture, told by its senders why a packet is not a plain forward. */
  capture?: SenderCaptureNotes;
}

export class Viewer {
  readonly id: string;
  readonly peer: WebRtcPeer;
  readonly createdAt: number;
  /** When the browser last sent RTCP (parsable or not); the creation time until then. */
  lastRtcpAt: number;
  /** Since when the connection has been 'disconnected', if it is. */
  disconnectedSince: number | undefined;
  private readonly o: ViewerOptions;
  private readonly senders: readonly TrackSender[];
  private readonly byKind = new Map<MediaKind, TrackSender>();
  private readonly sinks = new Map<MediaKind, TrackSink>();
  private closed = false;
  private readonly c = { plisReceived: 0, firsReceived: 0, rrtrReceived: 0, dlrrSent: 0, rtcpErrors: 0, rembBitrate: 0 };

  constructor(o: ViewerOptions) {
    this.o = o;
    this.id = o.id;
    this.peer = o.peer;
    this.createdAt = o.clock.now();
    this.lastRtcpAt = this.createdAt;
    const random = o.random ?? Math.random;
    this.senders = o.tracks.map((t) => new TrackSender({
      peer: o.peer, kind: t.kind, media: t.media, history: t.history, rtcp: o.rtcp, clock: o.clock, rtx: o.rtx, retransmitOnRtx: o.retransmitOnRtx, resendGate: t.resendGate,
      answerNacks: t.answerNacks ?? o.answerNacks, initialRttMs: o.initialRttMs, senderReportIntervalMs: o.senderReportIntervalMs, random, capture: o.capture,
    }));
    o.tracks.forEach((t, i) => {
      const sender = this.senders[i];
      this.byKind.set(t.kind, sender);
      this.sinks.set(t.kind, t.redOf !== undefined ? new RedSink(sender, t.redOf) : sender);
    });
  }

  /** The state of its first track's media ('closed' once the viewer is). */
  get state(): ViewerState {
    return this.closed ? 'closed' : this.senders[0].state;
  }

  /** The sender for the stream's track of this kind. */
  sender(kind: MediaKind): TrackSender | undefined {
    return this.byKind.get(kind);
  }

  /** What the stream's track of this kind sends to: the sender, or the RED encoder in front of it. */
  sink(kind: MediaKind): TrackSink | undefined {
    return this.sinks.get(kind);
  }

  /** The audio this viewer receives (null when none): packets sent, RED on and how often a packet carried its predecessor. */
  audioStats(): { packetsSent: number; packetsLost: number; red: boolean; redundant: number } | null {
    const sender = this.byKind.get('audio');
    if (!sender) return null;
    const sink = this.sinks.get('audio');
    const red = sink instanceof RedSink ? sink.stats : undefined;
    return { packetsSent: sender.stats.packetsSent, packetsLost: sender.stats.cumulativeLost, red: red !== undefined, redundant: red?.withRedundancy ?? 0 };
  }

  /** The kinds this viewer receives, in the stream's track order. */
  get kinds(): MediaKind[] {
    return [...this.byKind.keys()];
  }

  stats(): ViewerStats {
    const t = this.senderTotals();
    const c = this.c;
    return {
      state: this.state, packetsSent: t.packetsSent, octetsSent: t.octetsSent, sendFailures: t.sendFailures,
      keyframeCacheStarts: t.keyframeCacheStarts, nacksReceived: t.nacksReceived, nackedPackets: t.nackedPackets,
      retransmitted: t.retransmitted, rtxSent: t.rtxSent, retransmitUnavailable: t.retransmitUnavailable,
      retransmitSuppressed: t.retransmitSuppressed, plisReceived: c.plisReceived, firsReceived: c.firsReceived,
      srSent: t.srSent, rrReceived: t.rrReceived, rrtrReceived: c.rrtrReceived, dlrrSent: c.dlrrSent, rtcpErrors: c.rtcpErrors,
      fractionLost: t.fractionLost, cumulativeLost: t.cumulativeLost, jitter: t.jitter, rttMs: t.rttMs, rembBitrate: c.rembBitrate,
    };
  }

  /** Browser RTCP (compound). */
  handleRtcp(packet: Uint8Array): void {
    if (this.closed) return;
    this.lastRtcpAt = this.o.clock.now();
    let events: RtcpEvent[];
    try {
      events = this.o.rtcp.parse(packet);
    } catch {
      this.c.rtcpErrors++;
      return;
    }
    for (const e of events) this.handleEvent(e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.senders) s.close();
    this.peer.close();
  }

  private handleEvent(e: RtcpEvent): void {
    switch (e.type) {
      case 'nack':
        this.senderFor(e.mediaSsrc).onNack(e.lost);
        break;
      case 'pli':
        this.c.plisReceived++;
        this.o.onKeyframeRequest(this);
        break;
      case 'fir':
        this.c.firsReceived++;
        this.o.onKeyframeRequest(this);
        break;
      case 'remb':
        this.c.rembBitrate = e.bitrate;
        break;
      case 'rrtr':
        // Answered at once, so the delay since the RRTR is zero: the browser's RTT is then
        // exactly the network's (and ours to send), which times its NACK retries.
        this.c.rrtrReceived++;
        if (this.peer.isOpen && this.peer.sendRtcp(this.o.rtcp.dlrr(this.senders[0].ssrc, e.ssrc, e.lastRr, 0))) this.c.dlrrSent++;
        break;
      case 'report':
        for (const s of this.senders) if (s.ssrc === e.ssrc) s.onReport(e);
        break;
    }
  }

  /** The sender of `mediaSsrc`; the first track's when none matches (a browser that names another SSRC). */
  private senderFor(mediaSsrc: number): TrackSender {
    for (const s of this.senders) if (s.ssrc === mediaSsrc) return s;
    return this.senders[0];
  }

  /** Counters summed over the tracks; the receiver-report fields are the first track's. */
  private senderTotals(): Readonly<TrackSenderStats> {
    const first = this.senders[0].stats;
    if (this.senders.length === 1) return first;
    const sum: TrackSenderStats = { ...first };
    for (const s of this.senders.slice(1)) {
      for (const k of SUMMED) sum[k] += s.stats[k];
    }
    return sum;
  }
}

const SUMMED = [
  'packetsSent', 'octetsSent', 'sendFailures', 'keyframeCacheStarts', 'nacksReceived', 'nackedPackets', 'retransmitted',
  'rtxSent', 'retransmitUnavailable', 'retransmitSuppressed', 'srSent', 'rrReceived',
] as const satisfies readonly (keyof TrackSenderStats)[];
