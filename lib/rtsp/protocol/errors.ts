import { CamwireError } from '../../errors.js';

export type RtspParseErrorCode =
  | 'RTSP_BAD_START_LINE'
  | 'RTSP_BAD_HEADER_LINE'
  | 'RTSP_BAD_CONTENT_LENGTH'
  | 'RTSP_HEADER_TOO_LARGE'
  | 'RTSP_TOO_MANY_HEADERS'
  | 'RTSP_BODY_TOO_LARGE'
  | 'RTSP_PARSER_FAILED'
  | 'RTSP_BAD_HEADER_VALUE';

/**
 * Malformed RTSP input: the only error the message parser and the header codecs throw.
 * After the stream parser throws, the byte stream is out of step: close the connection.
 */
export class RtspParseError extends CamwireError {
  declare readonly code: RtspParseErrorCode;
  constructor(code: RtspParseErrorCode, message: string) {
    super(code, message);
  }
}

export type RtspSerializeErrorCode = 'RTSP_BAD_FIELD';

/** A message we were asked to write would not be valid RTSP (CR/LF in a header, bad status...). */
export class RtspSerializeError extends CamwireError {
  declare readonly code: RtspSerializeErrorCode;
  constructor(code: RtspSerializeErrorCode, message: string) {
    super(code, message);
  }
}
