/**
 * An observer of a stream's source that is not an output of its tracks: the recorder, which
 * needs to know when the camera restarts (a new segment) and its raw audio frames (the
 * camera's AAC or Opus as sent, before any transcoding for browsers).
 */
import type { AudioFrame } from '../audio/frame.js';
import type { SourceInfo, SourceState } from './source.js';

export interface StreamTap {
  /** The source's state changed (and once when the tap is set); `info` is what it said it sends. */
  sourceState(state: SourceState, info: SourceInfo): void;
  /** One audio frame of the camera's, valid only during the call. */
  audioFrame(frame: AudioFrame): void;
}
