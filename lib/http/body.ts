import type { IncomingMessage } from 'node:http';
import { CamwireError } from '../errors.js';

/** HTTP-level failure with the status to answer. Codes: BODY_TOO_LARGE, BAD_CONTENT_TYPE, NOT_FOUND, BAD_REQUEST. */
export class HttpError extends CamwireError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Reads the request body, refusing more than `limit` bytes (413) without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      return reject(new HttpError(413, 'BODY_TOO_LARGE', `body of ${declared} bytes exceeds the ${limit}-byte limit`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        req.resume();
        reject(new HttpError(413, 'BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(new HttpError(400, 'BAD_REQUEST', `request body failed: ${err.message}`));
      }
    });
  });
}
