/** Common layout of RFC 4585 feedback messages: header, sender SSRC, media source SSRC, FCI. */
import { RtcpParseError } from './errors.js';

/** Sender SSRC + media source SSRC. */
export const FEEDBACK_COMMON_SIZE = 8;

export function checkFeedbackBody(start: number, end: number, what: string): void {
  if (start + FEEDBACK_COMMON_SIZE > end) {
    throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `${what} needs sender and media SSRC (8 bytes), has ${end - start}`);
  }
}
