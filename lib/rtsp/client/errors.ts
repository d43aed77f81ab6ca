import { CamwireError } from '../../errors.js';

export type RtspClientErrorCode =
  /** 401 again after answering the challenge (wrong user or password), or no credentials given. */
  | 'RTSP_UNAUTHORIZED'
  | 'RTSP_NOT_FOUND'
  /** 454: the server forgot our session (restarted, or timed out). */
  | 'RTSP_SESSION_NOT_FOUND'
  /** 455 */
  | 'RTSP_METHOD_NOT_VALID'
  /** 461 on every transport we could try. */
  | 'RTSP_UNSUPPORTED_TRANSPORT'
  /** Any other non-2xx status. */
  | 'RTSP_STATUS'
  | 'RTSP_TIMEOUT'
  | 'RTSP_CONNECTION_REFUSED'
  /** Socket error other than refusal (DNS, reset, unreachable). */
  | 'RTSP_CONNECTION_FAILED'
  | 'RTSP_CONNECTION_CLOSED'
  /** rtsps://: TLS handshake or certificate refused (the message says which and what to do), or a transport TLS cannot carry. */
  | 'RTSP_TLS'
  | 'RTSP_TOO_MANY_REDIRECTS'
  /** DESCRIBE answer that is not usable SDP. */
  | 'RTSP_BAD_SDP'
  /** The description has no track we can play. */
  | 'RTSP_NO_TRACKS'
  /** The server broke the protocol (unparseable bytes, missing Session or Transport). */
  | 'RTSP_PROTOCOL'
  /** PLAY succeeded but no media arrived on any transport. */
  | 'RTSP_NO_MEDIA'
  | 'RTSP_CLOSED';

/** Every failure of the RTSP client. Messages never contain credentials. */
export class RtspClientError extends CamwireError {
  declare readonly code: RtspClientErrorCode;
  constructor(code: RtspClientErrorCode, message: string, readonly status?: number) {
    super(code, message);
  }
}

/** A non-2xx answer; `status` is the RTSP status code. */
export class RtspStatusError extends RtspClientError {
  constructor(code: RtspClientErrorCode, readonly method: string, status: number, reason: string) {
    super(code, `${method} answered ${status}${reason ? ' ' + reason : ''}`, status);
  }
}

export function statusError(method: string, status: number, reason: string): RtspStatusError {
  const code: RtspClientErrorCode =
    status === 401 ? 'RTSP_UNAUTHORIZED'
    : status === 404 ? 'RTSP_NOT_FOUND'
    : status === 454 ? 'RTSP_SESSION_NOT_FOUND'
    : status === 455 ? 'RTSP_METHOD_NOT_VALID'
    : status === 461 ? 'RTSP_UNSUPPORTED_TRANSPORT'
    : 'RTSP_STATUS';
  return new RtspStatusError(code, method, status, reason);
}
