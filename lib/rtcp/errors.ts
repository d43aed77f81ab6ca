import { CamwireError } from '../errors.js';

export type RtcpParseErrorCode =
  /** Fewer than 4 bytes where a packet header should start (includes an empty buffer). */
  | 'RTCP_TOO_SHORT'
  | 'RTCP_BAD_VERSION'
  /** The header's length field runs past the end of the buffer. */
  | 'RTCP_LENGTH_OVERFLOW'
  /** P bit set with a padding count of 0 or longer than the packet body. */
  | 'RTCP_BAD_PADDING'
  /** The body is shorter than its type and count need (report blocks, SSRC lists, FCI, APP name...). */
  | 'RTCP_BODY_TOO_SHORT'
  /** An SDES chunk or item runs past the end of its packet. */
  | 'RTCP_BAD_SDES'
  /** Transport-wide CC feedback whose chunks or receive deltas run past the end of its packet. */
  | 'RTCP_TWCC_TRUNCATED'
  /** Transport-wide CC feedback reporting more packets than TRANSPORT_CC_MAX_PACKETS. */
  | 'RTCP_TWCC_TOO_MANY';

/** Malformed RTCP. The only error `parseRtcp` ever throws. */
export class RtcpParseError extends CamwireError {
  declare readonly code: RtcpParseErrorCode;
  constructor(code: RtcpParseErrorCode, message: string) {
    super(code, message);
  }
}

export type RtcpSerializeErrorCode = 'RTCP_BUFFER_TOO_SMALL' | 'RTCP_BAD_FIELD';

/** A packet that cannot be put on the wire as given (count > 31, item > 255 bytes, unaligned data...). */
export class RtcpSerializeError extends CamwireError {
  declare readonly code: RtcpSerializeErrorCode;
  constructor(code: RtcpSerializeErrorCode, message: string) {
    super(code, message);
  }
}
