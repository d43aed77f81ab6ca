/**
 * Packet forwarding: each camera packet goes out as it arrives, re-cut to the egress MTU
 * (cut-through.ts and lib/h264's refragmenter), so a keyframe's last packet reaches the 100th
 * viewer without waiting for the whole keyframe to be sent to the 99 before it. A keyframe unit
 * is cached as it goes out and becomes the cached keyframe only when it ends whole. A viewer
 * whose media opens mid-unit starts at the next unit: live packets after the cached keyframe
 * would be a picture without its start.
 *
 * A source that gives no packets in a session (one that cannot) gets frame forwarding for it.
 */
import { readU32 } from '../rtp/packet.js';
import type { RefragmenterPacketizer } from '../h264/refragmenter.js';
import { CutThrough, type CutThroughSink } from './cut-through.js';
import { MAX_EGRESS_PACKET } from './egress-packet.js';
import { GatewayError } from './errors.js';
import type { CutThroughCounters, Forwarder, TrackOutput } from './forwarder.js';
import { FrameForwarder } from './frame-forwarder.js';
import type { AccessUnit, SourcePacket } from './source.js';

export class PacketForwarder implements Forwarder, CutThroughSink {
  private readonly cut: CutThrough;
  private readonly whole: FrameForwarder;
  /** This source session gave packets: its access units are only counted (as the packets go out). */
  private packetsSeen = false;
  /** Egress timestamp of the last unit whose packets began going out. */
  private lastUnitTs = 0;
  private unitIsKeyframe = false;

  constructor(private readonly track: TrackOutput) {
    const pz = track.packetizer;
    if (!pz.parameterSets?.forSlice) throw new GatewayError('BAD_OPTION', 'packet forwarding needs a packetizer that knows parameter sets');
    this.cut = new CutThrough(pz as RefragmenterPacketizer, this, new Uint8Array(MAX_EGRESS_PACKET));
    this.whole = new FrameForwarder(track);
  }

  get defersStarts(): boolean {
    return this.packetsSeen;
  }

  onAccessUnit(au: AccessUnit): void {
    if (!this.packetsSeen) this.whole.onAccessUnit(au);
  }

  onPacket(p: SourcePacket): void {
    this.packetsSeen = true;
    this.cut.take(p);
  }

  restart(): void {
    this.packetsSeen = false;
    this.cut.reset();
  }

  /** @internal CutThroughSink */
  unitBegins(cameraTs: number): number {
    const timeline = this.track.timeline;
    timeline.unitAt(cameraTs, this.track.clock.now());
    return timeline.shift;
  }

  /** @internal CutThroughSink */
  egress(packet: Uint8Array, unitStart: boolean, keyframe: boolean, unitEnd: boolean): void {
    const t = this.track;
    const now = t.clock.now();
    const ts = readU32(packet, 4);
    const cache = t.keyframes;
    if (unitStart) {
      cache.finish();
      t.unitBoundary(keyframe, this.lastUnitTs);
      this.lastUnitTs = ts;
      this.unitIsKeyframe = keyframe;
      if (keyframe) {
        cache.begin(ts, now);
        t.keyframeSent(t.timeline.nextSeq, ts, now);
      }
    }
    const kept = cache.building ? cache.store(packet) : undefined;
    t.emit(kept ?? packet, ts, unitStart && keyframe, kept === undefined, now);
    if (unitEnd) {
      // Counted when whole: an abandoned unit never gets here.
      t.unitSent(this.unitIsKeyframe);
      cache.finish();
    }
  }

  /** @internal CutThroughSink */
  lost(): void {
    // A keyframe that lost a packet must not start anyone.
    this.track.keyframes.abandon();
    this.track.requestKeyframe();
  }

  cutThroughStats(): CutThroughCounters {
    const c = this.cut.stats;
    const r = this.cut.refragmenter.stats;
    return {
      packetsIn: r.packetsIn, late: c.late, gaps: c.gaps, waitingDropped: c.waitingDropped, split: r.split, carried: r.carried,
      parameterSetsInserted: r.parameterSetsInserted, unitsWithoutMarker: r.unitsWithoutMarker,
      dropped: r.malformed + r.unsupported + r.orphanFragments + r.heldDropped + r.carryDropped,
    };
  }
}
