/**
 * Incremental parser for one RTSP connection: requests, responses and `$`-interleaved binary
 * frames, fed arbitrary chunks (down to one byte). Lenient where cameras are sloppy (bare LF,
 * any header-name case, folded or padded values, status line without reason, stray CR/LF
 * between messages) and strict where it matters (every buffer bounded, typed errors only).
 *
 * Interleaved frames that lie wholly inside one pushed chunk are delivered as views into that
 * chunk (no copy, no buffer allocation). A frame that spans chunks is assembled into a buffer
 * of its exact size. Either way the view handed to `onFrame` is never reused by the parser,
 * so consumers may keep it as long as the caller does not recycle the chunks it pushes.
 */
import { RtspHeaders } from './header-map.js';
import { RtspParseError } from './errors.js';
import type { RtspMessage } from './message.js';

export interface RtspParserLimits {
  /** Largest start line + header block, line ends included. Default 64 KiB. */
  maxHeaderBytes: number;
  /** Most header lines (continuations included) per message. Default 128. */
  maxHeaderCount: number;
  /** Largest Content-Length accepted. Default 4 MiB (SDPs are a few KB). */
  maxBodyBytes: number;
}

export const DEFAULT_RTSP_PARSER_LIMITS: Readonly<RtspParserLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxHeaderCount: 128,
  maxBodyBytes: 4 * 1024 * 1024,
});

export interface RtspStreamHandler {
  onMessage(message: RtspMessage): void;
  /** `data` is the frame payload (without the 4-byte prefix). */
  onFrame(channel: number, data: Uint8Array): void;
}

export interface RtspParserStats {
  messages: number;
  frames: number;
  /** Frames that crossed a chunk boundary and had to be copied. */
  framesCopied: number;
  frameBytes: number;
}

const enum State {
  Idle,
  Head,
  Body,
  FrameHeader,
  FrameBody,
  Failed,
}

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;
const TAB = 0x09;
const RESPONSE_LINE = /^(RTSP\/\d\.\d+)[ \t]+(\d{3})(?:[ \t]+(.*))?$/i;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]+(\S+)[ \t]+(RTSP\/\d\.\d+)$/i;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const EMPTY = new Uint8Array(0);

export class RtspMessageParser {
  readonly limits: Readonly<RtspParserLimits>;
  readonly stats: RtspParserStats = { messages: 0, frames: 0, framesCopied: 0, frameBytes: 0 };
  private state = State.Idle;
  private head: Uint8Array;
  private headLen = 0;
  private lineStart = 0;
  private lines = 0;
  private pending: RtspMessage | undefined;
  private body: Uint8Array = EMPTY;
  private filled = 0;
  private frameHeaderBytes = 0;
  private frameChannel = 0;
  private frameLength = 0;
  private failure: RtspParseError | undefined;
  private readonly decoder = new TextDecoder();

  constructor(private readonly handler: RtspStreamHandler, limits: Partial<RtspParserLimits> = {}) {
    this.limits = { ...DEFAULT_RTSP_PARSER_LIMITS, ...limits };
    this.head = new Uint8Array(Math.min(1024, this.limits.maxHeaderBytes));
  }

  /** Forget any partial message (after a reconnect). */
  reset(): void {
    this.state = State.Idle;
    this.headLen = this.lineStart = this.lines = this.filled = this.frameHeaderBytes = 0;
    this.pending = undefined;
    this.body = EMPTY;
    this.failure = undefined;
  }

  /** True when no partial message or frame is buffered. */
  get idle(): boolean {
    return this.state === State.Idle;
  }

  /**
   * Consumes `chunk`, calling the handler for every complete message or frame.
   * Throws only RtspParseError; after that the parser stays failed until reset().
   */
  push(chunk: Uint8Array): void {
    if (this.state === State.Failed) {
      throw new RtspParseError('RTSP_PARSER_FAILED', `parser failed earlier (${this.failure?.code}); reset it`);
    }
    try {
      this.consume(chunk);
    } catch (e) {
      if (e instanceof RtspParseError) {
        this.state = State.Failed;
        this.failure = e;
      }
      throw e;
    }
  }

