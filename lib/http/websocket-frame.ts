/**
 * RFC 6455 framing, server side: an encoder for the frames a server sends (never masked) and an
 * incremental decoder for the frames a client sends (always masked). Pure: bytes in, bytes or
 * callbacks out. The decoder holds at most one message (bounded by `maxMessageBytes`) and one
 * control frame, and throws nothing but WebSocketError, whose `closeCode` is the close frame to
 * answer with before dropping the connection.
 */
import { CamwireError } from '../errors.js';

export const WsOpcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type WsOpcode = (typeof WsOpcode)[keyof typeof WsOpcode];

export type WebSocketErrorCode =
  | 'WS_RESERVED_BITS'
  | 'WS_BAD_OPCODE'
  | 'WS_UNMASKED'
  | 'WS_BAD_LENGTH'
  | 'WS_CONTROL_TOO_LARGE'
  | 'WS_FRAGMENTED_CONTROL'
  | 'WS_UNEXPECTED_CONTINUATION'
  | 'WS_EXPECTED_CONTINUATION'
  | 'WS_MESSAGE_TOO_BIG'
  | 'WS_INVALID_UTF8'
  | 'WS_BAD_CLOSE'
  /** Encoder misuse: the caller's buffer cannot hold the frame. */
  | 'WS_BUFFER_TOO_SMALL'
  | 'WS_BAD_OPTION';

/** RFC 6455 7.4.1 status codes the decoder's failures map to. */
export const WsCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  InvalidPayload: 1007,
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;

export class WebSocketError extends CamwireError {
  declare readonly code: WebSocketErrorCode;
  /** The status to send in the close frame that answers this error. */
  readonly closeCode: number;
  constructor(code: WebSocketErrorCode, message: string) {
    super(code, message);
    this.closeCode = code === 'WS_MESSAGE_TOO_BIG' ? WsCloseCode.MessageTooBig
      : code === 'WS_INVALID_UTF8' ? WsCloseCode.InvalidPayload
      : code === 'WS_BUFFER_TOO_SMALL' || code === 'WS_BAD_OPTION' ? WsCloseCode.InternalError
      : WsCloseCode.ProtocolError;
  }
}

/** Largest payload of a control frame (close, ping, pong). */
export const WS_MAX_CONTROL_PAYLOAD = 125;

export const WEBSOCKET_DEFAULTS = Object.freeze({
  /**
   * Largest client message (all its fragments together). The fMP4 fallback ignores client data
   * but close and ping, so the bound is small. Default 64 KiB.
   */
  maxMessageBytes: 64 * 1024,
} as const);

function isKnownOpcode(op: number): boolean {
  return op <= WsOpcode.Binary || (op >= WsOpcode.Close && op <= WsOpcode.Pong);
}

/** A close status a peer may send (RFC 6455 7.4: 1004-1006 and 1015 are never on the wire). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Header bytes of a server frame carrying `payloadLength` bytes: 2, 4 or 10. */
export function wsHeaderSize(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength <= 0xffff ? 4 : 10;
}

/**
 * Writes an unmasked frame header at `offset` (FIN set unless `fin` is false, for a fragmented
 * message). Returns the header's length. Throws WS_BAD_OPCODE, WS_CONTROL_TOO_LARGE,
 * WS_FRAGMENTED_CONTROL, WS_BUFFER_TOO_SMALL.
 */
export function writeWsHeader(out: Uint8Array, offset: number, opcode: WsOpcode, payloadLength: number, fin = true): number {
  if (!isKnownOpcode(opcode)) throw new WebSocketError('WS_BAD_OPCODE', `opcode ${opcode} is not defined`);
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) throw new WebSocketError('WS_BAD_LENGTH', `payload length ${payloadLength}`);
  if (opcode >= WsOpcode.Close) {
    if (payloadLength > WS_MAX_CONTROL_PAYLOAD) throw new WebSocketError('WS_CONTROL_TOO_LARGE', `control frame of ${payloadLength} bytes`);
    if (!fin) throw new WebSocketError('WS_FRAGMENTED_CONTROL', 'control frames cannot be fragmented');
  }
  const size = wsHeaderSize(payloadLength);
  if (offset + size > out.length) throw new WebSocketError('WS_BUFFER_TOO_SMALL', `${out.length - offset} bytes left for a ${size}-byte header`);
  out[offset] = (fin ? 0x80 : 0) | opcode;
  if (size === 2) {
    out[offset + 1] = payloadLength;
  } else if (size === 4) {
    out[offset + 1] = 126;
    out[offset + 2] = payloadLength >>> 8;
    out[offset + 3] = payloadLength;
  } else {
    out[offset + 1] = 127;
    const high = Math.floor(payloadLength / 0x1_0000_0000);
    for (let i = 0; i < 4; i++) {
      out[offset + 2 + i] = high >>> (24 - 8 * i);
      out[offset + 6 + i] = payloadLength >>> (24 - 8 * i);
    }
  }
  return size;
}

/**
 * A whole, unfragmented server frame: written at the start of `out` (the frame's view of it is
 * returned), or into a new buffer of exactly its size. Throws as writeWsHeader.
 */
