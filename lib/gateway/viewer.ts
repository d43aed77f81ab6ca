/**
 * One browser watching a Stream. Maps the shared egress sequence onto the viewer's own
 * sequence numbers, timestamps and SSRC (so a viewer that joins late starts at its own
 * sequence), answers NACK from the shared history (RTX when negotiated), turns PLI/FIR into
 * keyframe requests, reads RR/REMB and sends an SR every second.
 */
import { seqAdd, seqDistance, tsAdd } from '../rtp/seq.js';
import { readU32, setRtpPayloadType, setRtpSequenceNumber, setRtpSsrc, setRtpTimestamp } from '../rtp/packet.js';
import type { Clock, EgressHistory, GatewayRtcp, ResendGate, RtcpEvent, RtxBuilder } from './deps.js';
import type { WebRtcPeer } from './transport.js';

export type ViewerState = 'connecting' | 'waiting-keyframe' | 'playing' | 'closed';

export interface ViewerStats {
  state: ViewerState;
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
  plisReceived: number;
  firsReceived: number;
  srSent: number;
  rrReceived: number;
  /** XR RRTR blocks received and DLRR answers sent: how a receive-only browser learns its RTT. */
  rrtrReceived: number;
  dlrrSent: number;
  rtcpErrors: number;
  /** From the latest receiver report. */
  fractionLost: number;
  cumulativeLost: number;
  jitter: number;
  rttMs: number;
  rembBitrate: number;
}

export interface ViewerOptions {
  id: string;
  peer: WebRtcPeer;
  history: EgressHistory;
  rtcp: GatewayRtcp;
  /** Suppresses resending one packet twice within an RTT; none means always resend. */
  resendGate?: ResendGate;
  /** RTT assumed until receiver reports give one (default 100 ms). */
  initialRttMs?: number;
  /** Used when the peer negotiated RTX; plain retransmission otherwise. */
  rtx?: RtxBuilder;
  clock: Clock;
  /** Called on PLI or FIR: the Stream's keyframe policy decides what to do. */
  onKeyframeRequest(viewer: Viewer): void;
  /** Resend what NACKs ask for (default true). */
  answerNacks?: boolean;
  /** SR interval (default 1000 ms). */
  senderReportIntervalMs?: number;
  /** Random 16/32-bit starting points; injected so tests are repeatable. */
  random?: () => number;
}

/** A keyframe's egress packets, kept so a new viewer can start on it at once. */
export interface CachedKeyframe {
  packets: readonly Uint8Array[];
  firstSeq: number;
}

const MAX_RTP = 1500;
const SR_HISTORY = 4;

export class Viewer {
  readonly id: string;
  readonly peer: WebRtcPeer;
  readonly createdAt: number;
  /** When the browser last sent RTCP (parsable or not); the creation time until then. */
  lastRtcpAt: number;
  /** Since when the connection has been 'disconnected', if it is. */
  disconnectedSince: number | undefined;
  private readonly o: ViewerOptions;
  private readonly scratch = new Uint8Array(MAX_RTP);
  private readonly rtxScratch = new Uint8Array(MAX_RTP + 2);
  /** The cached keyframe this viewer started on: NACKs for it are answered from here (it may be older than the history). */
  private cachePackets: readonly Uint8Array[] = [];
  private readonly ssrc: number;
  private readonly rtxSsrc: number | undefined;
  private readonly rtxPt: number | undefined;
  private rtxSeq: number;
  private stateValue: ViewerState = 'connecting';
  // Live mapping: viewerSeq = egressSeq + liveSeqOffset, from egress seq liveFrom on.
  private liveSeqOffset = 0;
  private liveFromViewerSeq = 0;
  private tsOffset: number;
  // Cached-keyframe segment that preceded the live packets (if the viewer started on one).
  private cacheViewerSeq = 0;
  private cacheFirstEgressSeq = 0;
  private cacheCount = 0;
  private cacheViewerTs = 0;
  private lastSrAt = -Infinity;
  private readonly sentSrs: { ntpMiddle: number; at: number }[] = [];
  private readonly s: ViewerStats;

