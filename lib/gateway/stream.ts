/**
 * One camera, many viewers: one source session, the stream's tracks (today its video track:
 * egress timeline, history, keyframe cache, forwarder), and the viewers' lifecycle: added from
 * a browser's offer, started when their media opens, reaped when their browser went away,
 * removed; the source started for the first viewer and stopped after the last (on demand).
 * Other outputs (the RTSP server's) take the video track through `addOutput`, the audio track
 * through `addAudioOutput`, and count as viewers for that. Keyframe requests from every viewer, output and track go upstream merged
 * and rate-limited by the one KeyframeGate.
 */
import { randomBytes } from 'node:crypto';
import type { GatewayDeps, KeyframeGate } from './deps.js';
import { GatewayError } from './errors.js';
import type { AccessUnit, SourceInfo, SourcePacket, SourceSink, SourceState, StreamTap, VideoSource } from './source.js';
import { CODEC_WAIT, resolveStreamOptions, type StreamOptions } from './stream-options.js';
import type { Track } from './track.js';
import type { TrackSink } from './track-sink.js';
import type { WebRtcTransport } from './transport.js';
import { VideoTrack } from './video-track.js';
import type { CaptureSlot } from '../capture/capture-slot.js';
import { CapturingPeer } from './capture-peer.js';
import { Viewer } from './viewer.js';
import { viewerTracks } from './viewer-tracks.js';
import { StreamAudio } from './stream-audio.js';
import type { AudioFrame } from '../audio/frame.js';
import type { NegotiatedAudio } from './negotiate-audio.js';
import type { RenditionSet } from './renditions.js';
import { TransportCcPeer, transportCcExtensionId } from './transport-cc-peer.js';
import { viewerAuto } from './auto-rendition.js';
import { ReportBandwidth } from './report-bandwidth.js';

export { CODEC_WAIT, STREAM_DEFAULTS, type StreamOptions } from './stream-options.js';
export type { StreamStats, ViewerInfo } from './stream-stats.js';
import type { StreamStats, ViewerInfo } from './stream-stats.js';

/** Where a track's egress timeline starts, and the SSRC its packets carry (random unless given). */
export interface EgressStart {
  ssrc: number;
  firstSequenceNumber: number;
  firstTimestamp: number;
}

/** Why a viewer left, for the log: its DELETE, its peer, the reaper, or the stream going away. */
export type ViewerLeaveReason = 'delete' | 'peer-failed' | 'peer-closed' | 'connect-timeout' | 'disconnected' | 'rtcp-timeout' | 'stream-closed';

/** Who a viewer is, for the log (the HTTP layer knows the address). */
export interface ViewerOrigin {
  address?: string;
  /** How the media flows: 'webrtc' (default), or a fallback's name. */
  path?: string;
}

/** Options a running stream takes without rebuilding its track (the others are baked into it). */
export const LIVE_STREAM_OPTIONS: ReadonlySet<keyof StreamOptions> = new Set<keyof StreamOptions>([
  'onDemand', 'idleStopMs', 'maxViewers', 'connectTimeoutMs', 'nack', 'rtx', 'rrtr',
  'viewerKeyframeRequests', 'viewerRtcpTimeoutMs', 'viewerDisconnectTimeoutMs',
]);

