/**
 * One camera, many viewers: one source session, the stream's tracks (today its video track:
 * egress timeline, history, keyframe cache, forwarder), and the viewers' lifecycle: added from
 * a browser's offer, started when their media opens, reaped when their browser went away,
 * removed; the source started for the first viewer and stopped after the last (on demand).
 * Other outputs (the RTSP server's) take the video track through `addOutput` and count as
 * viewers for that. Keyframe requests from every viewer, output and track go upstream merged
 * and rate-limited by the one KeyframeGate.
 */
import { randomBytes } from 'node:crypto';
import type { GatewayDeps, KeyframeGate } from './deps.js';
import { GatewayError } from './errors.js';
import type { CutThroughCounters } from './forwarder.js';
import type { AccessUnit, SourcePacket, SourceSink, SourceState, VideoSource } from './source.js';
import { resolveStreamOptions, type StreamOptions } from './stream-options.js';
import type { Track } from './track.js';
import type { TrackSink } from './track-sink.js';
import type { PeerMediaParams, PeerState, WebRtcTransport } from './transport.js';
import { VideoTrack } from './video-track.js';
import { Viewer, type ViewerStats, type ViewerTrackOptions } from './viewer.js';
import { StreamAudio, type StreamAudioStats } from './stream-audio.js';
import type { AudioFrame } from '../audio/frame.js';
import type { NegotiatedAudio } from './negotiate-audio.js';

export { STREAM_DEFAULTS, type StreamOptions } from './stream-options.js';

export interface StreamStats {
  name: string;
  sourceState: SourceState;
  viewers: number;
  accessUnits: number;
  keyframes: number;
  packetsOut: number;
  bytesOut: number;
  keyframeRequestsForwarded: number;
  keyframeRequestsSuppressed: number;
  /** Viewer PLI/FIR dropped because viewerKeyframeRequests is 'ignore'. */
  keyframeRequestsIgnored: number;
  timelineRebases: number;
  /** Viewers dropped for RTCP silence, a connection that stayed down, or a track that never opened. */
  viewersReaped: number;
  /** ms since the cached keyframe arrived, -1 when none. */
  keyframeAgeMs: number;
  keyframeCachePackets: number;
  /** Packet forwarding's counters (zero in frame forwarding). */
  cutThrough: CutThroughCounters;
  /** The audio track: what the camera sends, what browsers get, and why not when they get none. */
  audio: StreamAudioStats;
  source: Record<string, number | string>;
}

/** Where a track's egress timeline starts, and the SSRC its packets carry (random unless given). */
export interface EgressStart {
  ssrc: number;
  firstSequenceNumber: number;
  firstTimestamp: number;
}

export interface ViewerInfo extends ViewerStats {
  id: string;
  /** What the viewer gets of the audio track, null when it took none. */
  audio: ReturnType<Viewer['audioStats']>;
  connection: PeerState;
  ageMs: number;
}

export class Stream implements SourceSink {
  readonly name: string;
  readonly forwarding: 'frame' | 'packet';
  private readonly o: Required<StreamOptions>;
  private readonly video: VideoTrack;
  private readonly audio: StreamAudio;
  /** The camera's wall clock minus ours (ms), from its latest sender report; undefined before one. */
  private cameraOffsetMs: number | undefined;
  /** The source has played once: its description (audio codec) is known. */
  private sourceDescribed = false;
  private readonly playWaiters = new Set<() => void>();
  private readonly viewers = new Map<string, Viewer>();
  /** Sinks of outputs other than WebRTC viewers (RTSP), on the video track. */
  private readonly outputs = new Set<TrackSink>();
  private readonly gate: KeyframeGate;
  private sourceStateValue: SourceState = 'idle';
  private running = false;
  private emptySince: number;
  private nextViewerId = 1;
  /** Offers being answered (ICE gathering), counted against maxViewers. */
  private pendingViewers = 0;
  /** Counters of viewers that have left, so totals never go down. */
  private readonly departed: Record<string, number> = {};
  private readonly c = { keyframeRequestsForwarded: 0, keyframeRequestsSuppressed: 0, keyframeRequestsIgnored: 0, viewersReaped: 0 };

