/** The tracks a muxer is given: kind and codec configuration. */

export interface Mp4H264Track {
  kind: 'video';
  codec: 'h264';
  /**
   * Parameter sets known out of band (sprop-parameter-sets), NAL units without start codes.
   * Optional: the muxer also learns them from keyframes (a camera that sends them only in-band).
   */
  sps?: Uint8Array;
  pps?: Uint8Array;
}

export interface Mp4AacTrack {
  kind: 'audio';
  codec: 'aac';
  /** The AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the SDP's `config=` of RFC 3640, as bytes. */
  audioSpecificConfig: Uint8Array;
  /** RTP clock rate of the source, used as the track's timescale. Default: the config's sampling rate. */
  clockRate?: number;
}

export interface OpusChannelMapping {
  /** ChannelMappingFamily (RFC 7845 5.1.1): 1 for Vorbis order (up to 8 channels), 255 undefined. */
  family: number;
  streamCount: number;
  coupledCount: number;
  /** One entry per output channel. */
  channelMapping: Uint8Array;
}

export interface Mp4OpusTrack {
  kind: 'audio';
  codec: 'opus';
  /** Output channels, 1..255; above 2 a `mapping` is required. */
  channelCount: number;
  /** Samples (48 kHz) to drop at the start. Default MP4_DEFAULTS.opusPreSkip. */
  preSkip?: number;
  /** Default MP4_DEFAULTS.opusInputSampleRate. */
  inputSampleRate?: number;
  /** Q7.8 dB. Default 0. */
  outputGain?: number;
  mapping?: OpusChannelMapping;
}

export type Mp4AudioTrack = Mp4AacTrack | Mp4OpusTrack;
export type Mp4Track = Mp4H264Track | Mp4AudioTrack;

/** The track's timescale (ticks per second), equal to its RTP clock rate. */
export const VIDEO_TIMESCALE = 90_000;
export const OPUS_TIMESCALE = 48_000;

/** Samples (48 kHz) of a 20 ms Opus packet, the usual RTP packet time. */
export const OPUS_PACKET_SAMPLES = 960;
