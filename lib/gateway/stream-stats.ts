/** What a Stream reports of itself and of its viewers (GET /api/streams, /metrics). */
import type { CaptureSlotStats } from '../capture/capture-slot.js';
import type { CutThroughCounters } from './forwarder.js';
import type { RenditionStats } from './renditions.js';
import type { RenditionSwitchStats } from './rendition-switch.js';
import type { SourceState } from './source.js';
import type { StreamAudioStats } from './stream-audio.js';
import type { PeerState } from './transport.js';
import type { Viewer, ViewerStats } from './viewer.js';

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
  /** The capture's state and counters, when the stream is captured. */
  capture?: CaptureSlotStats;
  /** The audio track: what the camera sends, what browsers get, and why not when they get none. */
  audio: StreamAudioStats;
  source: Record<string, number | string>;
  /** Each rendition's source and measurements, when the stream lists renditions. */
  renditions?: RenditionStats[];
}

export interface ViewerInfo extends ViewerStats {
  id: string;
  /** What the viewer gets of the audio track, null when it took none. */
  audio: ReturnType<Viewer['audioStats']>;
  connection: PeerState;
  ageMs: number;
  /** Which rendition the viewer is on, when the stream lists renditions. */
  rendition?: RenditionSwitchStats;
}
