/**
 * One viewer's place among a stream's renditions. It sits between the renditions' video tracks
 * and the viewer's one video TrackSender: the sender sees a single continuous track, one SSRC,
 * sequence numbers with no gap and timestamps with no jump, while the packets come from
 * whichever rendition the viewer is on. A switch happens only at a keyframe of the target
 * rendition (which carries that profile's SPS/PPS before its IDR): from that packet on, the
 * target's egress sequence numbers are mapped to follow the last one sent, and its timestamps
 * to follow the last timestamp sent by the time that has passed. Each track's EgressTimeline
 * still numbers its own packets; the switch only maps them, and remembers the mapping of the
 * last few segments so a NACK is answered from the history of the rendition the packet came from.
 */
import { readU32, setRtpTimestamp } from '../rtp/packet.js';
import { seqAdd, seqDistance, tsAdd } from '../rtp/seq.js';
import type { EgressHistory } from './deps.js';
import { MAX_EGRESS_PACKET } from './egress-packet.js';
import type { CachedKeyframe } from './keyframe-cache.js';
import type { SinkState, TrackSink } from './track-sink.js';
import type { ProbeSenderStats } from './probe-sender.js';
import type { TransportCcStats } from './transport-cc-peer.js';

export const RENDITION_SWITCH_DEFAULTS = Object.freeze({
  /** Mappings kept for NACKs (each switch starts one); older packets are out of every history anyway. */
  maxSegments: 8,
});

/** What a switch needs of a rendition. */
export interface SwitchableRendition {
  readonly name: string;
  readonly history: EgressHistory;
  /** The rendition's egress timestamp for `now` (its SR time base). */
  egressTsAt(now: number): number;
  /** Its camera plays: a viewer may be sent there. */
  live(): boolean;
  /** A viewer waits for its next keyframe: the rendition asks its camera for one if the next is too far. */
  wantKeyframe(now: number): void;
}

/** How the viewer's egress maps onto one rendition's, from viewer-side sequence number `from` on. */
interface Segment {
  rendition: number;
  /** First sequence number of the segment on the sender's side (undefined: since the start). */
  from: number | undefined;
  seqOffset: number;
  tsOffset: number;
}

export interface RenditionSwitchStats {
  /** The rendition packets come from now, and the one wanted (pinned or chosen). */
  current: string;
  target: string;
  /** Pinned rendition, or 'auto'. */
  mode: string;
  switches: number;
  switchesUp: number;
  switchesDown: number;
  /** The viewer's bandwidth estimate and its parts, when transport-wide CC was negotiated; `probing` when it is probed. */
  bandwidth?: TransportCcStats & { probing?: ProbeSenderStats };
}

/** 90 kHz ticks in a millisecond: a switch advances time by at least one. */
const TICKS_PER_MS = 90;

/** What a switch shows of its viewer's bandwidth estimate (and its probing) in its stats. */
export interface SwitchBandwidthView {
  stats(): TransportCcStats & { probing?: ProbeSenderStats };
}

export class RenditionSwitch implements TrackSink {
  /** The viewer's sender's view of the history: sender-side sequence numbers, the segment's rendition. */
  readonly history: EgressHistory;
  private sender: TrackSink | undefined;
  private currentIndex = 0;
  private targetIndex = 0;
  private pinned: number | undefined;
  private segments: Segment[] = [{ rendition: 0, from: undefined, seqOffset: 0, tsOffset: 0 }];
  /** Sender-side sequence number and timestamp of the next/last packet passed on, and when. */
  private nextSeq: number | undefined;
  private lastTs = 0;
  private lastAt = -1;
  private readonly scratch = new Uint8Array(MAX_EGRESS_PACKET);
  private readonly taps: TrackSink[];
  private readonly c = { switches: 0, switchesUp: 0, switchesDown: 0 };

  constructor(
    private readonly renditions: readonly SwitchableRendition[],
    private readonly now: () => number,
    /** The rendition Auto picks when the viewer is not pinned (the best live one unless told otherwise). */
    private readonly choose: (sw: RenditionSwitch) => number = bestLive,
    private readonly bandwidth?: SwitchBandwidthView,
  ) {
    this.history = { put: () => undefined, get: (seq, at) => this.historyGet(seq, at) };
    this.taps = renditions.map((_, i) => this.tapFor(i));
  }

  /** The viewer's video sender, which every packet goes to. */
  bind(sender: TrackSink): void {
    this.sender = sender;
  }

  get state(): SinkState {
    return this.sender?.state ?? 'connecting';
  }

  get current(): number {
    return this.currentIndex;
  }

  get target(): number {
    return this.targetIndex;
  }

  get renditionList(): readonly SwitchableRendition[] {
    return this.renditions;
  }

  /** The sink that rendition `i`'s track feeds (the switch itself for the stream's own track, 0). */
  tap(i: number): TrackSink {
    return this.taps[i];
  }

  /** Pins rendition `name`, or returns to Auto (undefined). False when no rendition has that name. */
  pin(name: string | undefined): boolean {
    if (name === undefined) {
      this.pinned = undefined;
    } else {
      const i = this.renditions.findIndex((r) => r.name === name);
      if (i < 0) return false;
      this.pinned = i;
    }
    this.retarget(this.now());
    return true;
  }