export class Stream implements SourceSink {
  readonly name: string;
  readonly forwarding: 'frame' | 'packet';
  private o: Required<StreamOptions>;
  private readonly video: VideoTrack;
  readonly audio: StreamAudio;
  /** The camera's wall clock minus ours (ms), from its latest sender report; undefined before one. */
  private cameraOffsetMs: number | undefined;
  /** The source has played once: its description (audio codec) is known. */
  private sourceDescribed = false;
  private readonly playWaiters = new Set<() => void>();
  private readonly viewers = new Map<string, Viewer>();
  private readonly origins = new Map<string, ViewerOrigin>();
  /** Sinks of outputs other than WebRTC viewers (RTSP), on the video track. */
  private readonly outputs = new Set<TrackSink>();
  private readonly gate: KeyframeGate;
  /**
   * The camera's further profiles and each viewer's switch among them, when configured (set
   * once, by useRenditions). Outputs that estimate their own bandwidth (the WebSocket fallback)
   * take switches of their own from it.
   */
  renditions: RenditionSet | undefined;
  private sourceStateValue: SourceState = 'idle';
  /** The source was replaced while running: its first 'playing' is a restart the viewers resume from. */
  private sourceReplaced = false;
  private running = false;
  private emptySince: number;
  private nextViewerId = 1;
  /** Offers being answered (ICE gathering), counted against maxViewers. */
  private pendingViewers = 0;
  /** Counters of viewers that have left, so totals never go down. */
  private readonly departed: Record<string, number> = {};
  private readonly c = { keyframeRequestsForwarded: 0, keyframeRequestsSuppressed: 0, keyframeRequestsIgnored: 0, viewersReaped: 0 };
  /** Keyframe requests merged since the last one went upstream (what a capture notes on the PLI). */
  private mergedRequests = 0;
  private tap: StreamTap | undefined;