  constructor(o: ViewerOptions) {
    this.o = o;
    this.id = o.id;
    this.peer = o.peer;
    this.createdAt = o.clock.now();
    this.lastRtcpAt = this.createdAt;
    const random = o.random ?? Math.random;
    this.ssrc = o.peer.media.ssrc;
    this.rtxPt = o.rtx ? o.peer.media.rtxPayloadType : undefined;
    this.rtxSsrc = this.rtxPt !== undefined ? o.peer.media.rtxSsrc : undefined;
    this.rtxSeq = Math.floor(random() * 0x10000);
    this.tsOffset = Math.floor(random() * 0x100000000) >>> 0;
    this.liveFromViewerSeq = Math.floor(random() * 0x10000);
    this.s = {
      state: 'connecting', packetsSent: 0, octetsSent: 0, sendFailures: 0, keyframeCacheStarts: 0,
      nacksReceived: 0, nackedPackets: 0, retransmitted: 0, rtxSent: 0, retransmitUnavailable: 0, retransmitSuppressed: 0,
      plisReceived: 0, firsReceived: 0, srSent: 0, rrReceived: 0, rrtrReceived: 0, dlrrSent: 0, rtcpErrors: 0,
      fractionLost: 0, cumulativeLost: 0, jitter: 0, rttMs: 0, rembBitrate: 0,
    };
  }

  get state(): ViewerState {
    return this.stateValue;
  }

  stats(): ViewerStats {
    return { ...this.s, state: this.stateValue };
  }