  waitForKeyframe(): void {
    this.sender?.waitForKeyframe();
  }

  /** Only the stream's own track (rendition 0) starts viewers, so its numbering is the sender's. */
  startFromCache(cache: CachedKeyframe, nextLiveSeq: number, nowEgressTs: number): void {
    this.nextSeq = nextLiveSeq;
    this.lastTs = nowEgressTs;
    this.lastAt = this.now();
    this.sender?.startFromCache(cache, nextLiveSeq, nowEgressTs);
  }

  sendLive(packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean, shared: boolean): void {
    this.fromRendition(0, packet, egressSeq, egressTs, keyframeStart, shared);
  }

  /** The stream's own track's tick: the SR on the current rendition's clock, and the switch's own work. */
  tick(): void {
    const now = this.now();
    this.retarget(now);
    if (this.targetIndex !== this.currentIndex) this.renditions[this.targetIndex].wantKeyframe(now);
    const seg = this.segments[this.segments.length - 1];
    this.sender?.tick(tsAdd(this.renditions[seg.rendition].egressTsAt(now), seg.tsOffset));
  }

  close(): void {
    this.sender?.close();
  }

  stats(): RenditionSwitchStats {
    return {
      current: this.renditions[this.currentIndex].name,
      target: this.renditions[this.targetIndex].name,
      mode: this.pinned === undefined ? 'auto' : this.renditions[this.pinned].name,
      ...this.c,
      ...(this.bandwidth ? { bandwidth: this.bandwidth.stats() } : {}),
    };
  }

  private retarget(now: number): void {
    const pinned = this.pinned;
    const want = pinned !== undefined && this.renditions[pinned].live() ? pinned : this.choose(this);
    if (want === this.targetIndex) return;
    this.targetIndex = want;
    if (want !== this.currentIndex) this.renditions[want].wantKeyframe(now);
  }

  private fromRendition(i: number, packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean, shared: boolean): void {
    const sender = this.sender;
    if (!sender) return;
    if (i !== this.currentIndex) {
      if (i !== this.targetIndex || !keyframeStart || sender.state === 'closed' || sender.state === 'connecting') return;
      this.switchTo(i, egressSeq, egressTs);
    }
    const seg = this.segments[this.segments.length - 1];
    const seq = seqAdd(egressSeq, seg.seqOffset);
    const ts = tsAdd(egressTs, seg.tsOffset);
    this.nextSeq = seqAdd(seq, 1);
    if (ts !== this.lastTs) {
      this.lastTs = ts;
      this.lastAt = this.now();
    }
    sender.sendLive(packet, seq, ts, keyframeStart, shared);
  }

  /** From this keyframe of rendition `i` on, its packets continue the sender's sequence and time. */
  private switchTo(i: number, egressSeq: number, egressTs: number): void {
    const now = this.now();
    const from = this.nextSeq ?? egressSeq;
    const elapsed = this.lastAt < 0 ? 1 : Math.max(1, Math.round(now - this.lastAt));
    const ts = this.lastAt < 0 ? egressTs : tsAdd(this.lastTs, elapsed * TICKS_PER_MS);
    this.segments.push({ rendition: i, from, seqOffset: seqDistance(egressSeq, from), tsOffset: (ts - egressTs) >>> 0 });
    if (this.segments.length > RENDITION_SWITCH_DEFAULTS.maxSegments) this.segments.shift();
    this.c.switches++;
    if (i < this.currentIndex) this.c.switchesUp++;
    else this.c.switchesDown++;
    this.currentIndex = i;
  }

  /** A NACKed packet, from the history of the rendition it came from, stamped as it was sent. */
  private historyGet(seq: number, at: number): Uint8Array | undefined {
    for (let k = this.segments.length - 1; k >= 0; k--) {
      const seg = this.segments[k];
      if (seg.from !== undefined && seqDistance(seg.from, seq) < 0) continue;
      const original = this.renditions[seg.rendition].history.get(seqAdd(seq, -seg.seqOffset), at);
      if (!original || seg.tsOffset === 0) return original;
      if (original.length > this.scratch.length) return undefined;
      const out = this.scratch.subarray(0, original.length);
      out.set(original);
      setRtpTimestamp(out, tsAdd(readU32(original, 4), seg.tsOffset));
      return out;
    }
    return undefined;
  }

  private tapFor(i: number): TrackSink {
    if (i === 0) return this;
    return {
      // Never 'connecting': the track's open() must not start it; it only relays what goes by.
      state: 'playing',
      waitForKeyframe: () => undefined,
      startFromCache: () => undefined,
      sendLive: (p, seq, ts, key, shared) => this.fromRendition(i, p, seq, ts, key, shared),
      tick: () => undefined,
      close: () => undefined,
    };
  }
}

/** The first (best) rendition whose camera plays; the stream's own when none does. */
export function bestLive(sw: RenditionSwitch): number {
  const list = sw.renditionList;
  for (let i = 0; i < list.length; i++) if (list[i].live()) return i;
  return 0;
}
