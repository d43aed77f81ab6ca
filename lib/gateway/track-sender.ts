/**
 * One viewer's sending state for one track. Maps the track's egress sequence onto the viewer's
 * own sequence numbers, timestamps, SSRC and payload type (so a viewer that joins late starts at
 * its own sequence), answers NACK from the track's history (RTX when negotiated), reads the
 * receiver reports about its SSRC and sends an SR every second. A Viewer holds one per track:
 * the WebRTC TrackSink.
 */
import { seqAdd, seqDistance, tsAdd } from '../rtp/seq.js';
import { readU32, RTP_HEADER_SIZE, setRtpPayloadType, setRtpSequenceNumber, setRtpSsrc, setRtpTimestamp } from '../rtp/packet.js';
import type { Clock, EgressHistory, GatewayRtcp, ResendGate, RtcpEvent, RtxBuilder } from './deps.js';
import { MAX_EGRESS_PACKET } from './egress-packet.js';
import type { CachedKeyframe } from './keyframe-cache.js';
import type { SinkState, TrackSink } from './track-sink.js';
import type { WebRtcPeer } from './transport.js';
import type { CaptureNote } from '../capture/notes.js';
import type { MediaKind } from './track.js';

export type SenderState = SinkState;

/** What the answer gave this track: the viewer's SSRC and payload types for it. */
export interface SenderMedia {
  ssrc: number;
  payloadType: number;
  rtxPayloadType?: number;
  rtxSsrc?: number;
  cname: string;
}

export interface TrackSenderStats {
  packetsSent: number;
  octetsSent: number;
  sendFailures: number;
  keyframeCacheStarts: number;
  nacksReceived: number;
  nackedPackets: number;
  retransmitted: number;
  rtxSent: number;
  retransmitUnavailable: number;
  /** NACKed again within one RTT: not resent. */
  retransmitSuppressed: number;
  srSent: number;
  rrReceived: number;
  /** From the latest receiver report. */
  fractionLost: number;
  cumulativeLost: number;
  jitter: number;
  rttMs: number;
}

export interface TrackSenderOptions {
  peer: WebRtcPeer;
  /** The peer's media this sender's packets go on (default video). */
  kind?: MediaKind;
  media: SenderMedia;
  /** The track's retransmission history, keyed by egress sequence number. */
  history: EgressHistory;
  rtcp: GatewayRtcp;
  clock: Clock;
  /** Used when the peer negotiated RTX; plain retransmission otherwise. */
  rtx?: RtxBuilder;
  /** False: retransmit on the media SSRC even with RTX negotiated (kept for probe padding). Default true. */
  retransmitOnRtx?: boolean;
  /** Suppresses resending one packet twice within an RTT; none means always resend. */
  resendGate?: ResendGate;
  /** Resend what NACKs ask for (default true). */
  answerNacks?: boolean;
  /** RTT assumed until receiver reports give one (default 100 ms). */
  initialRttMs?: number;
  /** SR interval (default 1000 ms). */
  senderReportIntervalMs?: number;
  /** Random 16/32-bit starting points; injected so tests are repeatable. */
  random: () => number;
  /** A capture of this viewer: told why a packet just sent is not a plain forward. */
  capture?: SenderCaptureNotes;
}

/** The capture's side of a sender (lib/capture's ViewerCapture): a note on the packet just sent. */
export interface SenderCaptureNotes {
  note(n: CaptureNote): void;
}

export const TRACK_SENDER_DEFAULTS = Object.freeze({
  answerNacks: true,
  initialRttMs: 100,
  senderReportIntervalMs: 1000,
});

const CACHE_REPLAY: CaptureNote = Object.freeze({ kind: 'keyframe-cache-replay' });

/**
 * One rewrite buffer (and one for its RTX form) for every sender in the process: a packet is
 * rewritten and handed to the transport, which copies it, before any other sender runs, so a
 * buffer per viewer would only cost memory (3 KB each).
 */
const SCRATCH = new Uint8Array(MAX_EGRESS_PACKET);
const RTX_SCRATCH = new Uint8Array(MAX_EGRESS_PACKET + 2);

/** SRs remembered to match the receivers' LSR echoes against (an RTT needs the one echoed). */
const SR_HISTORY = 4;

export class TrackSender implements TrackSink {
  readonly ssrc: number;
  private readonly o: TrackSenderOptions;
  private readonly peer: WebRtcPeer;
  private readonly kind: MediaKind;
  private readonly rtxSsrc: number | undefined;
  private readonly rtxPt: number | undefined;
  private rtxSeq: number;
  private stateValue: SenderState = 'connecting';
  /** The cached keyframe this sender started on: NACKs for it are answered from here (it may be older than the history). */
  private cachePackets: readonly Uint8Array[] = [];
  // Live mapping: viewerSeq = egressSeq + liveSeqOffset, from viewer seq liveFromViewerSeq on.
  private liveSeqOffset = 0;
  private liveFromViewerSeq: number;
  private readonly tsOffset: number;
  // Cached-keyframe segment that preceded the live packets (if the sender started on one).
  private cacheViewerSeq = 0;
  private cacheCount = 0;
  private cacheViewerTs = 0;
  private lastSrAt = -Infinity;
  private readonly sentSrs: { ntpMiddle: number; at: number }[] = [];
  private readonly s: TrackSenderStats = {
    packetsSent: 0, octetsSent: 0, sendFailures: 0, keyframeCacheStarts: 0, nacksReceived: 0, nackedPackets: 0,
    retransmitted: 0, rtxSent: 0, retransmitUnavailable: 0, retransmitSuppressed: 0, srSent: 0, rrReceived: 0,
    fractionLost: 0, cumulativeLost: 0, jitter: 0, rttMs: 0,
  };

