/**
 * The server end of one upgraded WebSocket that mostly sends: binary messages out (and a few
 * text ones), and of what the client sends only close (answered, then the socket ends), ping
 * (answered with pong) and, when the owner takes them, text messages mean anything; binary,
 * pong and untaken text are counted and ignored. A protocol violation is
 * answered with its close status and ends the connection; it never throws.
 */
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock.js';
import { encodeWsClose, encodeWsFrame, WebSocketError, WebSocketFrameDecoder, WsCloseCode, WsOpcode, writeWsHeader } from './websocket-frame.js';
import type { MessageChannel } from './fmp4-session.js';

/** The part of a net.Socket the connection needs. */
export type WebSocketSocket = Pick<Duplex, 'write' | 'end' | 'destroy' | 'on' | 'once' | 'writableLength' | 'cork' | 'uncork' | 'destroyed'>;

export interface WebSocketConnectionStats {
  messagesSent: number;
  /** Binary and pong from the client, and text when the owner does not take it: ignored. */
  messagesIgnored: number;
  pingsAnswered: number;
  /** The client's protocol violation, when one ended the connection. */
  protocolError: string | undefined;
}

export interface WebSocketConnectionOptions {
  /** Largest client message accepted. Default WEBSOCKET_DEFAULTS.maxMessageBytes. */
  maxMessageBytes?: number;
  /** Takes the client's text messages (the fallback's rendition pins); without it they are ignored. */
  onText?: (text: string) => void;
}

/** Most time a closing connection waits for the client's close frame before the socket goes (ms). */
const CLOSE_GRACE_MS = 1000;

export class WebSocketConnection implements MessageChannel {
  readonly stats: WebSocketConnectionStats = { messagesSent: 0, messagesIgnored: 0, pingsAnswered: 0, protocolError: undefined };
  private readonly decoder: WebSocketFrameDecoder;
  private readonly header = new Uint8Array(10);
  private closing = false;
  private closedValue = false;
  private readonly onClosed: (() => void)[] = [];

  constructor(private readonly socket: WebSocketSocket, private readonly clock: Clock, o: WebSocketConnectionOptions = {}) {
    this.decoder = new WebSocketFrameDecoder({
      onText: o.onText ?? (() => void this.stats.messagesIgnored++),
      onBinary: () => void this.stats.messagesIgnored++,
      onPong: () => void this.stats.messagesIgnored++,
      onPing: (payload) => {
        if (this.closing) return;
        this.stats.pingsAnswered++;
        socket.write(encodeWsFrame(WsOpcode.Pong, payload));
      },
      onClose: (code) => {
        if (!this.closing) {
          this.closing = true;
          socket.write(encodeWsClose(code === undefined ? undefined : WsCloseCode.Normal));
        }
        socket.end();
      },
    }, { maxMessageBytes: o.maxMessageBytes });
    socket.on('data', (chunk: Uint8Array) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.finished());
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get closed(): boolean {
    return this.closedValue;
  }

  /** Runs `fn` once when the socket has closed, for whatever reason. */
  whenClosed(fn: () => void): void {
    if (this.closedValue) fn();
    else this.onClosed.push(fn);
  }

  /** One binary message: header and payload written together, the payload not copied. */
  sendBinary(data: Uint8Array): void {
    if (this.closing || this.socket.destroyed) return;
    const n = writeWsHeader(this.header, 0, WsOpcode.Binary, data.length);
    this.socket.cork();
    this.socket.write(this.header.slice(0, n));
    this.socket.write(data);
    this.socket.uncork();
    this.stats.messagesSent++;
  }

  /** One text message (small and rare: rendition news for the page). */
  sendText(text: string): void {
    if (this.closing || this.socket.destroyed) return;
    this.socket.write(encodeWsFrame(WsOpcode.Text, Buffer.from(text)));
    this.stats.messagesSent++;
  }

  /** Sends a close frame and ends the socket when the client answers (or after a grace period). */
  close(code: number = WsCloseCode.Normal, reason = ''): void {
    if (this.closing || this.socket.destroyed) return;
    this.closing = true;
    this.socket.write(encodeWsClose(code, reason));
    const timer = this.clock.setTimer(CLOSE_GRACE_MS, () => this.socket.destroy());
    this.whenClosed(() => timer.cancel());
  }

  private receive(chunk: Uint8Array): void {
    try {
      this.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof WebSocketError)) throw err;
      this.stats.protocolError = err.code;
      if (!this.closing) {
        this.closing = true;
        this.socket.write(encodeWsClose(err.closeCode));
      }
      this.socket.end();
    }
  }

  private finished(): void {
    if (this.closedValue) return;
    this.closedValue = true;
    for (const fn of this.onClosed.splice(0)) fn();
  }
}
