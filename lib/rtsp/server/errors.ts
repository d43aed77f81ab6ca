import { CamwireError } from '../../errors.js';

export type RtspServerErrorCode =
  | 'RTSP_SERVER_BAD_CLIP'
  | 'RTSP_SERVER_BAD_OPTION'
  | 'RTSP_SERVER_NO_PORTS'
  | 'RTSP_SERVER_NOT_LISTENING';

/** A misuse or a resource problem of camwire's own RTSP server (bad requests are answered, never thrown). */
export class RtspServerError extends CamwireError {
  declare readonly code: RtspServerErrorCode;
  constructor(code: RtspServerErrorCode, message: string) {
    super(code, message);
  }
}