  constructor(o: TrackSenderOptions) {
    this.o = o;
    this.peer = o.peer;
    this.kind = o.kind ?? 'video';
    this.ssrc = o.media.ssrc;
    this.rtxPt = o.rtx ? o.media.rtxPayloadType : undefined;
    this.rtxSsrc = this.rtxPt !== undefined ? o.media.rtxSsrc : undefined;
    this.rtxSeq = Math.floor(o.random() * 0x10000);
    this.tsOffset = Math.floor(o.random() * 0x100000000) >>> 0;
    this.liveFromViewerSeq = Math.floor(o.random() * 0x10000);
  }

  get state(): SenderState {
    return this.stateValue;
  }

  /** Live counters (read-only for callers). */
  get stats(): Readonly<TrackSenderStats> {
    return this.s;
  }

  /** The media is open: wait for the next live keyframe. */
  waitForKeyframe(): void {
    if (this.stateValue === 'connecting') this.stateValue = 'waiting-keyframe';
  }

  /**
   * Starts on a cached keyframe: its packets go out now, stamped with `nowEgressTs` (the
   * newest egress timestamp, so the picture is not shown as old), followed seamlessly by the
   * live packets from egress seq `nextLiveSeq`.
   */
  startFromCache(cache: CachedKeyframe, nextLiveSeq: number, nowEgressTs: number): void {
    if (this.stateValue === 'closed' || this.stateValue === 'playing') return;
    const n = cache.packets.length;
    this.cacheViewerSeq = this.liveFromViewerSeq;
    this.cacheCount = n;
    this.cachePackets = cache.packets;
    this.cacheViewerTs = tsAdd(nowEgressTs, this.tsOffset);
    for (let i = 0; i < n; i++) {
      this.emit(cache.packets[i], seqAdd(this.cacheViewerSeq, i), this.cacheViewerTs);
      this.o.capture?.note(CACHE_REPLAY);
    }
    this.liveFromViewerSeq = seqAdd(this.cacheViewerSeq, n);
    this.liveSeqOffset = seqDistance(nextLiveSeq, this.liveFromViewerSeq);
    this.stateValue = 'playing';
    this.s.keyframeCacheStarts++;
  }

  /**
   * Sends one live egress packet (every sender gets every packet once playing). With
   * `shared`, the packet is the track's transient copy and its header is rewritten in place
   * (every sender rewrites all of seq, timestamp, SSRC and PT), saving a copy per viewer.
   */
  sendLive(packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean, shared = false): void {
    if (this.stateValue !== 'playing') {
      if (this.stateValue !== 'waiting-keyframe' || !keyframeStart) return;
      this.liveSeqOffset = seqDistance(egressSeq, this.liveFromViewerSeq);
      this.stateValue = 'playing';
    }
    const seq = seqAdd(egressSeq, this.liveSeqOffset);
    const ts = tsAdd(egressTs, this.tsOffset);
    if (!shared) return this.emit(packet, seq, ts);
    setRtpSequenceNumber(packet, seq);
    setRtpTimestamp(packet, ts);
    setRtpSsrc(packet, this.ssrc);
    setRtpPayloadType(packet, this.o.media.payloadType);
    this.count(this.peer.sendRtp(packet, this.kind), packet.length);
  }

  /** Resends what a NACK for this SSRC asks for. */
  onNack(lost: readonly number[]): void {
    this.s.nacksReceived++;
    if (!(this.o.answerNacks ?? TRACK_SENDER_DEFAULTS.answerNacks)) return;
    for (const seq of lost) this.retransmit(seq);
  }

  /** A receiver report block about this SSRC. */
  onReport(e: Extract<RtcpEvent, { type: 'report' }>): void {
    this.s.rrReceived++;
    this.s.fractionLost = e.fractionLost;
    this.s.cumulativeLost = e.cumulativeLost;
    this.s.jitter = e.jitter;
    this.updateRtt(e.lastSr, e.delaySinceLastSr);
  }

  /** Periodic work: the SR. `egressTsNow` is the track's egress timestamp for this instant. */
  tick(egressTsNow: number): void {
    if (this.stateValue !== 'playing' || !this.peer.isOpen) return;
    const now = this.o.clock.now();
    if (now - this.lastSrAt < (this.o.senderReportIntervalMs ?? TRACK_SENDER_DEFAULTS.senderReportIntervalMs)) return;
    this.lastSrAt = now;
    const wallClockMs = this.o.clock.wallClock();
    const sr = this.o.rtcp.senderReport({
      ssrc: this.ssrc, wallClockMs, rtpTimestamp: tsAdd(egressTsNow, this.tsOffset),
      packetCount: this.s.packetsSent, octetCount: this.s.octetsSent, cname: this.o.media.cname,
    });
    if (this.peer.sendRtcp(sr, this.kind)) {
      this.s.srSent++;
      this.sentSrs.push({ ntpMiddle: this.o.rtcp.ntpMiddle(wallClockMs), at: now });
      if (this.sentSrs.length > SR_HISTORY) this.sentSrs.shift();
    }
  }

