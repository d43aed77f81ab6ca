import { CamwireError } from '../errors.js';

export type RtpParseErrorCode =
  | 'RTP_TOO_SHORT'
  | 'RTP_BAD_VERSION'
  | 'RTP_CSRC_OVERFLOW'
  | 'RTP_EXTENSION_OVERFLOW'
  | 'RTP_BAD_PADDING';

/** Malformed RTP packet. The only error `parseRtp` ever throws. */
export class RtpParseError extends CamwireError {
  declare readonly code: RtpParseErrorCode;
  constructor(code: RtpParseErrorCode, message: string) {
    super(code, message);
  }
}

export type RtpSerializeErrorCode = 'RTP_BUFFER_TOO_SMALL' | 'RTP_BAD_FIELD';

export class RtpSerializeError extends CamwireError {
  declare readonly code: RtpSerializeErrorCode;
  constructor(code: RtpSerializeErrorCode, message: string) {
    super(code, message);
  }
}
