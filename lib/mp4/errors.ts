import { CamwireError } from '../errors.js';

export type Mp4MuxErrorCode =
  /** initSegment() while a video track has no SPS or no PPS (neither configured nor seen in-band). */
  | 'MP4_NO_PARAMETER_SETS'
  /** The SPS does not parse (its width and height are needed for the sample entry). */
  | 'MP4_BAD_SPS'
  /** An AudioSpecificConfig or Opus setup that cannot describe a stream. */
  | 'MP4_BAD_AUDIO_CONFIG'
  /** One sample alone would make a fragment larger than `maxFragmentBytes`. */
  | 'MP4_SAMPLE_TOO_LARGE'
  /** A caller's output buffer cannot hold what is to be written. */
  | 'MP4_BUFFER_TOO_SMALL'
  /** A track index the muxer was not given, or a push of the wrong kind (audio to a video track). */
  | 'MP4_UNKNOWN_TRACK'
  | 'MP4_BAD_OPTION';

/** Thrown by the fMP4 muxer for input it cannot turn into a valid file; the muxer's state is unchanged. */
export class Mp4MuxError extends CamwireError {
  declare readonly code: Mp4MuxErrorCode;
  constructor(code: Mp4MuxErrorCode, message: string) {
    super(code, message);
  }
}