  constructor(
    name: string,
    private readonly source: VideoSource,
    /** None for a stream only other outputs (the RTSP server) take: it has no WebRTC viewers. */
    private readonly transport: WebRtcTransport | undefined,
    private readonly deps: GatewayDeps,
    opts: StreamOptions = {},
    egressStart?: EgressStart,
  ) {
    this.name = name;
    this.o = resolveStreamOptions(opts);
    this.forwarding = this.o.forwarding;
    this.gate = deps.keyframeGate();
    this.emptySince = deps.clock.now();
    const random = randomBytes(10);
    const start = egressStart ?? {
      ssrc: random.readUInt32BE(0), firstTimestamp: random.readUInt32BE(4), firstSequenceNumber: random.readUInt16BE(8),
    };
    this.video = new VideoTrack({
      packetizer: deps.packetizer(), history: deps.history(), clock: deps.clock, forwarding: this.forwarding,
      owner: { requestKeyframe: () => this.requestKeyframe(), keyframeSent: (seq, ts, now) => this.gate.onKeyframe(seq, ts, now) },
      keyframeCache: { maxAgeMs: this.o.keyframeCacheMaxAgeMs, maxBytes: this.o.keyframeCacheMaxBytes },
      keyframeOnJoin: this.o.keyframeOnJoin, timestampJumpMs: this.o.timestampJumpMs,
      ssrc: start.ssrc, firstTimestamp: start.firstTimestamp, firstSequenceNumber: start.firstSequenceNumber,
    });
    this.audio = new StreamAudio({ name, deps, timestampJumpMs: this.o.timestampJumpMs, random: Math.random });
    if (!this.o.onDemand) this.startSource();
  }

