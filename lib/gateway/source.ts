import type { AudioFrame, AudioTrackDescription } from '../audio/index.js';

/**
 * Where a Stream's video (and audio) comes from. The RTSP client (through reorder and depacketizer) is
 * the real source; tests feed clips. A source delivers whole access units in decode order.
 */

export interface AccessUnit {
  /** NAL units without start codes or length prefixes (views; the Stream copies what it keeps). */
  nalus: readonly Uint8Array[];
  /** 90 kHz RTP timestamp as the camera sent it (any base; the Stream re-bases it). */
  timestamp: number;
  /** An IDR picture is present (H.265: an IRAP picture, BLA/IDR/CRA). */
  keyframe: boolean;
}

/** What a source's access units are coded in. */
export type VideoCodec = 'h264' | 'h265';

export type SourceState = 'idle' | 'starting' | 'playing' | 'reconnecting' | 'stopped' | 'failed';

/** One camera RTP packet, for packet (cut-through) forwarding: only these fields are read. */
export interface SourcePacket {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  /** A view; read until the next packet has been taken. */
  payload: Uint8Array;
}

export interface SourceSink {
  /** One access unit; its NAL units may be views valid only until this returns (copy what is kept). */
  onAccessUnit(au: AccessUnit): void;
  /**
   * 'packet': the sink forwards each camera packet as it arrives (`onPacket`, in sequence
   * order after any reorder buffer) and uses access units only to count them. A source that
   * cannot give packets just delivers access units, and the sink forwards those.
   */
  readonly forwarding?: 'frame' | 'packet';
  onPacket?(p: SourcePacket): void;
  /**
   * State changes. A new 'playing' after 'reconnecting' means a restarted camera: timestamps
   * and sequence numbers start afresh, and the Stream re-bases them.
   */
  onState(state: SourceState, detail?: string): void;
  /** One coded audio frame of the source's audio track (`SourceInfo.audio`); valid only during the call. */
  onAudioFrame?(frame: AudioFrame): void;
  /**
   * A sender report from the camera: its wall clock (`ntpMs`, Unix ms on the camera's clock)
   * at RTP time `rtpTimestamp` of that track. What lip sync is carried through with.
   */
  onSenderReport?(kind: 'video' | 'audio', ntpMs: number, rtpTimestamp: number): void;
}

export interface SourceInfo {
  /** What the camera sends, once known (its DESCRIBE); H.264 when absent. */
  codec?: VideoCodec;
  /** profile-level-id (6 hex digits) of what the camera sends, when known (SDP fmtp or SPS). */
  profileLevelId?: string;
  width?: number;
  height?: number;
  /** SPS/PPS (H.265: VPS/SPS/PPS) known out of band (sprop-*), inserted before keyframes that lack them. */
  parameterSets?: readonly Uint8Array[];
  /** The audio track the source delivers frames of, when it has one camwire can use. */
  audio?: AudioTrackDescription;
}

export interface VideoSource {
  /** Starts delivering to `sink`. Called once per start/stop cycle. */
  start(sink: SourceSink): void;
  /** Stops delivering (RTSP TEARDOWN); the promise settles when the camera has been told. Idempotent. */
  stop(): void | Promise<void>;
  /**
   * Asks the camera for an IDR (RTCP PLI/FIR upstream). The Stream rate-limits calls;
   * `merged` says how many requests this one stands for (a capture notes it).
   */
  requestKeyframe(merged?: number): void;
  info(): SourceInfo;
  /** Counters for /api/streams; plain numbers and strings. */
  stats(): Record<string, number | string>;
}

/**
 * An observer of a stream's source that is not an output of its tracks: the recorder, which
 * needs to know when the camera restarts (a new segment) and its raw audio frames (the
 * camera's AAC or Opus as sent, before any transcoding for browsers).
 */
export interface StreamTap {
  /** The source's state changed (and once when the tap is set); `info` is what it said it sends. */
  sourceState(state: SourceState, info: SourceInfo): void;
  /** One audio frame of the camera's, valid only during the call. */
  audioFrame(frame: AudioFrame): void;
}