  constructor(
    name: string,
    private source: VideoSource,
    /** None for a stream only other outputs (the RTSP server) take: it has no WebRTC viewers. */
    private readonly transport: WebRtcTransport | undefined,
    private readonly deps: GatewayDeps,
    opts: StreamOptions = {},
    egressStart?: EgressStart,
    /** This stream's capture, when it is captured (pcapng: camera and viewer legs). */
    readonly capture?: CaptureSlot,
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

  /** The most viewers this stream takes (maxViewers); other paths' viewers count against it too. */
  get maxViewers(): number {
    return this.o.maxViewers;
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

  /** The output leaves the video track, or the audio track (added by addAudioOutput). */
  removeOutput(sink: TrackSink): void {
    if (this.outputs.delete(sink)) {
      this.video.removeSink(sink);
      sink.close();
    } else if (!this.audio.removeOutput(sink)) return;
    if (this.consumers === 0) this.emptySince = this.deps.clock.now();
  }

  /** An output other than a WebRTC viewer takes the audio track (`audio.track`); the source runs while it is there. */
  addAudioOutput(sink: TrackSink): void {
    if (this.audio.addOutput(sink)) this.startSource();
  }

  /** WebRTC viewers plus other outputs: what keeps an on-demand source running. */
  private get consumers(): number {
    return this.viewers.size + this.outputs.size + this.audio.outputCount;
  }

  get sourceState(): SourceState {
    return this.sourceStateValue;
  }

  /** What the current source says it sends (a replaced source's successor once replaced). */
  sourceInfo(): SourceInfo {
    return this.source.info();
  }

  /** Serves `set`'s renditions to the viewers added from now on (the Gateway calls it once, before any). */
  useRenditions(set: RenditionSet): void {
    this.renditions = set;
  }

  /** Rendition names, best first, when the stream lists more than one. */
  get renditionNames(): string[] | undefined {
    return this.renditions?.names;
  }

  /** Pins viewer `id` to rendition `name`, or back to Auto (undefined). False when either is unknown. */
  selectRendition(id: string, name: string | undefined): boolean {
    return this.viewers.has(id) && (this.renditions?.switchOf(id)?.pin(name) ?? false);
  }

  /** Answers a browser's offer: negotiates, creates the peer, and adds the viewer. */
  async addViewer(offerSdp: string, origin: ViewerOrigin = {}): Promise<Viewer> {
    if (this.viewers.size + this.pendingViewers >= this.o.maxViewers) {
      throw new GatewayError('PEER_LIMIT', `stream ${this.name} already has ${this.viewers.size} viewers`);
    }
    this.pendingViewers++;
    try {
      const viewer = await this.createViewer(offerSdp);
      this.origins.set(viewer.id, origin);
      this.deps.log?.info('viewer.join', { stream: this.name, viewer: viewer.id, address: origin.address, path: origin.path ?? 'webrtc', viewers: this.viewers.size });
      return viewer;
    } finally {
      this.pendingViewers--;
    }
  }

  private async createViewer(offerSdp: string): Promise<Viewer> {
    const transport = this.transport;
    if (!transport) throw new GatewayError('TRANSPORT_CLOSED', `stream ${this.name} has no WebRTC transport`);
    // A viewer that can be probed (transport-wide CC, renditions) gets an RTX stream for the
    // probes' padding even where retransmissions stay on the media SSRC (`rtx` off).
    const twccId = this.renditions ? transportCcExtensionId(offerSdp) : undefined;
    const wantRtx = (this.o.rtx || twccId !== undefined) && this.deps.rtx !== undefined;
    const video = this.deps.negotiate(offerSdp, await this.sourceInfoFor(offerSdp), wantRtx);
    const audio = await this.negotiateAudio(offerSdp);
    const audioTrack = audio ? this.audio.track : undefined;
    const id = `${this.name}-${this.nextViewerId++}-${randomBytes(4).toString('hex')}`;
    const ssrcs = randomBytes(8);
    // Assigned once, after the peer exists; `let` because the peer's callbacks may fire before that.
    // eslint-disable-next-line prefer-const
    let viewer: Viewer | undefined;
    const vc = this.capture?.addViewer(id);
    // A bandwidth estimate per viewer only where it can choose a rendition: from transport-wide
    // CC when the browser offers it, else from its receiver reports.
    let twcc: TransportCcPeer | undefined;
    const reports = this.renditions && twccId === undefined ? new ReportBandwidth(ssrcs.readUInt32BE(0), () => this.renditions?.sentBps(id) ?? 0, this.deps.clock.now) : undefined;
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
        ...(twccId !== undefined ? { transportCcExtensionId: twccId } : {}),
        ...(audio ? { audio: { ...audio, ssrc: (ssrcs.readUInt32BE(4) ^ 0x5a5a5a5a) >>> 0, trackId: `audio-${id}` } } : {}),
      },
      {
        onRtcp: (p) => {
          vc?.received(p);
          (twcc ?? reports)?.onRtcp(p);
          viewer?.handleRtcp(p);
        },
        onOpen: () => {
          if (viewer) this.viewerOpened(viewer);
        },
        onState: (s) => {
          if (!viewer) return;
          if (s === 'failed' || s === 'closed') this.removeViewer(viewer.id, s === 'failed' ? 'peer-failed' : 'peer-closed');
          else viewer.disconnectedSince = s === 'disconnected' ? this.deps.clock.now() : undefined;
        },
      },
    );
    const captured = vc ? new CapturingPeer(peer, vc) : peer;
    if (twccId !== undefined) twcc = new TransportCcPeer(captured, twccId, this.deps.clock.now);
    // With renditions the viewer's video sender sees one track through its switch, NACKs included.
    const sw = this.renditions?.createSwitch(id, twcc ?? reports, viewerAuto(twcc, wantRtx && video.rtxPayloadType !== undefined, () => viewer, this.deps.clock));
    viewer = new Viewer({
      id, peer: twcc ?? captured, rtcp: this.deps.rtcp, capture: vc, rtx: this.deps.rtx, retransmitOnRtx: this.o.rtx, clock: this.deps.clock,
      tracks: viewerTracks(peer.media, sw?.history ?? this.video.history, this.audio.track, audio, this.o.nack, this.deps.resendGate),
      onKeyframeRequest: () => this.viewerKeyframeRequest(), answerNacks: this.o.nack,
    });
    sw?.bind(viewer.sink('video')!);
    if (peer.state === 'closed' || peer.state === 'failed') {
      this.renditions?.removeSwitch(id);
      throw new GatewayError('TRANSPORT_CLOSED', 'the peer closed before it was added');
    }
    this.viewers.set(id, viewer);
    this.video.addSink(this.sinkFor(viewer, this.video)!);
    if (audioTrack && peer.media.audio) {
      audioTrack.addSink(viewer.sink('audio')!);
      this.audio.viewerAdded();
    }
    this.startSource();
    if (peer.isOpen) this.viewerOpened(viewer);
    return viewer;
  }

