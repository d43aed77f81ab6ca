import { CamwireError } from '../errors.js';

export type H264ErrorCode =
  | 'H264_BAD_SPS'
  | 'H264_BAD_AVC'
  | 'H264_BUFFER_TOO_SMALL'
  | 'H264_BAD_OPTION';

/** Thrown by the H.264 helpers for malformed input or misuse; the depacketizer never throws (it counts). */
export class H264Error extends CamwireError {
  declare readonly code: H264ErrorCode;
  constructor(code: H264ErrorCode, message: string) {
    super(code, message);
  }
}