  private consume(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Idle: {
          const b = chunk[i];
          if (b === DOLLAR) {
            if (i + 4 <= n) {
              const len = (chunk[i + 2] << 8) | chunk[i + 3];
              if (i + 4 + len <= n) {
                const channel = chunk[i + 1];
                const start = i + 4;
                i = start + len;
                this.stats.frames++;
                this.stats.frameBytes += len;
                this.handler.onFrame(channel, chunk.subarray(start, i));
                break;
              }
            }
            this.state = State.FrameHeader;
            this.frameHeaderBytes = 1;
            i++;
          } else if (b === CR || b === LF) {
            i++; // stray line ends between messages
          } else {
            this.state = State.Head;
            this.headLen = this.lineStart = this.lines = 0;
          }
          break;
        }
        case State.FrameHeader: {
          const b = chunk[i++];
          const k = this.frameHeaderBytes++;
          if (k === 1) this.frameChannel = b;
          else if (k === 2) this.frameLength = b << 8;
          else {
            this.frameLength |= b;
            this.beginFrameBody();
          }
          break;
        }
        case State.FrameBody: {
          const take = Math.min(n - i, this.frameLength - this.filled);
          this.body.set(chunk.subarray(i, i + take), this.filled);
          this.filled += take;
          i += take;
          if (this.filled === this.frameLength) this.emitFrame(this.body);
          break;
        }
        case State.Head:
          i = this.consumeHead(chunk, i);
          break;
        case State.Body: {
          const take = Math.min(n - i, this.body.length - this.filled);
          this.body.set(chunk.subarray(i, i + take), this.filled);
          this.filled += take;
          i += take;
          if (this.filled === this.body.length) this.emitMessage();
          break;
        }
        default:
          return;
      }
    }
  }

  private beginFrameBody(): void {
    if (this.frameLength === 0) {
      this.emitFrame(EMPTY);
      return;
    }
    this.stats.framesCopied++;
    this.body = new Uint8Array(this.frameLength);
    this.filled = 0;
    this.state = State.FrameBody;
  }

  private emitFrame(data: Uint8Array): void {
    this.state = State.Idle;
    this.body = EMPTY;
    this.filled = 0;
    this.stats.frames++;
    this.stats.frameBytes += data.length;
    this.handler.onFrame(this.frameChannel, data);
  }

  private consumeHead(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    const max = this.limits.maxHeaderBytes;
    for (; i < n; i++) {
      const b = chunk[i];
      if ((b < 0x20 && b !== CR && b !== LF && b !== TAB) || b === 0x7f) {
        throw new RtspParseError('RTSP_BAD_HEADER_LINE', `control byte 0x${b.toString(16)} in an RTSP header block`);
      }
      if (this.headLen === this.head.length) {
        if (this.headLen >= max) throw new RtspParseError('RTSP_HEADER_TOO_LARGE', `RTSP header block exceeds ${max} bytes`);
        const bigger = new Uint8Array(Math.min(max, this.head.length * 2));
        bigger.set(this.head);
        this.head = bigger;
      }
      this.head[this.headLen++] = b;
      if (b !== LF) continue;
      let end = this.headLen - 1;
      if (end > this.lineStart && this.head[end - 1] === CR) end--;
      if (end === this.lineStart) {
        this.finishHead();
        return i + 1;
      }
      if (this.lines === 0) this.checkStartLine(this.text(0, end));
      else if (this.lines > this.limits.maxHeaderCount) {
        throw new RtspParseError('RTSP_TOO_MANY_HEADERS', `more than ${this.limits.maxHeaderCount} RTSP header lines`);
      }
      this.lines++;
      this.lineStart = this.headLen;
    }
    return i;
  }

  private text(from: number, to: number): string {
    return this.decoder.decode(this.head.subarray(from, to));
  }

  /** Rejects a garbage first line as soon as it ends, not after the whole header bound. */
  private checkStartLine(line: string): void {
    const s = line.trimEnd();
    if (!RESPONSE_LINE.test(s) && !REQUEST_LINE.test(s)) {
      throw new RtspParseError('RTSP_BAD_START_LINE', `not an RTSP request or status line: ${JSON.stringify(s.slice(0, 60))}`);
    }
  }

  private finishHead(): void {
    const lines = this.text(0, this.headLen).split('\n');
    const start = lines[0].replace(/\r$/, '').trimEnd();
    const headers = new RtspHeaders();
    let last: [string, string] | undefined;
    const fields: [string, string][] = [];
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k].replace(/\r$/, '');
      if (line === '') break;
      if (line[0] === ' ' || line[0] === '\t') {
        const more = line.trim();
        if (last && more) last[1] = last[1] ? `${last[1]} ${more}` : more;
        continue; // a whitespace-only line is not the end of the block (Luma x20)
      }
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trim() : '';
      if (!HEADER_NAME.test(name)) {
        throw new RtspParseError('RTSP_BAD_HEADER_LINE', `bad RTSP header line ${JSON.stringify(line.slice(0, 60))}`);
      }
      last = [name, line.slice(colon + 1).trim()];
      fields.push(last);
    }
    for (const [name, value] of fields) headers.append(name, value);
    const bodyLength = this.contentLength(headers);
    const res = RESPONSE_LINE.exec(start);
    if (res) {
      this.pending = { type: 'response', version: res[1].toUpperCase(), status: Number(res[2]), reason: (res[3] ?? '').trim(), headers, body: EMPTY };
    } else {
      const req = REQUEST_LINE.exec(start)!;
      this.pending = { type: 'request', method: req[1], url: req[2], version: req[3].toUpperCase(), headers, body: EMPTY };
    }
    this.headLen = this.lineStart = this.lines = 0;
    if (this.head.length > 4096) this.head = new Uint8Array(1024); // do not keep a rare huge block
    if (bodyLength === 0) {
      this.emitMessage();
    } else {
      this.body = new Uint8Array(bodyLength);
      this.filled = 0;
      this.state = State.Body;
    }
  }

  private contentLength(headers: RtspHeaders): number {
    const values = headers.getAll('content-length');
    if (values.length === 0) return 0; // RFC 2326 12.14: absent means no body
    const v = values[0];
    if (!/^\d{1,15}$/.test(v) || values.some((x) => x !== v)) {
      throw new RtspParseError('RTSP_BAD_CONTENT_LENGTH', `bad Content-Length ${JSON.stringify(values.join(', ').slice(0, 40))}`);
    }
    const len = Number(v);
    if (len > this.limits.maxBodyBytes) {
      throw new RtspParseError('RTSP_BODY_TOO_LARGE', `Content-Length ${len} exceeds the ${this.limits.maxBodyBytes}-byte limit`);
    }
    return len;
  }

  private emitMessage(): void {
    const msg = this.pending!;
    msg.body = this.body;
    this.pending = undefined;
    this.body = EMPTY;
    this.filled = 0;
    this.state = State.Idle;
    this.stats.messages++;
    this.handler.onMessage(msg);
  }
}
