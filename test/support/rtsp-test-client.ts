/**
 * A deliberately small RTSP client for testing camwire's server in-process over 127.0.0.1:
 * one request at a time, responses and interleaved frames collected as they arrive.
 */
import { connect, type Socket } from 'node:net';
import { RtspHeaders, RtspMessageParser, serializeRequest, type RtspResponse } from '../../lib/rtsp/protocol/index.js';

export interface Frame {
  channel: number;
  data: Uint8Array;
}

export class RtspTestClient {
  readonly socket: Socket;
  readonly frames: Frame[] = [];
  private cseq = 0;
  private waiting: ((r: RtspResponse) => void) | undefined;
  private readonly parser: RtspMessageParser;
  private frameWaiters: { n: number; resolve: () => void }[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.parser = new RtspMessageParser({
      onMessage: (m) => {
        if (m.type === 'response' && this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w(m);
        }
      },
      onFrame: (channel, data) => {
        this.frames.push({ channel, data: data.slice() });
        this.frameWaiters = this.frameWaiters.filter((w) => {
          if (this.frames.length < w.n) return true;
          w.resolve();
          return false;
        });
      },
    });
    socket.on('data', (c: Buffer) => this.parser.push(c));
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RtspTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new RtspTestClient(s)));
      s.once('error', reject);
    });
  }

  request(method: string, url: string, headers: Record<string, string> = {}): Promise<RtspResponse> {
    const h = new RtspHeaders({ CSeq: String(++this.cseq), ...headers });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.socket.write(serializeRequest({ method, url, headers: h }), (err) => { if (err) reject(err); });
    });
  }

  /** Resolves once at least `n` interleaved frames have arrived in total. */
  waitFrames(n: number): Promise<void> {
    if (this.frames.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.frameWaiters.push({ n, resolve }));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Lets pending socket I/O run (a few event-loop turns). */
export function ioTurn(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
