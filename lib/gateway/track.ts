/**
 * A stream is made of tracks, one per media kind. Each owns its egress timeline (the only writer
 * of its sequence numbers and timestamps), its retransmission history and what makes its
 * packets; every output holds one TrackSink per track (a WebRTC viewer its TrackSender). What
 * the Stream does with a track, whatever its kind: outputs come and go, open, get their SRs;
 * the source starts and stops.
 */
import type { EgressHistory } from './deps.js';
import type { EgressTimeline } from './egress-timeline.js';
import type { SourceInfo } from './source.js';
import type { TrackSink } from './track-sink.js';

export type MediaKind = 'video' | 'audio';

export interface Track {
  readonly kind: MediaKind;
  /** Retransmission history, keyed by egress sequence number (viewers' senders answer NACKs from it). */
  readonly history: EgressHistory;
  /** An output's sink for this track (a viewer's sender, an RTSP output): it gets every packet from now on (once it has started). */
  addSink(sink: TrackSink): void;
  removeSink(sink: TrackSink): void;
  /** The output's media opened: start its sink (at once, at the next unit, or at the next keyframe). */
  open(sink: TrackSink): void;
  /**
   * Periodic work: each sink's SR, stamped with the track's egress timestamp for `now`; from the
   * camera's own sender reports when `cameraMs` (the camera's wall clock now) is given.
   */
  tick(now: number, cameraMs?: number): void;
  /** The egress timeline (sender reports from the source go to it). */
  readonly timeline: EgressTimeline;
  /** The source is being started: its first timestamp re-bases the timeline. */
  sourceStarting(): void;
  /** The source plays (again): a new session, whose sequence numbers and timestamps start afresh. */
  sourcePlaying(info: SourceInfo): void;
  /** The source went away (reconnecting, failed, stopped): what is cached from it is stale. */
  sourceGone(): void;
}
