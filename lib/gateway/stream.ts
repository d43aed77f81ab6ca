/**
 * One camera, many viewers: one source session, one packetized egress sequence shared by all
 * viewers (stored once in the retransmission history), the keyframe cache that lets a new
 * viewer start at once, and on-demand start/stop of the source.
 */
import { randomBytes } from 'node:crypto';
import { tsAdd, tsDistance } from '../rtp/seq.js';
import { readU32 } from '../rtp/packet.js';
import type { EgressHistory, EgressPacketizer, GatewayDeps, KeyframeGate } from './deps.js';
import { GatewayError } from './errors.js';
import type { AccessUnit, SourcePacket, SourceSink, SourceState, VideoSource } from './source.js';
import { CutThrough, type CutThroughSink } from './cut-through.js';
import type { RefragmenterPacketizer } from '../h264/refragmenter.js';
import type { PeerState, WebRtcTransport } from './transport.js';
import { Viewer, type CachedKeyframe, type ViewerStats } from './viewer.js';
import { STREAM_DEFAULTS, type StreamOptions } from './stream-options.js';

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
  cutThrough: { packetsIn: number; late: number; gaps: number; waitingDropped: number; split: number; carried: number; parameterSetsInserted: number; unitsWithoutMarker: number; dropped: number };
  source: Record<string, number | string>;
}

export interface ViewerInfo extends ViewerStats {
  id: string;
  connection: PeerState;
  ageMs: number;
}

const CLOCK_RATE_PER_MS = 90;
const EGRESS_PAYLOAD_TYPE = 96;
const MAX_EGRESS_PACKET = 1500;

export class Stream implements SourceSink, CutThroughSink {
  readonly name: string;
  readonly forwarding: 'frame' | 'packet';
  private readonly viewers = new Map<string, Viewer>();
  private readonly packetizer: EgressPacketizer;
  private readonly history: EgressHistory;
  private readonly gate: KeyframeGate;
  private readonly onDemand: boolean;
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  private sourceStateValue: SourceState = 'idle';
  private running = false;
  private tsShift = 0;
  private rebasePending = true;
  private lastSourceTs = 0;
  private lastEgressTs = randomBytes(4).readUInt32BE(0);
  private lastAuAt = -1;
  /** Egress timestamp of the last unit whose packets began going out (packet forwarding). */
  private lastUnitTs = 0;
  private unitIsKeyframe = false;
  private cache: (CachedKeyframe & { at: number; timestamp: number }) | undefined;
  private emptySince: number;
  private nextViewerId = 1;
  /** Offers being answered (ICE gathering), counted against maxViewers. */
  private pendingViewers = 0;
  /** One egress packet at a time; packetizer MTUs above this are refused at construction. */
  private readonly scratch = new Uint8Array(MAX_EGRESS_PACKET);
  private lastKeyframeBytes = 0;
  /** Packet forwarding (undefined in frame forwarding). */
  private readonly cut: CutThrough | undefined;
  /** This source session gave packets: its access units are only counted. */
  private packetsSeen = false;
  /** The keyframe unit being sent in packet forwarding, becoming the cache when it ends whole. */
  private building: { packets: Uint8Array[]; arena: Uint8Array; pos: number; bytes: number; firstSeq: number; at: number; timestamp: number } | undefined;
  /** Viewers whose media opened mid-unit in packet forwarding: they start at the next unit. */
  private readonly deferredStarts = new Set<Viewer>();
  /** Counters of viewers that have left, so totals never go down. */
  private readonly departed: Record<string, number> = {};
  private readonly c = {
    accessUnits: 0, keyframes: 0, packetsOut: 0, bytesOut: 0,
    keyframeRequestsForwarded: 0, keyframeRequestsSuppressed: 0, keyframeRequestsIgnored: 0, timelineRebases: 0, viewersReaped: 0,
  };

