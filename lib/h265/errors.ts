import { CamwireError } from '../errors.js';

export type H265ErrorCode =
  | 'H265_BAD_NAL'
  | 'H265_BAD_SPS'
  | 'H265_BAD_FMTP'
  | 'H265_BUFFER_TOO_SMALL'
  | 'H265_BAD_OPTION';

/** Thrown by the H.265 helpers for malformed input or misuse; the depacketizer never throws (it counts). */
export class H265Error extends CamwireError {
  declare readonly code: H265ErrorCode;
  constructor(code: H265ErrorCode, message: string) {
    super(code, message);
  }
}
