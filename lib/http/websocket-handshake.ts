/**
 * RFC 6455 4.2 server handshake, pure: checks an upgrade request's headers (a plain object, as
 * node:http gives them) and computes the answer. The caller checks the method (GET) and path.
 */
import { createHash } from 'node:crypto';
import { CamwireError } from '../errors.js';

export type WebSocketHandshakeErrorCode =
  /** No `Upgrade: websocket` token. */
  | 'WS_NO_UPGRADE'
  /** No `Connection: Upgrade` token. */
  | 'WS_NO_CONNECTION_UPGRADE'
  /** Sec-WebSocket-Key missing, repeated, or not the base64 of 16 bytes. */
  | 'WS_BAD_KEY'
  /** Sec-WebSocket-Version missing or not 13: answer 426 with `Sec-WebSocket-Version: 13`. */
  | 'WS_BAD_VERSION'
  /** A subprotocol to answer with that is not a token. */
  | 'WS_BAD_PROTOCOL';

export class WebSocketHandshakeError extends CamwireError {
  declare readonly code: WebSocketHandshakeErrorCode;
  /** The HTTP status to answer with. */
  readonly status: 400 | 426;
  /** Headers that answer must carry (the version a server speaks, RFC 6455 4.4). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: WebSocketHandshakeErrorCode, message: string) {
    super(code, message);
    this.status = code === 'WS_BAD_VERSION' ? 426 : 400;
    this.headers = code === 'WS_BAD_VERSION' ? { 'Sec-WebSocket-Version': WEBSOCKET_VERSION } : {};
  }
}

export const WEBSOCKET_VERSION = '13';
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** base64 of 16 bytes: 22 characters and the padding. */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;
const TOKEN_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export type UpgradeHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface UpgradeRequest {
  /** The Sec-WebSocket-Accept value to answer with. */
  accept: string;
  /** Subprotocols the client offered (Sec-WebSocket-Protocol), in its order of preference. */
  protocols: string[];
}

/** Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)). */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

/**
 * Checks a WebSocket upgrade request's headers (names in any case). Throws
 * WebSocketHandshakeError with the status to answer.
 */
export function validateUpgradeRequest(headers: UpgradeHeaders): UpgradeRequest {
  if (!hasToken(header(headers, 'upgrade'), 'websocket')) throw new WebSocketHandshakeError('WS_NO_UPGRADE', 'Upgrade does not name websocket');
  if (!hasToken(header(headers, 'connection'), 'upgrade')) throw new WebSocketHandshakeError('WS_NO_CONNECTION_UPGRADE', 'Connection does not name Upgrade');
  const version = header(headers, 'sec-websocket-version');
  if (version === undefined || version.trim() !== WEBSOCKET_VERSION) {
    throw new WebSocketHandshakeError('WS_BAD_VERSION', `Sec-WebSocket-Version ${JSON.stringify(version)} is not ${WEBSOCKET_VERSION}`);
  }
  const key = header(headers, 'sec-websocket-key')?.trim();
  if (key === undefined || !KEY_PATTERN.test(key)) throw new WebSocketHandshakeError('WS_BAD_KEY', 'Sec-WebSocket-Key is not the base64 of 16 bytes');
  return { accept: webSocketAccept(key), protocols: tokens(header(headers, 'sec-websocket-protocol')) };
}

/** The 101 response that completes the handshake (to write on the upgraded socket). Throws WS_BAD_PROTOCOL. */
export function upgradeResponse(accept: string, protocol?: string): string {
  if (protocol !== undefined && !TOKEN_PATTERN.test(protocol)) throw new WebSocketHandshakeError('WS_BAD_PROTOCOL', 'the subprotocol is not a token');
  return 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + `Sec-WebSocket-Accept: ${accept}\r\n${protocol !== undefined ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`;
}

/** A header's value by case-insensitive name; repeated fields joined by commas (RFC 9110 5.3). */
function header(headers: UpgradeHeaders, name: string): string | undefined {
  let found: string | undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const v = headers[key];
    if (v === undefined) continue;
    const joined = typeof v === 'string' ? v : v.join(', ');
    found = found === undefined ? joined : `${found}, ${joined}`;
  }
  return found;
}

function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function hasToken(value: string | undefined, token: string): boolean {
  return tokens(value).some((s) => s.toLowerCase() === token);
}