  close(): void {
    this.stateValue = 'closed';
  }

  /**
   * Writes a padding-only packet of `padding` bytes (1-255, RFC 3550's P bit) on this viewer's
   * RTX stream into `out`, numbered in the RTX sequence (which retransmissions share), so the
   * media's sequence numbers are untouched. Returns its length; 0 without RTX. For bandwidth
   * probes (ProbeSender): receivers drop an RTX packet with no payload after counting it.
   */
  writeRtxPadding(out: Uint8Array, padding: number): number {
    if (this.rtxPt === undefined || this.rtxSsrc === undefined) return 0;
    const n = Math.min(255, Math.max(1, padding | 0));
    out[0] = 0xa0;
    out[1] = this.rtxPt;
    out[2] = this.rtxSeq >> 8;
    out[3] = this.rtxSeq & 0xff;
    out.fill(0, 4, 8);
    setRtpSsrc(out, this.rtxSsrc);
    out.fill(0, 12, 11 + n);
    out[11 + n] = n;
    this.rtxSeq = seqAdd(this.rtxSeq, 1);
    return 12 + n;
  }

  private updateRtt(lastSr: number, dlsr: number): void {
    if (lastSr === 0) return;
    const sent = this.sentSrs.find((x) => x.ntpMiddle === lastSr);
    if (!sent) return;
    const rtt = this.o.clock.now() - sent.at - (dlsr * 1000) / 65536;
    if (rtt >= 0) this.s.rttMs = Math.round(rtt * 10) / 10;
  }

  private retransmit(viewerSeq: number): void {
    this.s.nackedPackets++;
    const now = this.o.clock.now();
    let original: Uint8Array | undefined;
    let ts = 0;
    const inCache = seqDistance(this.cacheViewerSeq, viewerSeq);
    if (this.cacheCount > 0 && inCache >= 0 && inCache < this.cacheCount) {
      original = this.cachePackets[inCache];
      ts = this.cacheViewerTs;
    } else if (this.stateValue === 'playing' && seqDistance(this.liveFromViewerSeq, viewerSeq) >= 0) {
      original = this.o.history.get(seqAdd(viewerSeq, -this.liveSeqOffset), now);
      ts = original ? tsAdd(readU32(original, 4), this.tsOffset) : 0;
    }
    if (!original) {
      this.s.retransmitUnavailable++;
      return;
    }
    const rtt = this.s.rttMs > 0 ? this.s.rttMs : (this.o.initialRttMs ?? TRACK_SENDER_DEFAULTS.initialRttMs);
    if (this.o.resendGate && !this.o.resendGate.allow(viewerSeq, now, rtt)) {
      this.s.retransmitSuppressed++;
      return;
    }
    const out = this.rewrite(original, viewerSeq, ts);
    if (!out) return;
    if (this.rtxPt !== undefined && this.rtxSsrc !== undefined && this.o.rtx && this.o.retransmitOnRtx !== false) {
      const rtx = this.o.rtx.build(out, this.rtxPt, this.rtxSsrc, this.rtxSeq, RTX_SCRATCH);
      this.rtxSeq = seqAdd(this.rtxSeq, 1);
      if (this.peer.sendRtp(rtx, this.kind)) this.s.rtxSent++;
      else this.s.sendFailures++;
      this.o.capture?.note({ kind: 'rtx', seq: viewerSeq });
    } else if (this.peer.sendRtp(out, this.kind)) {
      this.s.retransmitted++;
      this.o.capture?.note({ kind: 'retransmission', seq: viewerSeq });
    } else {
      this.s.sendFailures++;
    }
  }

  private emit(packet: Uint8Array, seq: number, ts: number): void {
    const out = this.rewrite(packet, seq, ts);
    if (out) this.count(this.peer.sendRtp(out, this.kind), out.length);
  }

  private count(sent: boolean, length: number): void {
    if (sent) {
      this.s.packetsSent++;
      this.s.octetsSent += length - RTP_HEADER_SIZE;
    } else {
      this.s.sendFailures++;
    }
  }

  /** Copies into the scratch buffer (the transport copies synchronously) and rewrites the header. */
  private rewrite(packet: Uint8Array, seq: number, ts: number): Uint8Array | undefined {
    if (packet.length > SCRATCH.length) {
      this.s.sendFailures++;
      return undefined;
    }
    const out = SCRATCH.subarray(0, packet.length);
    out.set(packet);
    setRtpSequenceNumber(out, seq);
    setRtpTimestamp(out, ts);
    setRtpSsrc(out, this.ssrc);
    setRtpPayloadType(out, this.o.media.payloadType);
    return out;
  }
}