export function encodeWsFrame(opcode: WsOpcode, payload: Uint8Array, out?: Uint8Array): Uint8Array {
  const size = wsHeaderSize(payload.length) + payload.length;
  const buf = out ?? new Uint8Array(size);
  if (size > buf.length) throw new WebSocketError('WS_BUFFER_TOO_SMALL', `a ${size}-byte frame does not fit ${buf.length} bytes`);
  const header = writeWsHeader(buf, 0, opcode, payload.length);
  buf.set(payload, header);
  return buf.subarray(0, size);
}

const utf8 = new TextEncoder();

/**
 * A close frame; with no `code`, an empty one. The reason is cut to fit 123 bytes at a character
 * boundary. Throws WS_BAD_CLOSE for a status that may not be sent.
 */
export function encodeWsClose(code?: number, reason = '', out?: Uint8Array): Uint8Array {
  if (code === undefined) return encodeWsFrame(WsOpcode.Close, new Uint8Array(0), out);
  if (!isValidCloseCode(code)) throw new WebSocketError('WS_BAD_CLOSE', `close status ${code} may not be sent`);
  const payload = new Uint8Array(WS_MAX_CONTROL_PAYLOAD);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  const { written } = utf8.encodeInto(reason, payload.subarray(2));
  return encodeWsFrame(WsOpcode.Close, payload.subarray(0, 2 + written), out);
}

/** What the decoder hands out. Views are valid only during the call. */
export interface WebSocketFrameHandler {
  onText(text: string): void;
  onBinary(data: Uint8Array): void;
  onPing(payload: Uint8Array): void;
  onPong(payload: Uint8Array): void;
  /** The peer's close frame; `code` undefined when it carried none. Later bytes are ignored. */
  onClose(code: number | undefined, reason: string): void;
}

export interface WebSocketDecoderOptions {
  /** Default WEBSOCKET_DEFAULTS.maxMessageBytes. */
  maxMessageBytes?: number;
}

export interface WebSocketDecoderStats {
  frames: number;
  messages: number;
  controlFrames: number;
  /** Bytes after the peer's close frame: ignored. */
  bytesAfterClose: number;
}

const MAX_HEADER = 14;
const INITIAL_MESSAGE_BYTES = 4096;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a text payload; throws WS_INVALID_UTF8. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    throw new WebSocketError('WS_INVALID_UTF8', 'text is not valid UTF-8');
  }
}

export class WebSocketFrameDecoder {
  readonly stats: WebSocketDecoderStats = { frames: 0, messages: 0, controlFrames: 0, bytesAfterClose: 0 };
  private readonly maxMessageBytes: number;
  private readonly header = new Uint8Array(MAX_HEADER);
  private headerLength = 0;
  /** Header bytes this frame needs: 2 until the second byte tells the rest. */
  private headerNeeded = 2;
  private readonly mask = new Uint8Array(4);
  private opcode = 0;
  private fin = false;
  /** Payload bytes of the current frame still to come, and already taken. */
  private remaining = -1;
  private taken = 0;
  private readonly control = new Uint8Array(WS_MAX_CONTROL_PAYLOAD);
  private message = new Uint8Array(0);
  private messageLength = 0;
  /** Opcode of the fragmented message in progress (text or binary), or -1. */
  private messageOpcode = -1;
  private closed = false;
  private failure: WebSocketError | undefined;

  constructor(private readonly handler: WebSocketFrameHandler, options: WebSocketDecoderOptions = {}) {
    const max = options.maxMessageBytes ?? WEBSOCKET_DEFAULTS.maxMessageBytes;
    if (!Number.isInteger(max) || max < WS_MAX_CONTROL_PAYLOAD || max > 0x4000_0000) {
      throw new WebSocketError('WS_BAD_OPTION', `maxMessageBytes ${max} is not an integer in 125..2^30`);
    }
    this.maxMessageBytes = max;
  }