  /** Every track, in the order viewers hold their senders: the video, then the audio when the camera's can be sent. */
  private get tracks(): readonly Track[] {
    const audio = this.o.audio ? this.audio.track : undefined;
    return audio ? [this.video, audio] : [this.video];
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Viewers now plus offers being answered. */
  get viewerLoad(): number {
    return this.viewers.size + this.pendingViewers;
  }

  /** No viewers or outputs, none being added, source stopped: an ad-hoc stream in this state can go. */
  get idle(): boolean {
    return this.consumers === 0 && this.pendingViewers === 0 && !this.running;
  }

  /** The video track, for outputs that need its facts (SSRC, next sequence number, history). */
  get videoTrack(): VideoTrack {
    return this.video;
  }

  /**
   * An output other than a WebRTC viewer takes the video track: `sink` gets its packets from
   * the cached keyframe or the next one, and the source runs while it is there (on demand).
   */
  addOutput(sink: TrackSink): void {
    if (this.outputs.has(sink)) return;
    this.outputs.add(sink);
    this.video.addSink(sink);
    this.startSource();
    this.video.open(sink);
  }

  removeOutput(sink: TrackSink): void {
    if (!this.outputs.delete(sink)) return;
    this.video.removeSink(sink);
    sink.close();
    if (this.consumers === 0) this.emptySince = this.deps.clock.now();
  }

  /** WebRTC viewers plus other outputs: what keeps an on-demand source running. */
  private get consumers(): number {
    return this.viewers.size + this.outputs.size;
  }

  get sourceState(): SourceState {
    return this.sourceStateValue;
  }

  /** Answers a browser's offer: negotiates, creates the peer, and adds the viewer. */
  async addViewer(offerSdp: string): Promise<Viewer> {
    if (this.viewers.size + this.pendingViewers >= this.o.maxViewers) {
      throw new GatewayError('PEER_LIMIT', `stream ${this.name} already has ${this.viewers.size} viewers`);
    }
    this.pendingViewers++;
    try {
      return await this.createViewer(offerSdp);
    } finally {
      this.pendingViewers--;
    }
  }

  private async createViewer(offerSdp: string): Promise<Viewer> {
    const transport = this.transport;
    if (!transport) throw new GatewayError('TRANSPORT_CLOSED', `stream ${this.name} has no WebRTC transport`);
    const wantRtx = this.o.rtx && this.deps.rtx !== undefined;
    const video = this.deps.negotiate(offerSdp, this.source.info(), wantRtx);
    const audio = await this.negotiateAudio(offerSdp);
    const audioTrack = audio ? this.audio.track : undefined;
    const id = `${this.name}-${this.nextViewerId++}-${randomBytes(4).toString('hex')}`;
    const ssrcs = randomBytes(8);
    // Assigned once, after the peer exists; `let` because the peer's callbacks may fire before that.
    // eslint-disable-next-line prefer-const
    let viewer: Viewer | undefined;
    const peer = await transport.createPeer(
      offerSdp,
      {
        ...video,
        ssrc: ssrcs.readUInt32BE(0),
        rtxSsrc: video.rtxPayloadType !== undefined ? ssrcs.readUInt32BE(4) : undefined,
        cname: `camwire-${this.name}`,
        rrtr: this.o.rrtr,
        streamId: `camwire-${this.name}`,
        trackId: `video-${id}`,
        ...(audio ? { audio: { ...audio, ssrc: (ssrcs.readUInt32BE(4) ^ 0x5a5a5a5a) >>> 0, trackId: `audio-${id}` } } : {}),
      },
      {
        onRtcp: (p) => viewer?.handleRtcp(p),
        onOpen: () => {
          if (viewer) this.viewerOpened(viewer);
        },
        onState: (s) => {
          if (!viewer) return;
          if (s === 'failed' || s === 'closed') this.removeViewer(viewer.id);
          else viewer.disconnectedSince = s === 'disconnected' ? this.deps.clock.now() : undefined;
        },
      },
    );
    viewer = new Viewer({
      id, peer, rtcp: this.deps.rtcp, rtx: this.deps.rtx, clock: this.deps.clock,
      tracks: this.viewerTracks(peer.media, audio),
      onKeyframeRequest: () => this.viewerKeyframeRequest(), answerNacks: this.o.nack,
    });
    if (peer.state === 'closed' || peer.state === 'failed') {
      throw new GatewayError('TRANSPORT_CLOSED', 'the peer closed before it was added');
    }
    this.viewers.set(id, viewer);
    this.video.addSink(viewer.sink('video')!);
    if (audioTrack && peer.media.audio) {
      audioTrack.addSink(viewer.sink('audio')!);
      this.audio.viewerAdded();
    }
    this.startSource();
    if (peer.isOpen) this.viewerOpened(viewer);
    return viewer;
  }

  removeViewer(id: string): boolean {
    const v = this.viewers.get(id);
    if (!v) return false;
    this.viewers.delete(id);
    for (const t of this.tracks) {
      const sink = v.sink(t.kind);
      if (sink) t.removeSink(sink);
    }
    if (v.sink('audio')) this.audio.viewerRemoved();
    v.close();
    for (const [k, val] of Object.entries(v.stats())) if (typeof val === 'number') this.departed[k] = (this.departed[k] ?? 0) + val;
    if (this.consumers === 0) this.emptySince = this.deps.clock.now();
    return true;
  }

  getViewer(id: string): Viewer | undefined {
    return this.viewers.get(id);
  }

  /** Keyframe policy: requests from viewers (PLI/FIR) and joins go upstream merged and rate-limited. */
  requestKeyframe(kind: 'pli' | 'fir' = 'pli'): void {
    if (!this.running) return;
    if (this.gate.request(kind, this.deps.clock.now())) this.forwardKeyframeRequest();
    else this.c.keyframeRequestsSuppressed++;
  }

  /** Periodic work (about every 100-250 ms): reaping, SRs, merged keyframe requests and on-demand stop. */
  tick(): void {
    const now = this.deps.clock.now();
    for (const v of this.viewers.values()) {
      if (this.vanished(v, now)) {
        this.c.viewersReaped++;
        this.removeViewer(v.id);
      }
    }
    const tracks = this.tracks;
    // The camera's own clock maps every track to wall time only when each has a sender report;
    // a lone video track keeps its arrival clock.
    const cameraMs = tracks.length > 1 && this.cameraOffsetMs !== undefined && tracks.every((t) => t.timeline.hasSenderReport) ? now + this.cameraOffsetMs : undefined;
    for (const t of tracks) t.tick(now, cameraMs);
    if (this.running && this.gate.poll(now)) this.forwardKeyframeRequest();
    if (this.o.onDemand && this.running && this.consumers === 0 && now - this.emptySince >= this.o.idleStopMs) {
      void this.stopSource();
    }
  }

  onAccessUnit(au: AccessUnit): void {
    if (this.running) this.video.onAccessUnit(au);
  }

  /** Packet forwarding: one camera packet, in sequence order. */
  onPacket(p: SourcePacket): void {
    if (this.running) this.video.onPacket(p);
  }

  onAudioFrame(frame: AudioFrame): void {
    if (this.running && this.o.audio) this.audio.onFrame(frame);
  }

  onSenderReport(kind: 'video' | 'audio', ntpMs: number, rtpTimestamp: number): void {
    this.cameraOffsetMs = ntpMs - this.deps.clock.now();
    if (kind === 'video') this.video.timeline.senderReport(ntpMs, rtpTimestamp);
    else this.audio.onSenderReport(ntpMs, rtpTimestamp);
  }

  onState(state: SourceState): void {
    const prev = this.sourceStateValue;
    this.sourceStateValue = state;
    if (state === 'playing' || state === 'failed') for (const wake of [...this.playWaiters]) wake();
    // A restarted camera may come back with other parameters: the old keyframe is stale.
    if (state === 'reconnecting' || state === 'failed' || state === 'stopped') for (const t of this.tracks) t.sourceGone();
    if (state === 'playing' && prev !== 'playing') {
      const info = this.source.info();
      this.sourceDescribed = true;
      this.cameraOffsetMs = undefined;
      this.video.sourcePlaying(info);
      this.audio.sourcePlaying(info);
      // Back after a reconnect with viewers watching: they can only resume on an IDR, and a
      // camera with a long GOP (or one shared with other clients) would make them wait for it.
      if ((prev === 'reconnecting' || prev === 'failed') && this.consumers > 0) this.requestKeyframe();
    }
  }

  stats(): StreamStats {
    const now = this.deps.clock.now();
    const v = this.video.stats();
    const c = this.c;
    return {
      name: this.name,
      sourceState: this.sourceStateValue,
      viewers: this.viewers.size,
      accessUnits: v.accessUnits,
      keyframes: v.keyframes,
      packetsOut: v.packetsOut,
      bytesOut: v.bytesOut,
      keyframeRequestsForwarded: c.keyframeRequestsForwarded,
      keyframeRequestsSuppressed: c.keyframeRequestsSuppressed,
      keyframeRequestsIgnored: c.keyframeRequestsIgnored,
      timelineRebases: this.video.timeline.rebases,
      viewersReaped: c.viewersReaped,
      keyframeAgeMs: this.video.keyframes.ageMs(now),
      keyframeCachePackets: this.video.keyframes.packetCount,
      cutThrough: this.video.cutThroughStats(),
      audio: this.audio.stats(),
      source: this.source.stats(),
    };
  }

  /** Sums of every numeric viewer counter over current and departed viewers. */
  viewerTotals(): Record<string, number> {
    const out: Record<string, number> = { ...this.departed };
    for (const v of this.viewers.values()) {
      for (const [k, val] of Object.entries(v.stats())) if (typeof val === 'number') out[k] = (out[k] ?? 0) + val;
    }
    return out;
  }

  viewerInfo(): ViewerInfo[] {
    const now = this.deps.clock.now();
    return [...this.viewers.values()].map((v) => ({
      id: v.id, connection: v.peer.state, ageMs: Math.round(now - v.createdAt), ...v.stats(), audio: v.audioStats(),
    }));
  }

  /** Ends every viewer and output and stops the source; settles when the source has stopped. */
  close(): Promise<void> {
    for (const id of [...this.viewers.keys()]) this.removeViewer(id);
    for (const sink of [...this.outputs]) this.removeOutput(sink);
    this.audio.close();
    return this.stopSource();
  }

  /** A viewer whose browser went away without DELETE: nothing else would ever end it. */
  private vanished(v: Viewer, now: number): boolean {
    if (v.state === 'connecting') return now - v.createdAt > this.o.connectTimeoutMs;
    if (v.disconnectedSince !== undefined && now - v.disconnectedSince > this.o.viewerDisconnectTimeoutMs) return true;
    return now - v.lastRtcpAt > this.o.viewerRtcpTimeoutMs;
  }

  private viewerKeyframeRequest(): void {
    if (this.o.viewerKeyframeRequests === 'ignore') this.c.keyframeRequestsIgnored++;
    else this.requestKeyframe();
  }

  private forwardKeyframeRequest(): void {
    this.c.keyframeRequestsForwarded++;
    this.source.requestKeyframe();
  }

  private viewerOpened(v: Viewer): void {
    for (const t of this.tracks) {
      const sink = v.sink(t.kind);
      if (sink) t.open(sink);
    }
  }

  /**
   * The audio answer. A stream whose camera has not been described yet (on demand, first
   * viewer) starts it and waits up to audioWaitMs, so the answer can carry its audio.
   */
  private async negotiateAudio(offerSdp: string): Promise<NegotiatedAudio | undefined> {
    if (!this.o.audio || !/^m=audio /m.test(offerSdp)) return undefined;
    if (!this.sourceDescribed) {
      this.startSource();
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          timer.cancel();
          this.playWaiters.delete(wake);
          resolve();
        };
        const timer = this.deps.clock.setTimer(this.o.audioWaitMs, wake);
        this.playWaiters.add(wake);
      });
    }
    return this.audio.negotiate(offerSdp);
  }

  private viewerTracks(media: PeerMediaParams, audio: NegotiatedAudio | undefined): ViewerTrackOptions[] {
    const out: ViewerTrackOptions[] = [{ kind: 'video', media, history: this.video.history, resendGate: this.deps.resendGate() }];
    const track = this.audio.track;
    if (audio && track && media.audio) {
      const red = audio.redPayloadType;
      out.push({
        kind: 'audio', history: track.history, resendGate: this.deps.resendGate(),
        media: { ssrc: media.audio.ssrc, payloadType: red ?? audio.payloadType, cname: media.cname },
        // RED packets are made per viewer and never stored: what the history holds is plain
        answerNacks: audio.nack && red === undefined && this.o.nack,
        ...(red !== undefined ? { redOf: audio.payloadType } : {}),
      });
    }
    return out;
  }

  private startSource(): void {
    if (this.running) return;
    this.running = true;
    for (const t of this.tracks) t.sourceStarting();
    this.sourceStateValue = 'starting';
    this.source.start(this);
  }

  private stopSource(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.running = false;
    for (const t of this.tracks) t.sourceGone();
    this.sourceStateValue = 'idle';
    try {
      return Promise.resolve(this.source.stop()).catch(() => {});
    } catch {
      return Promise.resolve();
    }
  }
}
