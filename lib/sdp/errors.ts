import { CamwireError } from '../errors.js';

export type SdpParseErrorCode =
  /** Input longer than `maxSize` (bytes for Uint8Array input, UTF-16 units for strings). */
  | 'SDP_TOO_LARGE'
  /** Not a single `x=value` line: nothing that looks like SDP at all. */
  | 'SDP_NO_LINES'
  /** Neither a string nor a Uint8Array. */
  | 'SDP_BAD_INPUT';

/** A description that cannot be parsed at all. The only error `parseSdp` ever throws. */
export class SdpParseError extends CamwireError {
  declare readonly code: SdpParseErrorCode;
  constructor(code: SdpParseErrorCode, message: string) {
    super(code, message);
  }
}

export type SdpSerializeErrorCode =
  /** A field holds CR, LF or NUL (would inject lines), or a token field is empty or has spaces. */
  'SDP_BAD_FIELD';

/** `serializeSdp` refuses to write something that is not canonical SDP. */
export class SdpSerializeError extends CamwireError {
  declare readonly code: SdpSerializeErrorCode;
  constructor(code: SdpSerializeErrorCode, message: string) {
    super(code, message);
  }
}