  /** The source's facts to negotiate with; see CODEC_WAIT. */
  private async sourceInfoFor(offerSdp: string): Promise<SourceInfo> {
    const info = this.source.info();
    if (info.codec !== undefined || !/H265\/90000/i.test(offerSdp)) return info;
    const clock = this.deps.clock;
    // the idle stop must not end the camera before the viewer it is started for is added
    if (this.consumers === 0) this.emptySince = clock.now();
    this.startSource();
    const deadline = clock.now() + CODEC_WAIT.timeoutMs;
    while ((this.sourceStateValue === 'starting' || this.sourceStateValue === 'reconnecting') && clock.now() < deadline) {
      await new Promise<void>((resolve) => clock.setTimer(CODEC_WAIT.pollMs, resolve));
    }
    return this.source.info();
  }

  removeViewer(id: string, reason: ViewerLeaveReason = 'delete'): boolean {
    const v = this.viewers.get(id);
    if (!v) return false;
    this.viewers.delete(id);
    const origin = this.origins.get(id) ?? {};
    this.origins.delete(id);
    this.deps.log?.info('viewer.leave', {
      stream: this.name, viewer: id, address: origin.address, path: origin.path ?? 'webrtc', reason,
      seconds: Math.round((this.deps.clock.now() - v.createdAt) / 1000), viewers: this.viewers.size,
    });
    for (const t of this.tracks) {
      const sink = this.sinkFor(v, t);
      if (sink) t.removeSink(sink);
    }
    this.renditions?.removeSwitch(id);
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
    this.mergedRequests++;
    if (this.gate.request(kind, this.deps.clock.now())) this.forwardKeyframeRequest();
    else this.c.keyframeRequestsSuppressed++;
  }

  /** Periodic work (about every 100-250 ms): reaping, SRs, merged keyframe requests and on-demand stop. */
  tick(): void {
    const now = this.deps.clock.now();
    for (const v of this.viewers.values()) {
      const why = this.vanished(v, now);
      if (why) {
        this.c.viewersReaped++;
        this.removeViewer(v.id, why);
      }
    }
    const tracks = this.tracks;
    // The camera's own clock maps every track to wall time only when each has a sender report;
    // a lone video track keeps its arrival clock.
    const cameraMs = tracks.length > 1 && this.cameraOffsetMs !== undefined && tracks.every((t) => t.timeline.hasSenderReport) ? now + this.cameraOffsetMs : undefined;
    for (const t of tracks) t.tick(now, cameraMs);
    this.renditions?.tick(now);
    if (this.running && this.gate.poll(now)) this.forwardKeyframeRequest();
    this.capture?.flush();
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
    if (this.running) this.tap?.audioFrame(frame);
    if (this.running && this.o.audio) this.audio.onFrame(frame);
  }

  /** The recorder: told the source's state now and on each change, given the camera's audio frames. */
  setTap(tap: StreamTap | undefined): void {
    (this.tap = tap)?.sourceState(this.sourceStateValue, this.source.info());
  }

  onSenderReport(kind: 'video' | 'audio', ntpMs: number, rtpTimestamp: number): void {
    this.cameraOffsetMs = ntpMs - this.deps.clock.now();
    if (kind === 'video') this.video.timeline.senderReport(ntpMs, rtpTimestamp);
    else this.audio.onSenderReport(ntpMs, rtpTimestamp);
  }