  /** The track is open: wait for the next live keyframe. */
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
    this.cacheFirstEgressSeq = cache.firstSeq;
    this.cacheCount = n;
    this.cachePackets = cache.packets;
    this.cacheViewerTs = tsAdd(nowEgressTs, this.tsOffset);
    for (let i = 0; i < n; i++) this.emit(cache.packets[i], seqAdd(this.cacheViewerSeq, i), this.cacheViewerTs);
    this.liveFromViewerSeq = seqAdd(this.cacheViewerSeq, n);
    this.liveSeqOffset = seqDistance(nextLiveSeq, this.liveFromViewerSeq);
    this.stateValue = 'playing';
    this.s.keyframeCacheStarts++;
  }

  /**
   * Sends one live egress packet (every viewer gets every packet once playing). With
   * `scratch`, the packet is the Stream's transient copy and its header is rewritten in place
   * (every viewer rewrites all of seq, timestamp, SSRC and PT), saving a copy per viewer.
   */
  sendLive(packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean, scratch = false): void {
    if (this.stateValue !== 'playing') {
      if (this.stateValue !== 'waiting-keyframe' || !keyframeStart) return;
      this.liveSeqOffset = seqDistance(egressSeq, this.liveFromViewerSeq);
      this.stateValue = 'playing';
    }
    const seq = seqAdd(egressSeq, this.liveSeqOffset);
    const ts = tsAdd(egressTs, this.tsOffset);
    if (!scratch) return this.emit(packet, seq, ts);
    setRtpSequenceNumber(packet, seq);
    setRtpTimestamp(packet, ts);
    setRtpSsrc(packet, this.ssrc);
    setRtpPayloadType(packet, this.peer.media.payloadType);
    this.count(this.peer.sendRtp(packet), packet.length);
  }

  /** Browser RTCP (compound). */
  handleRtcp(packet: Uint8Array): void {
    if (this.stateValue === 'closed') return;
    this.lastRtcpAt = this.o.clock.now();
    let events: RtcpEvent[];
    try {
      events = this.o.rtcp.parse(packet);
    } catch {
      this.s.rtcpErrors++;
      return;
    }
    for (const e of events) this.handleEvent(e);
  }

  /** Periodic work: the SR. `egressTsNow` is the stream's egress timestamp for this instant. */
  tick(egressTsNow: number): void {
    if (this.stateValue !== 'playing' || !this.peer.isOpen) return;
    const now = this.o.clock.now();
    if (now - this.lastSrAt < (this.o.senderReportIntervalMs ?? 1000)) return;
    this.lastSrAt = now;
    const wallClockMs = this.o.clock.wallClock();
    const sr = this.o.rtcp.senderReport({
      ssrc: this.ssrc, wallClockMs, rtpTimestamp: tsAdd(egressTsNow, this.tsOffset),
      packetCount: this.s.packetsSent, octetCount: this.s.octetsSent, cname: this.peer.media.cname,
    });
    if (this.peer.sendRtcp(sr)) {
      this.s.srSent++;
      this.sentSrs.push({ ntpMiddle: this.o.rtcp.ntpMiddle(wallClockMs), at: now });
      if (this.sentSrs.length > SR_HISTORY) this.sentSrs.shift();
    }
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.peer.close();
  }

  private handleEvent(e: RtcpEvent): void {
    switch (e.type) {
      case 'nack':
        this.s.nacksReceived++;
        if (this.o.answerNacks === false) break;
        for (const seq of e.lost) this.retransmit(seq);
        break;
      case 'pli':
        this.s.plisReceived++;
        this.o.onKeyframeRequest(this);
        break;
      case 'fir':
        this.s.firsReceived++;
        this.o.onKeyframeRequest(this);
        break;
      case 'remb':
        this.s.rembBitrate = e.bitrate;
        break;
      case 'rrtr':
        // Answered at once, so the delay since the RRTR is zero: the browser's RTT is then
        // exactly the network's (and ours to send), which times its NACK retries.
        this.s.rrtrReceived++;
        if (this.peer.isOpen && this.peer.sendRtcp(this.o.rtcp.dlrr(this.ssrc, e.ssrc, e.lastRr, 0))) this.s.dlrrSent++;
        break;
      case 'report':
        if (e.ssrc !== this.ssrc) break;
        this.s.rrReceived++;
        this.s.fractionLost = e.fractionLost;
        this.s.cumulativeLost = e.cumulativeLost;
        this.s.jitter = e.jitter;
        this.updateRtt(e.lastSr, e.delaySinceLastSr);
        break;
    }
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
    const rtt = this.s.rttMs > 0 ? this.s.rttMs : (this.o.initialRttMs ?? 100);
    if (this.o.resendGate && !this.o.resendGate.allow(viewerSeq, now, rtt)) {
      this.s.retransmitSuppressed++;
      return;
    }
    const out = this.rewrite(original, viewerSeq, ts);
    if (!out) return;
    if (this.rtxPt !== undefined && this.rtxSsrc !== undefined && this.o.rtx) {
      const rtx = this.o.rtx.build(out, this.rtxPt, this.rtxSsrc, this.rtxSeq, this.rtxScratch);
      this.rtxSeq = seqAdd(this.rtxSeq, 1);
      if (this.peer.sendRtp(rtx)) this.s.rtxSent++;
      else this.s.sendFailures++;
    } else if (this.peer.sendRtp(out)) {
      this.s.retransmitted++;
    } else {
      this.s.sendFailures++;
    }
  }

  private emit(packet: Uint8Array, seq: number, ts: number): void {
    const out = this.rewrite(packet, seq, ts);
    if (out) this.count(this.peer.sendRtp(out), out.length);
  }

  private count(sent: boolean, length: number): void {
    if (sent) {
      this.s.packetsSent++;
      this.s.octetsSent += length - 12;
    } else {
      this.s.sendFailures++;
    }
  }

  /** Copies into the scratch buffer (the transport copies synchronously) and rewrites the header. */
  private rewrite(packet: Uint8Array, seq: number, ts: number): Uint8Array | undefined {
    if (packet.length > this.scratch.length) {
      this.s.sendFailures++;
      return undefined;
    }
    const out = this.scratch.subarray(0, packet.length);
    out.set(packet);
    setRtpSequenceNumber(out, seq);
    setRtpTimestamp(out, ts);
    setRtpSsrc(out, this.ssrc);
    setRtpPayloadType(out, this.peer.media.payloadType);
    return out;
  }
}
