/**
 * How a video track's egress packets are made from what its source delivers, chosen once from
 * `StreamOptions.forwarding`: whole access units re-packetized (frame-forwarder.ts), or each
 * camera packet re-cut as it arrives (packet-forwarder.ts). A forwarder writes packets and keeps
 * the keyframe cache building; the track numbers them, keeps them for retransmission and hands
 * them to its viewers.
 */
import type { Clock } from '../clock.js';
import type { EgressPacketizer } from './deps.js';
import type { EgressTimeline } from './egress-timeline.js';
import type { KeyframeCache } from './keyframe-cache.js';
import type { AccessUnit, SourcePacket } from './source.js';

/** Packet forwarding's counters, as StreamStats reports them (zero in frame forwarding). */
export interface CutThroughCounters {
  packetsIn: number;
  late: number;
  gaps: number;
  waitingDropped: number;
  split: number;
  carried: number;
  parameterSetsInserted: number;
  unitsWithoutMarker: number;
  dropped: number;
}

export interface Forwarder {
  /** A whole access unit from the source (NAL units valid until this returns). */
  onAccessUnit(au: AccessUnit): void;
  /** One camera packet, in sequence order. */
  onPacket(p: SourcePacket): void;
  /** A new source session: sequence numbers and timestamps start afresh. */
  restart(): void;
  /** A viewer whose media opens now starts at the next unit boundary (`TrackOutput.unitBoundary`), not at once. */
  readonly defersStarts: boolean;
  cutThroughStats(): CutThroughCounters;
}

/** What a forwarder writes into: its video track. */
export interface TrackOutput {
  readonly clock: Clock;
  readonly packetizer: EgressPacketizer;
  readonly timeline: EgressTimeline;
  readonly keyframes: KeyframeCache;
  /**
   * Sends one egress packet stamped `ts`: numbered, kept for retransmission, handed to every
   * viewer. `shared`: a transient buffer each viewer may rewrite in place (not kept by anyone).
   */
  emit(packet: Uint8Array, ts: number, keyframeStart: boolean, shared: boolean, now: number): void;
  /** A unit went out whole. */
  unitSent(keyframe: boolean): void;
  /** A keyframe whose first packet is `firstSeq` went out (or is going out): requests for one are satisfied. */
  keyframeSent(firstSeq: number, ts: number, now: number): void;
  /** A unit begins going out: viewers waiting for a boundary start here, the cached keyframe stamped `previousUnitTs`. */
  unitBoundary(keyframe: boolean, previousUnitTs: number): void;
  /** Packets were lost upstream: a keyframe is needed. */
  requestKeyframe(): void;
}

export const NO_CUT_THROUGH: Readonly<CutThroughCounters> = Object.freeze({
  packetsIn: 0, late: 0, gaps: 0, waitingDropped: 0, split: 0, carried: 0, parameterSetsInserted: 0, unitsWithoutMarker: 0, dropped: 0,
});