  onState(state: SourceState): void {
    const prev = this.sourceStateValue;
    this.sourceStateValue = state;
    this.tap?.sourceState(state, this.source.info());
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
      if ((prev === 'reconnecting' || prev === 'failed' || this.sourceReplaced) && this.consumers > 0) this.requestKeyframe();
      this.sourceReplaced = false;
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
      ...(this.capture ? { capture: this.capture.stats() } : {}),
      audio: this.audio.stats(),
      source: this.source.stats(),
      ...(this.renditions ? { renditions: this.renditions.stats() } : {}),
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
      id: v.id, connection: v.peer.state, ageMs: Math.round(now - v.createdAt), ...v.stats(), audio: v.audioStats(), ...(this.renditions ? { rendition: this.renditions.switchOf(v.id)?.stats() } : {}),
    }));
  }

  /**
   * New settings that need no new track (LIVE_STREAM_OPTIONS): limits and timeouts apply at
   * once, nack/rtx/rrtr to viewers that join from now on. onDemand false starts the source.
   */
  updateOptions(opts: StreamOptions): void {
    const next = resolveStreamOptions(opts);
    for (const k of Object.keys(next) as (keyof StreamOptions)[]) {
      if (!LIVE_STREAM_OPTIONS.has(k) && next[k] !== this.o[k]) throw new GatewayError('BAD_OPTION', `${k} cannot change on a running stream`);
    }
    this.o = next;
    if (!next.onDemand) this.startSource();
  }

  /**
   * Another camera (or the same one with other settings) behind this stream: the old source
   * is stopped (TEARDOWN), the new one started when the old was running. Viewers stay; they
   * resume on the new source's first keyframe, on the same egress timeline (re-based).
   */
  replaceSource(next: VideoSource): Promise<void> {
    const old = this.source;
    const wasRunning = this.running;
    this.running = false;
    let stopped: Promise<void>;
    try {
      stopped = Promise.resolve(old.stop()).catch(() => {});
    } catch {
      stopped = Promise.resolve();
    }
    this.source = next;
    for (const t of this.tracks) t.sourceGone();
    this.sourceStateValue = 'idle';
    if (wasRunning) {
      this.sourceReplaced = true;
      this.startSource();
    }
    return stopped;
  }

  /** Ends every viewer and output and stops the source; settles when the source has stopped. */
  close(): Promise<void> {
    for (const id of [...this.viewers.keys()]) this.removeViewer(id, 'stream-closed');
    for (const sink of [...this.outputs]) this.removeOutput(sink);
    this.audio.close();
    return Promise.all([this.stopSource(), this.renditions?.close()]).then(() => undefined);
  }

  /** A viewer whose browser went away without DELETE: nothing else would ever end it. */
  private vanished(v: Viewer, now: number): ViewerLeaveReason | undefined {
    if (v.state === 'connecting') return now - v.createdAt > this.o.connectTimeoutMs ? 'connect-timeout' : undefined;
    if (v.disconnectedSince !== undefined && now - v.disconnectedSince > this.o.viewerDisconnectTimeoutMs) return 'disconnected';
    return now - v.lastRtcpAt > this.o.viewerRtcpTimeoutMs ? 'rtcp-timeout' : undefined;
  }

  private viewerKeyframeRequest(): void {
    if (this.o.viewerKeyframeRequests === 'ignore') this.c.keyframeRequestsIgnored++;
    else this.requestKeyframe();
  }

  private forwardKeyframeRequest(): void {
    this.c.keyframeRequestsForwarded++;
    this.source.requestKeyframe(Math.max(1, this.mergedRequests));
    this.mergedRequests = 0;
  }

  private viewerOpened(v: Viewer): void {
    const peer = v.peer instanceof TransportCcPeer ? v.peer.inner : v.peer;
    if (peer instanceof CapturingPeer) peer.notePath();
    for (const t of this.tracks) {
      const sink = this.sinkFor(v, t);
      if (sink) t.open(sink);
    }
  }

  /** What track `t` feeds for viewer `v`: its sink, or for video with renditions its switch. */
  private sinkFor(v: Viewer, t: Track): TrackSink | undefined {
    return (t === this.video ? this.renditions?.switchOf(v.id) : undefined) ?? v.sink(t.kind);
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
