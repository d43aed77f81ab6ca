/**
 * A stream's video track: one egress timeline, one retransmission history, the keyframe cache
 * that lets a new viewer start at once, and the forwarder (frame or packet) that makes its
 * packets from the source's: the fan-out engine. Every packet goes out once, through `emit`, to
 * every output's sink for this track (WebRTC viewers' senders, RTSP outputs).
 */
import type { Clock } from '../clock.js';
import type { EgressHistory, EgressPacketizer } from './deps.js';
import { fanningOut, MAX_EGRESS_PACKET, PLACEHOLDER_PAYLOAD_TYPE } from './egress-packet.js';
import { EgressTimeline } from './egress-timeline.js';
import { GatewayError } from './errors.js';
import type { CutThroughCounters, Forwarder, TrackOutput } from './forwarder.js';
import { FrameForwarder } from './frame-forwarder.js';
import { KeyframeCache, type KeyframeCacheOptions } from './keyframe-cache.js';
import { PacketForwarder } from './packet-forwarder.js';
import type { AccessUnit, SourceInfo, SourcePacket } from './source.js';
import type { Track } from './track.js';
import type { TrackSink } from './track-sink.js';

/** H.264's and H.265's RTP clock (RFC 6184, RFC 7798). */
export const VIDEO_CLOCK_RATE = 90_000;

/** What the track asks of its stream. */
export interface TrackOwner {
  /** A keyframe is needed from the source (merged and rate-limited by the stream). */
  requestKeyframe(): void;
  /** A keyframe went out: pending requests for one are satisfied. */
  keyframeSent(firstSeq: number, ts: number, now: number): void;
}

export interface VideoTrackOptions {
  packetizer: EgressPacketizer;
  history: EgressHistory;
  clock: Clock;
  owner: TrackOwner;
  forwarding: 'frame' | 'packet';
  keyframeCache: KeyframeCacheOptions;
  /** Ask for a fresh keyframe when a viewer starts on a cached one that later frames already followed. */
  keyframeOnJoin: boolean;
  /** A source timestamp jump larger than this re-bases the timeline (ms). */
  timestampJumpMs: number;
  /** Where the egress timeline starts (random in a stream); and the placeholder SSRC of its packets. */
  firstSequenceNumber: number;
  firstTimestamp: number;
  ssrc: number;
}

export interface VideoTrackStats {
  accessUnits: number;
  keyframes: number;
  packetsOut: number;
  bytesOut: number;
}

export class VideoTrack implements Track, TrackOutput {
  readonly kind = 'video';
  readonly clock: Clock;
  readonly packetizer: EgressPacketizer;
  readonly history: EgressHistory;
  readonly timeline: EgressTimeline;
  readonly keyframes: KeyframeCache;
  private readonly forwarder: Forwarder;
  private readonly owner: TrackOwner;
  private readonly keyframeOnJoin: boolean;
  private readonly sinks = new Set<TrackSink>();
  /** Sinks whose media opened while the forwarder may be mid-unit: they start at the next unit. */
  private readonly deferred = new Set<TrackSink>();
  private readonly c: VideoTrackStats = { accessUnits: 0, keyframes: 0, packetsOut: 0, bytesOut: 0 };
  private readonly fanoutCopy = new Uint8Array(MAX_EGRESS_PACKET);

  constructor(o: VideoTrackOptions) {
    const pz = o.packetizer;
    if (pz.mtu > MAX_EGRESS_PACKET) throw new GatewayError('BAD_OPTION', `egress MTU ${pz.mtu} is above ${MAX_EGRESS_PACKET}`);
    // The SSRC and PT are placeholders: every viewer's sender rewrites them to its own.
    pz.ssrc = o.ssrc;
    pz.payloadType = PLACEHOLDER_PAYLOAD_TYPE;
    this.packetizer = pz;
    this.history = o.history;
    this.clock = o.clock;
    this.owner = o.owner;
    this.keyframeOnJoin = o.keyframeOnJoin;
    this.timeline = new EgressTimeline({
      clockRate: VIDEO_CLOCK_RATE, timestampJumpMs: o.timestampJumpMs,
      firstSequenceNumber: o.firstSequenceNumber, firstTimestamp: o.firstTimestamp,
    });
    this.keyframes = new KeyframeCache(o.keyframeCache);
    this.forwarder = o.forwarding === 'packet' ? new PacketForwarder(this) : new FrameForwarder(this);
  }

