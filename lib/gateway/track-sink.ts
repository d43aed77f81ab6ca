/**
 * What a track fans out to: one output's per-track sending state. A WebRTC viewer's
 * TrackSender is one (its own sequence numbers, timestamps and SSRC); the RTSP server's
 * outputs are others (UDP unicast, TCP-interleaved, a multicast group: the stream's own
 * numbering). The track calls them in this order: `waitForKeyframe` or `startFromCache` once
 * the output's media is open, then `sendLive` for every packet, `tick` for its periodic work
 * (sender reports), `close` when it goes.
 */
import type { CachedKeyframe } from './keyframe-cache.js';

export type SinkState = 'connecting' | 'waiting-keyframe' | 'playing' | 'closed';

export interface TrackSink {
  readonly state: SinkState;
  /** The media is open: start at the next live keyframe. */
  waitForKeyframe(): void;
  /**
   * The media is open and a keyframe is cached: start on it (stamped `nowEgressTs`, the newest
   * egress timestamp), then on the live packets from egress sequence number `nextLiveSeq`.
   * A sink that cannot use it (one without its own numbering, when frames followed the
   * keyframe) waits for the next keyframe instead.
   */
  startFromCache(cache: CachedKeyframe, nextLiveSeq: number, nowEgressTs: number): void;
  /**
   * One live egress packet (`packet` numbered `egressSeq`, stamped `egressTs`; `keyframeStart`
   * on a keyframe's first). `shared`: a transient buffer whose header every sink may rewrite in
   * place, so a sink reads seq and timestamp from the arguments, never from the header.
   */
  sendLive(packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean, shared: boolean): void;
  /** Periodic work (the SR); `egressTsNow` is the track's egress timestamp for this instant. */
  tick(egressTsNow: number): void;
  close(): void;
}
