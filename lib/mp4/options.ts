/** The muxer's options and their defaults, declared once. */

export interface Mp4MuxerOptions {
  /**
   * Largest fragment (moof + mdat) in bytes: the bound of the muxer's staging buffer. A sample
   * that alone would exceed it is refused (MP4_SAMPLE_TOO_LARGE); a group that would exceed it
   * is closed early. Default 8 MiB, the largest access unit camwire accepts.
   */
  maxFragmentBytes?: number;
  /**
   * Samples per fragment, 1..MP4_MAX_SAMPLES_PER_FRAGMENT. 1 (default) gives the lowest latency
   * for a live viewer; a recorder may group more. A video keyframe always starts a new fragment.
   */
  samplesPerFragment?: number;
  /**
   * A source timestamp step larger than this (or any step backwards) is taken as a camera
   * restart or jump, and the decode timeline is rebased so it never goes back. Default 10000 ms,
   * as the gateway's egress timeline.
   */
  timestampJumpMs?: number;
  /** Video frame rate assumed for a sample duration nothing else tells (a rebase before two frames were seen). Default 30. */
  fallbackFrameRate?: number;
}

/** Upper bound of `samplesPerFragment`: the size of each track's sample table. */
export const MP4_MAX_SAMPLES_PER_FRAGMENT = 1024;

export const MP4_DEFAULTS = Object.freeze({
  maxFragmentBytes: 8 * 1024 * 1024,
  samplesPerFragment: 1,
  timestampJumpMs: 10_000,
  fallbackFrameRate: 30,
  /** Opus sample entry (dOps): pre-skip in 48 kHz samples; RTP carries none, so 0. */
  opusPreSkip: 0,
  /** Opus sample entry (dOps): the encoder's input rate, informative only. */
  opusInputSampleRate: 48_000,
} as const);