  /** True once the peer's close frame arrived. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Takes the next bytes from the client, in any chunking. Throws WebSocketError on a protocol
   * violation; the connection is then over, and every later push throws the same error.
   */
  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    try {
      this.consume(chunk);
    } catch (err) {
      if (err instanceof WebSocketError) this.failure = err;
      throw err;
    }
  }

  private consume(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.closed) {
        this.stats.bytesAfterClose += chunk.length - i;
        return;
      }
      if (this.remaining < 0) {
        const n = Math.min(this.headerNeeded - this.headerLength, chunk.length - i);
        this.header.set(chunk.subarray(i, i + n), this.headerLength);
        this.headerLength += n;
        i += n;
        if (this.headerLength === 2 && this.headerNeeded === 2) this.headerNeeded = this.firstTwoBytes();
        if (this.headerLength === this.headerNeeded) this.startPayload();
      } else {
        const n = Math.min(this.remaining, chunk.length - i);
        this.unmaskInto(chunk, i, n);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.endFrame();
      }
    }
  }

  /** Checks what the first two bytes decide; returns the whole header's length. */
  private firstTwoBytes(): number {
    const b0 = this.header[0];
    const b1 = this.header[1];
    if (b0 & 0x70) throw new WebSocketError('WS_RESERVED_BITS', 'RSV bits set without a negotiated extension');
    const opcode = b0 & 0x0f;
    if (!isKnownOpcode(opcode)) throw new WebSocketError('WS_BAD_OPCODE', `opcode ${opcode} is not defined`);
    if (!(b1 & 0x80)) throw new WebSocketError('WS_UNMASKED', 'a client frame must be masked');
    const len7 = b1 & 0x7f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= WsOpcode.Close) {
      if (!fin) throw new WebSocketError('WS_FRAGMENTED_CONTROL', 'control frames cannot be fragmented');
      if (len7 > WS_MAX_CONTROL_PAYLOAD) throw new WebSocketError('WS_CONTROL_TOO_LARGE', 'control frame over 125 bytes');
    } else if (opcode === WsOpcode.Continuation) {
      if (this.messageOpcode < 0) throw new WebSocketError('WS_UNEXPECTED_CONTINUATION', 'continuation frame without a message');
    } else if (this.messageOpcode >= 0) {
      throw new WebSocketError('WS_EXPECTED_CONTINUATION', 'a new message began before the fragmented one ended');
    }
    this.opcode = opcode;
    this.fin = fin;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + 4;
  }

  private startPayload(): void {
    const h = this.header;
    const len7 = h[1] & 0x7f;
    let length = len7;
    if (len7 === 126) {
      length = (h[2] << 8) | h[3];
      if (length < 126) throw new WebSocketError('WS_BAD_LENGTH', `length ${length} not in its shortest form`);
    } else if (len7 === 127) {
      const high = ((h[2] << 24) | (h[3] << 16) | (h[4] << 8) | h[5]) >>> 0;
      if (high & 0x8000_0000) throw new WebSocketError('WS_BAD_LENGTH', 'the 64-bit length has its top bit set');
      length = high * 0x1_0000_0000 + (((h[6] << 24) | (h[7] << 16) | (h[8] << 8) | h[9]) >>> 0);
      if (length <= 0xffff) throw new WebSocketError('WS_BAD_LENGTH', `length ${length} not in its shortest form`);
    }
    this.mask.set(h.subarray(this.headerNeeded - 4, this.headerNeeded));
    if (this.opcode < WsOpcode.Close) {
      if (length > this.maxMessageBytes - this.messageLength) {
        throw new WebSocketError('WS_MESSAGE_TOO_BIG', `message over maxMessageBytes ${this.maxMessageBytes}`);
      }
      this.ensureMessageRoom(this.messageLength + length);
      if (this.opcode !== WsOpcode.Continuation) this.messageOpcode = this.opcode;
    }
    this.remaining = length;
    this.taken = 0;
    if (length === 0) this.endFrame();
  }

  private unmaskInto(chunk: Uint8Array, from: number, n: number): void {
    const control = this.opcode >= WsOpcode.Close;
    const out = control ? this.control : this.message;
    let o = control ? this.taken : this.messageLength;
    const mask = this.mask;
    for (let k = 0; k < n; k++) out[o++] = chunk[from + k] ^ mask[(this.taken + k) & 3];
    this.taken += n;
    if (!control) this.messageLength = o;
  }

  private endFrame(): void {
    this.stats.frames++;
    this.remaining = -1;
    this.headerLength = 0;
    this.headerNeeded = 2;
    const opcode = this.opcode;
    if (opcode >= WsOpcode.Close) {
      this.stats.controlFrames++;
      this.dispatchControl(opcode, this.control.subarray(0, this.taken));
      return;
    }
    if (!this.fin) return;
    const kind = this.messageOpcode;
    const data = this.message.subarray(0, this.messageLength);
    this.messageOpcode = -1;
    this.messageLength = 0;
    this.stats.messages++;
    if (kind === WsOpcode.Text) this.handler.onText(decodeUtf8(data));
    else this.handler.onBinary(data);
  }

  private dispatchControl(opcode: number, payload: Uint8Array): void {
    if (opcode === WsOpcode.Ping) return this.handler.onPing(payload);
    if (opcode === WsOpcode.Pong) return this.handler.onPong(payload);
    if (payload.length === 1) throw new WebSocketError('WS_BAD_CLOSE', 'a close payload of one byte');
    let code: number | undefined;
    let reason = '';
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1];
      if (!isValidCloseCode(code)) throw new WebSocketError('WS_BAD_CLOSE', `close status ${code} may not be sent`);
      reason = decodeUtf8(payload.subarray(2));
    }
    this.closed = true;
    this.handler.onClose(code, reason);
  }

  private ensureMessageRoom(needed: number): void {
    if (needed <= this.message.length) return;
    let size = Math.max(this.message.length, INITIAL_MESSAGE_BYTES);
    while (size < needed) size *= 2;
    const bigger = new Uint8Array(Math.min(size, this.maxMessageBytes));
    bigger.set(this.message.subarray(0, this.messageLength));
    this.message = bigger;
  }
}
