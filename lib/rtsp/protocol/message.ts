/**
 * RTSP 1.0 messages (RFC 2326 6, 7): types, serialization, and the incremental stream parser
 * (message-parser.ts) for requests, responses and `$`-interleaved frames on one connection.
 */
import { RtspHeaders } from './header-map.js';
import { RtspSerializeError } from './errors.js';
import { reasonPhrase } from './status.js';


export const RTSP_VERSION = 'RTSP/1.0';

export interface RtspRequest {
  type: 'request';
  method: string;
  url: string;
  version: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export interface RtspResponse {
  type: 'response';
  version: string;
  status: number;
  /** May be empty: some cameras send `RTSP/1.0 200` with no reason phrase. */
  reason: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export type RtspMessage = RtspRequest | RtspResponse;

export interface RequestInit {
  method: string;
  url: string;
  headers?: RtspHeaders;
  body?: Uint8Array | string;
  version?: string;
}

export interface ResponseInit {
  status: number;
  reason?: string;
  headers?: RtspHeaders;
  body?: Uint8Array | string;
  version?: string;
}

const encoder = new TextEncoder();
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkField(what: string, s: string, pattern?: RegExp): void {
  if (/[\r\n\0]/.test(s) || (pattern && !pattern.test(s))) {
    throw new RtspSerializeError('RTSP_BAD_FIELD', `${what} ${JSON.stringify(s.slice(0, 40))} cannot be written`);
  }
}

function assemble(startLine: string, headers: RtspHeaders | undefined, body: Uint8Array | string | undefined): Uint8Array {
  const bodyBytes = typeof body === 'string' ? encoder.encode(body) : body ?? new Uint8Array(0);
  let head = startLine + '\r\n';
  for (const [name, value] of headers ?? []) {
    if (name.toLowerCase() === 'content-length') continue; // always written from the body
    checkField('header name', name, TOKEN);
    checkField('header value', value);
    head += `${name}: ${value}\r\n`;
  }
  if (bodyBytes.length > 0) head += `Content-Length: ${bodyBytes.length}\r\n`;
  head += '\r\n';
  const headBytes = encoder.encode(head);
  const out = new Uint8Array(headBytes.length + bodyBytes.length);
  out.set(headBytes, 0);
  out.set(bodyBytes, headBytes.length);
  return out;
}

/** Wire bytes of a request. Content-Length is derived from the body (never trusted from headers). */
export function serializeRequest(req: RequestInit): Uint8Array {
  checkField('method', req.method, TOKEN);
  checkField('URL', req.url, /^\S+$/);
  const version = req.version ?? RTSP_VERSION;
  checkField('version', version, /^RTSP\/\d\.\d+$/);
  return assemble(`${req.method} ${req.url} ${version}`, req.headers, req.body);
}

/** Wire bytes of a response. The reason defaults to RFC 2326's phrase for the status. */
export function serializeResponse(res: ResponseInit): Uint8Array {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 999) {
    throw new RtspSerializeError('RTSP_BAD_FIELD', `status ${res.status} is not a 3-digit code`);
  }
  const reason = res.reason ?? reasonPhrase(res.status);
  checkField('reason', reason);
  const version = res.version ?? RTSP_VERSION;
  checkField('version', version, /^RTSP\/\d\.\d+$/);
  return assemble(reason ? `${version} ${res.status} ${reason}` : `${version} ${res.status}`, res.headers, res.body);
}

/** Writes the 4-byte `$`, channel, length prefix of an interleaved frame (RFC 2326 10.12). */
export function writeInterleavedHeader(channel: number, length: number, out: Uint8Array = new Uint8Array(4), offset = 0): Uint8Array {
  if (!Number.isInteger(channel) || channel < 0 || channel > 255 || !Number.isInteger(length) || length < 0 || length > 0xffff) {
    throw new RtspSerializeError('RTSP_BAD_FIELD', `interleaved frame channel ${channel} length ${length} out of range`);
  }
  out[offset] = 0x24;
  out[offset + 1] = channel;
  out[offset + 2] = length >> 8;
  out[offset + 3] = length & 0xff;
  return out;
}

/** A whole interleaved frame (header + payload) in a new buffer. */
export function serializeInterleavedFrame(channel: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  writeInterleavedHeader(channel, data.length, out, 0);
  out.set(data, 4);
  return out;
}

/** Body as text (SDP, GET_PARAMETER replies). */
export function bodyText(msg: { body: Uint8Array }): string {
  return new TextDecoder().decode(msg.body);
}
