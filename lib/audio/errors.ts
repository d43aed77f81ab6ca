import { CamwireError } from '../errors.js';

export type AudioConfigErrorCode =
  /** The bits end before the syntax does. */
  | 'AUDIO_CONFIG_TRUNCATED'
  /** Reserved sampling frequency index, or an explicit frequency outside AUDIO_CONFIG_LIMITS. */
  | 'AUDIO_CONFIG_BAD_SAMPLE_RATE'
  /** Reserved channel configuration (8..15). */
  | 'AUDIO_CONFIG_BAD_CHANNELS'
  /** Valid syntax camwire does not read: object types other than AAC Main/LC/SSR/LTP (with SBR/PS),
   *  a program_config_element (channel configuration 0), LATM with several programs or layers. */
  | 'AUDIO_CONFIG_UNSUPPORTED'
  /** A serializer was given a value its field cannot hold. */
  | 'AUDIO_CONFIG_BAD_FIELD';

/** AudioSpecificConfig or StreamMuxConfig that cannot be read or written. */
export class AudioConfigError extends CamwireError {
  declare readonly code: AudioConfigErrorCode;
  constructor(code: AudioConfigErrorCode, message: string) {
    super(code, message);
  }
}

export type AudioFormatErrorCode =
  /** An encoding camwire does not depacketize (G726, MPA, CELP modes of mpeg4-generic...). */
  | 'AUDIO_UNSUPPORTED_CODEC'
  /** AAC without the AudioSpecificConfig it cannot be decoded without (config= absent). */
  | 'AUDIO_MISSING_CONFIG'
  /** config= that is not hex, or whose AudioSpecificConfig / StreamMuxConfig does not parse. */
  | 'AUDIO_BAD_CONFIG'
  /** A numeric fmtp parameter that is not a number in its range. */
  | 'AUDIO_BAD_PARAMETER'
  /** No RTP clock rate (dynamic payload type without rtpmap). */
  | 'AUDIO_BAD_CLOCK_RATE'
  /** Options handed to a depacketizer or encoder that are out of range. */
  | 'AUDIO_BAD_OPTION';

/** An SDP audio format (or depacketizer options) camwire cannot work with. */
export class AudioFormatError extends CamwireError {
  declare readonly code: AudioFormatErrorCode;
  constructor(code: AudioFormatErrorCode, message: string) {
    super(code, message);
  }
}

export type AudioPayloadErrorCode =
  /** Shorter than its fixed header (AU-headers-length, RED header...). */
  | 'AUDIO_PAYLOAD_TOO_SHORT'
  /** RFC 3640 AU-headers-length or auxiliary section past the end of the packet. */
  | 'AUDIO_AU_HEADERS_PAST_END'
  /** AU-size (or a LATM PayloadLengthInfo) past the end of the data. */
  | 'AUDIO_AU_PAST_END'
  /** An access unit larger than the maxAuBytes bound. */
  | 'AUDIO_AU_TOO_LARGE'
  /** An access unit of zero bytes where the format forbids it. */
  | 'AUDIO_AU_EMPTY'
  /** MP4A-LATM with cpresent=1: an AudioMuxElement reuses a StreamMuxConfig that never came. */
  | 'AUDIO_LATM_NO_CONFIG'
  /** RFC 2198 block header or block past the end of the payload. */
  | 'AUDIO_RED_TRUNCATED'
  /** Not an ADTS header (sync word, layer), or cut short. */
  | 'AUDIO_ADTS_BAD_HEADER'
  /** A frame or config ADTS cannot express (object type > 4, explicit frequency, > 7 channels, > 8191 bytes). */
  | 'AUDIO_ADTS_UNREPRESENTABLE'
  /** An output buffer (or the RED encoder's maxPayloadBytes) too small for what must be written. */
  | 'AUDIO_BUFFER_TOO_SMALL';

/** A malformed audio payload. Depacketizers never let it out of push(): they count and drop. */
export class AudioPayloadError extends CamwireError {
  declare readonly code: AudioPayloadErrorCode;
  constructor(code: AudioPayloadErrorCode, message: string) {
    super(code, message);
  }
}

export type AudioTranscoderErrorCode =
  /** The encoder program (ffmpeg) or its libopus encoder is not installed. */
  | 'AUDIO_TRANSCODER_MISSING'
  /** The encoder process kept dying (more restarts within the window than allowed) or could not run. */
  | 'AUDIO_TRANSCODER_FAILED'
  /** An AAC format the transcoder cannot feed to its decoder, or options out of range. */
  | 'AUDIO_TRANSCODER_BAD_INPUT';

/** Why an AAC -> Opus transcoder stopped; `message` is safe to show (no secret, no stack). */
export class AudioTranscoderError extends CamwireError {
  declare readonly code: AudioTranscoderErrorCode;
  constructor(code: AudioTranscoderErrorCode, message: string) {
    super(code, `${code}: ${message}`);
  }
}
