import type { IncomingMessage } from 'node:http';
import { CamwireError } from '../errors.js';

export type HttpErrorCode =
  /** 400: the request body failed, or the client went away before it was complete. */
  | 'BAD_REQUEST'
  | 'CLIENT_ABORTED'
  /** 413: the offer is over maxBodyBytes or maxOfferLines. */
  | 'BODY_TOO_LARGE'
  | 'SDP_TOO_MANY_LINES'
  /** 415: a WHEP offer not sent as application/sdp, a stream API body not sent as application/json. */
  | 'BAD_CONTENT_TYPE'
  /** 400: the offer has no video m-line (checked before the gateway parses it). */
  | 'OFFER_NO_VIDEO'
  /** 401, 403, 429: no or wrong credentials, a `?src=` outside the allow-list, too many requests. */
  | 'UNAUTHORIZED'
  | 'SOURCE_NOT_ALLOWED'
  | 'RATE_LIMITED'
  /** 400: a WHEP layer selection that is not JSON, or names no rendition of the stream. */
  | 'LAYER_UNKNOWN'
  /** 503: a WHEP session's event stream beyond whepEvents.maxPerStream of its stream. */
  | 'EVENTS_LIMIT'
  /** 426: a plain request to the WebSocket route /ws/<stream>. */
  | 'UPGRADE_REQUIRED'
  /** 400: a stream API body that is not a JSON object. 403: the stream API with no http.adminToken set. */
  | 'BAD_JSON'
  /** 403: a valid viewer token for other streams, or an auth hook's no; 503: the auth hook did not answer. */
  | 'FORBIDDEN'
  | 'AUTH_HOOK_UNAVAILABLE'
  | 'ADMIN_API_OFF'
  /** 404, 405 */
  | 'STREAM_UNKNOWN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  /** 400: a recordings time range without a valid start or duration; 409: segments that cannot be joined. */
  | 'BAD_RANGE'
  | 'JOIN_MIXED'
  | 'JOIN_BAD_FILE';

/** HTTP-level failure with the status to answer. */
export class HttpError extends CamwireError {
  declare readonly code: HttpErrorCode;
  constructor(
    readonly status: number,
    code: HttpErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * Reads the request body, refusing more than `limit` bytes (413) without buffering them.
 * Settles exactly once and then removes its listeners: on the end of the body, on an
 * oversized body, on a stream error, and when the client goes away mid-body (the socket
 * closes before the body is complete: 400 CLIENT_ABORTED). Without the last, a client that
 * sends half an offer and vanishes would leave the read pending, holding the request, its
 * chunks and the handler's closure for good. No timer is involved: requestTimeoutMs on the
 * server bounds a client that stays connected but stops sending.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const aborted = () => new HttpError(400, 'CLIENT_ABORTED', 'the client went away before the body was complete');
    if (req.destroyed && !req.complete) return reject(aborted());
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      return reject(new HttpError(413, 'BODY_TOO_LARGE', `body of ${declared} bytes exceeds the ${limit}-byte limit`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: HttpError | undefined) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      // No listener is left: IncomingMessage emits a late 'error' only to listeners it has.
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
      chunks.length = 0;
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // Keep draining (without listening) so the 413 can still be written on this connection.
      req.resume();
      settle(new HttpError(413, 'BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`));
    };
    const onEnd = () => settle(undefined);
    const onError = (err: Error) => settle(req.complete ? new HttpError(400, 'BAD_REQUEST', `request body failed: ${err.message}`) : aborted());
    // 'close' also follows a normal 'end' (already settled then); before it, the client left.
    const onClose = () => settle(aborted());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