  constructor(
    name: string,
    private readonly source: VideoSource,
    private readonly transport: WebRtcTransport,
    private readonly deps: GatewayDeps,
    private readonly opts: StreamOptions = {},
  ) {
    this.name = name;
    this.packetizer = deps.packetizer();
    if (this.packetizer.mtu > MAX_EGRESS_PACKET) {
      throw new GatewayError('BAD_OPTION', `egress MTU ${this.packetizer.mtu} is above ${MAX_EGRESS_PACKET}`);
    }
    this.history = deps.history();
    this.gate = deps.keyframeGate();
    this.onDemand = opts.onDemand ?? STREAM_DEFAULTS.onDemand;
    this.emptySince = deps.clock.now();
    // The egress SSRC and PT are placeholders: every viewer rewrites them to its own.
    this.packetizer.ssrc = this.ssrc;
    this.packetizer.payloadType = EGRESS_PAYLOAD_TYPE;
    this.packetizer.sequenceNumber = randomBytes(2).readUInt16BE(0);
    this.forwarding = opts.forwarding ?? STREAM_DEFAULTS.forwarding;
    if (this.forwarding === 'packet') {
      const pz = this.packetizer;
      if (!pz.parameterSets) throw new GatewayError('BAD_OPTION', 'packet forwarding needs a packetizer that knows parameter sets');
      this.cut = new CutThrough(pz as RefragmenterPacketizer, this, this.scratch);
    }
    if (!this.onDemand) this.startSource();
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Viewers now plus offers being answered. */
  get viewerLoad(): number {
    return this.viewers.size + this.pendingViewers;
  }

  /** No viewers, none being added, source stopped: an ad-hoc stream in this state can go. */
  get idle(): boolean {
    return this.viewers.size === 0 && this.pendingViewers === 0 && !this.running;
  }

  get sourceState(): SourceState {
    return this.sourceStateValue;
  }

  /** Answers a browser's offer: negotiates, creates the peer, and adds the viewer. */
  async addViewer(offerSdp: string): Promise<Viewer> {
    if (this.viewers.size + this.pendingViewers >= (this.opts.maxViewers ?? STREAM_DEFAULTS.maxViewers)) {
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
    const wantRtx = (this.opts.rtx ?? STREAM_DEFAULTS.rtx) && this.deps.rtx !== undefined;
    const video = this.deps.negotiate(offerSdp, this.source.info(), wantRtx);
    const id = `${this.name}-${this.nextViewerId++}-${randomBytes(4).toString('hex')}`;
    const ssrcs = randomBytes(8);
    let viewer: Viewer | undefined;
    const peer = await this.transport.createPeer(
      offerSdp,
      {
        ...video,
        ssrc: ssrcs.readUInt32BE(0),
        rtxSsrc: video.rtxPayloadType !== undefined ? ssrcs.readUInt32BE(4) : undefined,
        cname: `camwire-${this.name}`,
        rrtr: this.opts.rrtr ?? STREAM_DEFAULTS.rrtr,
        streamId: `camwire-${this.name}`,
        trackId: `video-${id}`,
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
      id, peer, history: this.history, rtcp: this.deps.rtcp, rtx: this.deps.rtx, clock: this.deps.clock,
      onKeyframeRequest: () => this.viewerKeyframeRequest(), answerNacks: this.opts.nack ?? STREAM_DEFAULTS.nack,
      resendGate: this.deps.resendGate(),
    });
    if (peer.state === 'closed' || peer.state === 'failed') {
      throw new GatewayError('TRANSPORT_CLOSED', 'the peer closed before it was added');
    }
    this.viewers.set(id, viewer);
    this.startSource();
    if (peer.isOpen) this.viewerOpened(viewer);
    return viewer;
  }

  removeViewer(id: string): boolean {
    const v = this.viewers.get(id);
    if (!v) return false;
    this.viewers.delete(id);
    this.deferredStarts.delete(v);
    v.close();
    for (const [k, val] of Object.entries(v.stats())) if (typeof val === 'number') this.departed[k] = (this.departed[k] ?? 0) + val;
    if (this.viewers.size === 0) this.emptySince = this.deps.clock.now();
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

  /** A viewer whose browser went away without DELETE: nothing else would ever end it. */
  private vanished(v: Viewer, now: number): boolean {
    if (v.state === 'connecting') return now - v.createdAt > (this.opts.connectTimeoutMs ?? STREAM_DEFAULTS.connectTimeoutMs);
    if (v.disconnectedSince !== undefined && now - v.disconnectedSince > (this.opts.viewerDisconnectTimeoutMs ?? STREAM_DEFAULTS.viewerDisconnectTimeoutMs)) return true;
    return now - v.lastRtcpAt > (this.opts.viewerRtcpTimeoutMs ?? STREAM_DEFAULTS.viewerRtcpTimeoutMs);
  }

  private viewerKeyframeRequest(): void {
    if ((this.opts.viewerKeyframeRequests ?? STREAM_DEFAULTS.viewerKeyframeRequests) === 'ignore') this.c.keyframeRequestsIgnored++;
    else this.requestKeyframe();
  }

  private forwardKeyframeRequest(): void {
    this.c.keyframeRequestsForwarded++;
    this.source.requestKeyframe();
  }

  /** Periodic work (about every 100-250 ms): SRs and on-demand stop. */
  tick(): void {
    const now = this.deps.clock.now();
    const tsNow = this.egressTsAt(now);
    for (const v of this.viewers.values()) {
      if (this.vanished(v, now)) {
        this.c.viewersReaped++;
        this.removeViewer(v.id);
      } else {
        v.tick(tsNow);
      }
    }
    if (this.running && this.gate.poll(now)) this.forwardKeyframeRequest();
    if (this.onDemand && this.running && this.viewers.size === 0 && now - this.emptySince >= (this.opts.idleStopMs ?? STREAM_DEFAULTS.idleStopMs)) {
      void this.stopSource();
    }
  }

  onAccessUnit(au: AccessUnit): void {
    // In packet forwarding the unit's packets already went out (and were counted) one by one.
    if (!this.running || this.packetsSeen) return;
    const now = this.deps.clock.now();
    this.rebaseIfNeeded(au.timestamp, now);
    const ts = tsAdd(au.timestamp, this.tsShift);
    this.lastSourceTs = au.timestamp;
    this.lastEgressTs = ts;
    this.lastAuAt = now;
    this.c.accessUnits++;
    const pz = this.packetizer;
    const firstSeq = pz.sequenceNumber;
    pz.start(au.nalus, ts);
    const packets: Uint8Array[] | undefined = au.keyframe ? [] : undefined;
    // Keyframe packets are written straight into an arena kept by the cache (one allocation
    // per keyframe, not per packet); others into the scratch buffer, then copied by the history.
    let arena = packets ? this.newArena() : this.scratch;
    let pos = 0;
    let first = true;
    for (;;) {
      if (packets && arena.length - pos < MAX_EGRESS_PACKET) {
        arena = this.newArena();
        pos = 0;
      }
      const n = pz.writeNext(packets ? arena.subarray(pos, pos + MAX_EGRESS_PACKET) : arena);
      if (n === 0) break;
      const pkt = arena.subarray(pos, pos + n);
      if (packets) {
        packets.push(pkt);
        pos += n;
      }
      this.emit(pkt, (pkt[2] << 8) | pkt[3], ts, packets !== undefined && first, !packets, now);
      first = false;
    }
    if (packets) this.lastKeyframeBytes = packets.reduce((sum, p) => sum + p.length, 0);
    if (packets && packets.length > 0) {
      this.c.keyframes++;
      this.cache = { packets, firstSeq, at: now, timestamp: ts };
      this.gate.onKeyframe(firstSeq, ts, now);
    }
  }

  /** Packet forwarding: one camera packet, in sequence order. */
  onPacket(p: SourcePacket): void {
    if (!this.running || !this.cut) return;
    this.packetsSeen = true;
    this.cut.take(p);
  }

  /** @internal CutThroughSink */
  unitBegins(cameraTs: number): number {
    const now = this.deps.clock.now();
    this.rebaseIfNeeded(cameraTs, now);
    this.lastSourceTs = cameraTs;
    this.lastEgressTs = tsAdd(cameraTs, this.tsShift);
    this.lastAuAt = now;
    return this.tsShift;
  }

  /** @internal CutThroughSink */
  egress(packet: Uint8Array, unitStart: boolean, keyframe: boolean, unitEnd: boolean): void {
    const now = this.deps.clock.now();
    const seq = (packet[2] << 8) | packet[3];
    const ts = readU32(packet, 4);
    if (unitStart) {
      this.finishKeyframeUnit();
      // Viewers that opened mid-unit start here: the cached keyframe, stamped as the unit before, then this unit live.
      for (const v of this.deferredStarts) {
        if (keyframe) v.waitForKeyframe(); // this very packet starts it
        else this.startViewer(v, seq, this.lastUnitTs);
      }
      this.deferredStarts.clear();
      this.lastUnitTs = ts;
      this.unitIsKeyframe = keyframe;
      if (keyframe) {
        const arena = this.newArena();
        this.building = { packets: [], arena, pos: 0, bytes: 0, firstSeq: seq, at: now, timestamp: ts };
        this.gate.onKeyframe(seq, ts, now);
      }
    }
    let pkt = packet;
    let b = this.building;
    if (b && (b.bytes += packet.length) > (this.opts.keyframeCacheMaxBytes ?? STREAM_DEFAULTS.keyframeCacheMaxBytes)) {
      // The frames after this keyframe reference it, not the cached one: that one is stale too.
      this.building = b = undefined;
      this.cache = undefined;
    }
    if (b) {
      if (b.arena.length - b.pos < packet.length) {
        b.arena = this.newArena();
        b.pos = 0;
      }
      b.arena.set(packet, b.pos);
      pkt = b.arena.subarray(b.pos, b.pos + packet.length);
      b.pos += packet.length;
      b.packets.push(pkt);
    }
    this.emit(pkt, seq, ts, unitStart && keyframe, !b, now);
    if (unitEnd) {
      // Counted when whole: an abandoned unit never gets here.
      this.c.accessUnits++;
      if (this.unitIsKeyframe) this.c.keyframes++;
      this.finishKeyframeUnit();
    }
  }

  /** @internal CutThroughSink */
  lost(): void {
    // A keyframe that lost a packet must not start anyone.
    this.building = undefined;
    this.requestKeyframe();
  }

  /** The history keeps a copy; with `scratch` each viewer may rewrite the packet's header in place. */
  private emit(pkt: Uint8Array, seq: number, ts: number, keyframeStart: boolean, scratch: boolean, now: number): void {
    this.history.put(seq, pkt, now);
    this.c.packetsOut++;
    this.c.bytesOut += pkt.length;
    // Seq and timestamp come as arguments: a viewer may have rewritten the scratch header already.
    for (const v of this.viewers.values()) v.sendLive(pkt, seq, ts, keyframeStart, scratch);
  }

  private finishKeyframeUnit(): void {
    const b = this.building;
    if (!b) return;
    this.building = undefined;
    if (b.packets.length === 0) return;
    this.lastKeyframeBytes = b.packets.reduce((sum, p) => sum + p.length, 0);
    this.cache = { packets: b.packets, firstSeq: b.firstSeq, at: b.at, timestamp: b.timestamp };
  }

  onState(state: SourceState): void {
    const prev = this.sourceStateValue;
    this.sourceStateValue = state;
    if (state === 'reconnecting' || state === 'failed' || state === 'stopped') {
      // A restarted camera may come back with other parameters: the old keyframe is stale.
      this.cache = undefined;
    }
    if (state === 'playing' && prev !== 'playing') {
      this.rebasePending = true;
      this.packetsSeen = false;
      this.building = undefined;
      this.cut?.reset();
      const ps = this.source.info().parameterSets;
      if (ps && ps.length > 0) this.packetizer.setParameterSets?.(ps);
      // Back after a reconnect with viewers watching: they can only resume on an IDR, and a
      // camera with a long GOP (or one shared with other clients) would make them wait for it.
      if ((prev === 'reconnecting' || prev === 'failed') && this.viewers.size > 0) this.requestKeyframe();
    }
  }

  stats(): StreamStats {
    const now = this.deps.clock.now();
    return {
      name: this.name,
      sourceState: this.sourceStateValue,
      viewers: this.viewers.size,
      ...this.c,
      keyframeAgeMs: this.cache ? Math.round(now - this.cache.at) : -1,
      keyframeCachePackets: this.cache?.packets.length ?? 0,
      cutThrough: this.cutThroughStats(),
      source: this.source.stats(),
    };
  }

  private cutThroughStats(): StreamStats['cutThrough'] {
    const c = this.cut?.stats;
    const r = this.cut?.refragmenter.stats;
    return {
      packetsIn: r?.packetsIn ?? 0, late: c?.late ?? 0, gaps: c?.gaps ?? 0, waitingDropped: c?.waitingDropped ?? 0, split: r?.split ?? 0, carried: r?.carried ?? 0,
      parameterSetsInserted: r?.parameterSetsInserted ?? 0, unitsWithoutMarker: r?.unitsWithoutMarker ?? 0,
      dropped: (r?.malformed ?? 0) + (r?.unsupported ?? 0) + (r?.orphanFragments ?? 0) + (r?.heldDropped ?? 0) + (r?.carryDropped ?? 0),
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
      id: v.id, connection: v.peer.state, ageMs: Math.round(now - v.createdAt), ...v.stats(),
    }));
  }

  /** Ends every viewer and stops the source; settles when the source has stopped. */
  close(): Promise<void> {
    for (const id of [...this.viewers.keys()]) this.removeViewer(id);
    return this.stopSource();
  }

  /** Sized from the last keyframe, so one arena usually holds a whole keyframe. */
  private newArena(): Uint8Array {
    return new Uint8Array(Math.max(64 * 1024, Math.ceil(this.lastKeyframeBytes * 1.25) + MAX_EGRESS_PACKET));
  }

  private viewerOpened(v: Viewer): void {
    if (v.state !== 'connecting') return;
    // Packet forwarding may be mid-unit: live packets after the cached keyframe would be a
    // picture without its start. (Without a cache the viewer waits for a keyframe anyway.)
    if (this.packetsSeen && this.usableCache()) this.deferredStarts.add(v);
    else this.startViewer(v, this.packetizer.sequenceNumber, this.lastEgressTs);
  }

  private usableCache(): (CachedKeyframe & { timestamp: number }) | undefined {
    const cache = this.cache;
    return cache && this.deps.clock.now() - cache.at <= (this.opts.keyframeCacheMaxAgeMs ?? STREAM_DEFAULTS.keyframeCacheMaxAgeMs) ? cache : undefined;
  }

  /** Starts `v` on the cached keyframe (stamped `cacheTs`) followed by live packets from `nextLiveSeq`, or waits for the next keyframe. */
  private startViewer(v: Viewer, nextLiveSeq: number, cacheTs: number): void {
    if (v.state !== 'connecting') return;
    const cache = this.usableCache();
    if (cache) {
      v.startFromCache(cache, nextLiveSeq, cacheTs);
      // Frames sent since the cached keyframe reference pictures this viewer never got: the
      // picture is approximate until the next keyframe, so ask the camera for one now.
      if ((this.opts.keyframeOnJoin ?? STREAM_DEFAULTS.keyframeOnJoin) && cacheTs !== cache.timestamp) this.requestKeyframe();
    } else {
      v.waitForKeyframe();
      this.requestKeyframe();
    }
  }

  private startSource(): void {
    if (this.running) return;
    this.running = true;
    this.rebasePending = true;
    this.sourceStateValue = 'starting';
    this.source.start(this);
  }

  private stopSource(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.running = false;
    this.cache = undefined;
    this.building = undefined;
    this.sourceStateValue = 'idle';
    try {
      return Promise.resolve(this.source.stop()).catch(() => {});
    } catch {
      return Promise.resolve();
    }
  }

  /** Keeps the egress timeline continuous across camera restarts and timestamp jumps. */
  private rebaseIfNeeded(sourceTs: number, now: number): void {
    const jumpLimit = (this.opts.timestampJumpMs ?? STREAM_DEFAULTS.timestampJumpMs) * CLOCK_RATE_PER_MS;
    if (!this.rebasePending && Math.abs(tsDistance(this.lastSourceTs, sourceTs)) <= jumpLimit) return;
    // At least 1 ms after the last frame, so a restarted camera's first frame is a new frame.
    const target = this.lastAuAt < 0 ? this.lastEgressTs : tsAdd(this.egressTsAt(now), CLOCK_RATE_PER_MS);
    this.tsShift = (target - sourceTs) >>> 0;
    if (this.lastAuAt >= 0) this.c.timelineRebases++;
    this.rebasePending = false;
  }

  /** Egress timestamp for wall time `now`, extrapolated from the last access unit. */
  private egressTsAt(now: number): number {
    if (this.lastAuAt < 0) return this.lastEgressTs;
    return tsAdd(this.lastEgressTs, Math.round((now - this.lastAuAt) * CLOCK_RATE_PER_MS));
  }
}