  onAccessUnit(au: AccessUnit): void {
    this.forwarder.onAccessUnit(au);
  }

  onPacket(p: SourcePacket): void {
    this.forwarder.onPacket(p);
  }

  addSink(sink: TrackSink): void {
    this.sinks.add(sink);
  }

  removeSink(sink: TrackSink): void {
    this.sinks.delete(sink);
    this.deferred.delete(sink);
  }

  open(sink: TrackSink): void {
    if (sink.state !== 'connecting') return;
    // Packet forwarding may be mid-unit: live packets after the cached keyframe would be a
    // picture without its start. (Without a cache the sender waits for a keyframe anyway.)
    if (this.forwarder.defersStarts && this.keyframes.usable(this.clock.now())) this.deferred.add(sink);
    else this.start(sink, this.timeline.nextSeq, this.timeline.lastTimestamp);
  }

  tick(now: number, cameraMs?: number): void {
    const ts = this.timeline.egressTsFor(now, cameraMs);
    for (const s of this.sinks) s.tick(ts);
  }

  sourceStarting(): void {
    this.timeline.restart();
  }

  sourcePlaying(info: SourceInfo): void {
    this.timeline.restart();
    this.forwarder.restart();
    this.keyframes.abandon();
    this.packetizer.setCodec?.(info.codec ?? 'h264');
    const ps = info.parameterSets;
    if (ps && ps.length > 0) this.packetizer.setParameterSets?.(ps);
  }

  sourceGone(): void {
    this.keyframes.invalidate();
  }

  stats(): Readonly<VideoTrackStats> {
    return this.c;
  }

  cutThroughStats(): CutThroughCounters {
    return this.forwarder.cutThroughStats();
  }

  /** @internal TrackOutput */
  emit(packet: Uint8Array, ts: number, keyframeStart: boolean, shared: boolean, now: number): void {
    const seq = this.timeline.stamp(packet);
    this.history.put(seq, packet, now);
    this.c.packetsOut++;
    this.c.bytesOut += packet.length;
    // A packet the keyframe cache keeps must not be rewritten: the sinks get one transient copy
    // of it, made here, which they may rewrite in place, instead of each copying it.
    let fanned = packet;
    if (!shared) {
      this.fanoutCopy.set(packet);
      fanned = this.fanoutCopy.subarray(0, packet.length);
    }
    const f = fanningOut;
    const outer = f.packet;
    const outerGeneration = f.generation;
    const outerNow = f.now;
    f.packet = fanned;
    f.generation = ++f.issued;
    f.now = now;
    try {
      // Seq and timestamp go as arguments: a sink may have rewritten the shared header already.
      for (const s of this.sinks) s.sendLive(fanned, seq, ts, keyframeStart, true);
    } finally {
      f.packet = outer;
      f.generation = outerGeneration;
      f.now = outerNow;
    }
  }

  /** @internal TrackOutput */
  unitSent(keyframe: boolean): void {
    this.c.accessUnits++;
    if (keyframe) this.c.keyframes++;
  }

  /** @internal TrackOutput */
  keyframeSent(firstSeq: number, ts: number, now: number): void {
    this.owner.keyframeSent(firstSeq, ts, now);
  }

  /** @internal TrackOutput */
  unitBoundary(keyframe: boolean, previousUnitTs: number): void {
    if (this.deferred.size === 0) return;
    // The cached keyframe, stamped as the unit before, then this unit live.
    for (const s of this.deferred) {
      if (keyframe) s.waitForKeyframe(); // this very unit starts it
      else this.start(s, this.timeline.nextSeq, previousUnitTs);
    }
    this.deferred.clear();
  }

  /** @internal TrackOutput */
  requestKeyframe(): void {
    this.owner.requestKeyframe();
  }

  /** Starts `s` on the cached keyframe (stamped `cacheTs`) followed by live packets from `nextLiveSeq`, or waits for the next keyframe. */
  private start(s: TrackSink, nextLiveSeq: number, cacheTs: number): void {
    if (s.state !== 'connecting') return;
    const cache = this.keyframes.usable(this.clock.now());
    if (cache) {
      s.startFromCache(cache, nextLiveSeq, cacheTs);
      // Frames sent since the cached keyframe reference pictures this viewer never got: the
      // picture is approximate until the next keyframe, so ask the camera for one now.
      if (this.keyframeOnJoin && cacheTs !== cache.timestamp) this.owner.requestKeyframe();
    } else {
      s.waitForKeyframe();
      this.owner.requestKeyframe();
    }
  }
}
