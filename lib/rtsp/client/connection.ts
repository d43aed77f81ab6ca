/**
 * One RTSP control connection of the client: TCP socket, stream parser, CSeq, one request in
 * flight at a time, server-sent requests answered, interleaved frames passed on.
 *
 * CSeq matching survives cameras that get it wrong: a response whose CSeq matches the request
 * in flight answers it; any other response (a stray `CSeq: 150`, Foscam's `Cseq: 0`, Tapo's
 * previous CSeq) is held and only accepted for the request in flight if no matching response
 * arrives within half a second.
 */
import { connect, type Socket } from 'node:net';
import { RtspHeaders } from '../protocol/header-map.js';
import { RtspMessageParser, type RtspParserLimits } from '../protocol/message-parser.js';
import { serializeRequest, serializeResponse, writeInterleavedHeader, type ResponseInit, type RtspRequest, type RtspResponse } from '../protocol/index.js';
import { RtspParseError } from '../protocol/errors.js';
import { RtspClientError } from './errors.js';
import type { TimerHandle, Clock } from '../../clock.js';
import { RTSP_CLIENT_DEFAULTS } from './types.js';
import { connectTls, tlsFailure, type RtspTlsOptions } from './tls.js';

/** How long a response with the wrong CSeq waits for the right one (ms). */
const MISMATCH_GRACE_MS = 500;

export interface RtspConnectionOptions {
  clock: Clock;
  /** TCP connect timeout (default: the client's). */
  connectTimeoutMs?: number;
  /** Time to wait for a response (default: the client's). */
  requestTimeoutMs?: number;
  parserLimits?: Partial<RtspParserLimits>;
  /** RTSPS: the connection is TLS with these options (absent: plain TCP). */
  tls?: RtspTlsOptions;
  onFrame(channel: number, data: Uint8Array): void;
  /** Answer to a request the server sent us (CSeq is added). */
  onRequest(req: RtspRequest): ResponseInit;
  /** The connection ended; `error` is undefined after close(). */
  onClose(error: RtspClientError | undefined): void;
}

export interface RtspConnectionStats {
  requests: number;
  responses: number;
  /** Responses with a CSeq we did not expect (dropped or accepted after the grace time). */
  mismatchedCseq: number;
  serverRequests: number;
  bytesIn: number;
  framesOut: number;
  /**
   * Quickest request-to-response time on this connection (ms), -1 before the first: the path's
   * round trip plus the camera's handling of a request, an upper bound on the RTT.
   */
  quickestResponseMs: number;
}

interface InFlight {
  method: string;
  cseq: number;
  resolve(r: RtspResponse): void;
  reject(e: RtspClientError): void;
  timeout: TimerHandle;
  sentAt: number;
  grace?: TimerHandle;
  candidate?: RtspResponse;
}

export class RtspConnection {
  readonly stats: RtspConnectionStats = { requests: 0, responses: 0, mismatchedCseq: 0, serverRequests: 0, bytesIn: 0, framesOut: 0, quickestResponseMs: -1 };
  private readonly parser: RtspMessageParser;
  private cseq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private inFlight: InFlight | undefined;
  private closed = false;

  private constructor(private readonly socket: Socket, private readonly opts: RtspConnectionOptions) {
    this.parser = new RtspMessageParser(
      {
        onMessage: (m) => (m.type === 'response' ? this.onResponse(m) : this.onServerRequest(m)),
        onFrame: (ch, data) => opts.onFrame(ch, data),
      },
      opts.parserLimits,
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.stats.bytesIn += chunk.length;
      try {
        this.parser.push(chunk);
      } catch (e) {
        if (e instanceof RtspParseError) this.fail(new RtspClientError('RTSP_PROTOCOL', `unparseable data from server: ${e.message}`));
        else this.fail(new RtspClientError('RTSP_PROTOCOL', `handler failed: ${(e as Error).message}`));
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => this.fail(tlsFailure(e, false) ?? socketError(e)));
    socket.on('close', () => this.fail(new RtspClientError('RTSP_CONNECTION_CLOSED', 'server closed the RTSP connection')));
  }

  static open(host: string, port: number, opts: RtspConnectionOptions): Promise<RtspConnection> {
    return new Promise((resolve, reject) => {
      let socket: Socket;
      try {
        socket = opts.tls ? connectTls(host, port, opts.tls) : connect({ host, port });
      } catch (e) {
        reject(e instanceof RtspClientError ? e : new RtspClientError('RTSP_CONNECTION_FAILED', `connection failed: ${(e as Error).message}`));
        return;
      }
      const what = opts.tls ? 'TLS connect' : 'TCP connect';
      const timer = opts.clock.setTimer(opts.connectTimeoutMs ?? RTSP_CLIENT_DEFAULTS.connectTimeoutMs, () => {
        socket.destroy();
        reject(new RtspClientError('RTSP_TIMEOUT', `${what} to port ${port} timed out`));
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        timer.cancel();
        socket.destroy();
        reject((opts.tls && tlsFailure(e, true)) || socketError(e));
      });
      // A TLS socket is usable once its handshake and certificate check are done, not at TCP connect.
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
        timer.cancel();
        socket.removeAllListeners('error');
        resolve(new RtspConnection(socket, opts));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** Both ends of the control connection (what a capture shows TCP-interleaved media between). */
  get endpoints(): { local: string; localPort: number; remote: string; remotePort: number } {
    const s = this.socket;
    return { local: s.localAddress ?? '', localPort: s.localPort ?? 0, remote: s.remoteAddress ?? '', remotePort: s.remotePort ?? 0 };
  }

  /** Sends a request once every earlier one has been answered; resolves with its response. */
  request(method: string, url: string, headers: RtspHeaders, body?: Uint8Array | string): Promise<RtspResponse> {
    const run = () => this.send(method, url, headers, body);
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private send(method: string, url: string, headers: RtspHeaders, body?: Uint8Array | string): Promise<RtspResponse> {
    if (this.closed) return Promise.reject(new RtspClientError('RTSP_CONNECTION_CLOSED', `${method} on a closed connection`));
    const cseq = ++this.cseq;
    const h = headers.clone().set('CSeq', String(cseq));
    const bytes = serializeRequest({ method, url, headers: h, body });
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.requestTimeoutMs ?? RTSP_CLIENT_DEFAULTS.requestTimeoutMs;
      const timeout = this.opts.clock.setTimer(timeoutMs, () => {
        this.settle(undefined);
        reject(new RtspClientError('RTSP_TIMEOUT', `no answer to ${method} in ${timeoutMs} ms`));
      });
      this.inFlight = { method, cseq, resolve, reject, timeout, sentAt: this.opts.clock.now() };
      this.stats.requests++;
      this.socket.write(bytes);
    });
  }

  private settle(r: RtspResponse | undefined): InFlight | undefined {
    const f = this.inFlight;
    if (!f) return undefined;
    this.inFlight = undefined;
    f.timeout.cancel();
    f.grace?.cancel();
    if (r) {
      const ms = this.opts.clock.now() - f.sentAt;
      if (this.stats.quickestResponseMs < 0 || ms < this.stats.quickestResponseMs) this.stats.quickestResponseMs = ms;
      f.resolve(r);
    }
    return f;
  }

  private onResponse(res: RtspResponse): void {
    this.stats.responses++;
    const f = this.inFlight;
    const cseq = Number(res.headers.get('cseq'));
    if (f && cseq === f.cseq) {
      this.settle(res);
      return;
    }
    this.stats.mismatchedCseq++;
    if (!f) return;
    f.candidate = res;
    f.grace ??= this.opts.clock.setTimer(MISMATCH_GRACE_MS, () => {
      if (this.inFlight === f && f.candidate) this.settle(f.candidate);
    });
  }

  private onServerRequest(req: RtspRequest): void {
    this.stats.serverRequests++;
    let res: ResponseInit;
    try {
      res = this.opts.onRequest(req);
    } catch {
      res = { status: 500 };
    }
    const headers = res.headers?.clone() ?? new RtspHeaders();
    const cseq = req.headers.get('cseq');
    if (cseq !== undefined) headers.set('CSeq', cseq);
    if (!this.closed) this.socket.write(serializeResponse({ ...res, headers }));
  }

  /** Writes one interleaved frame (RTCP upstream on TCP). */
  sendFrame(channel: number, data: Uint8Array): void {
    if (this.closed) return;
    this.socket.cork();
    this.socket.write(writeInterleavedHeader(channel, data.length, Buffer.allocUnsafe(4)));
    this.socket.write(data);
    this.socket.uncork();
    this.stats.framesOut++;
  }

  close(): void {
    this.shutdown(undefined);
  }

  private fail(e: RtspClientError): void {
    this.shutdown(e);
  }

  private shutdown(e: RtspClientError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const f = this.settle(undefined);
    f?.reject(e ?? new RtspClientError('RTSP_CLOSED', `${f.method} aborted: connection closed`));
    this.socket.destroy();
    this.opts.onClose(e);
  }
}

function socketError(e: NodeJS.ErrnoException): RtspClientError {
  if (e.code === 'ECONNREFUSED') return new RtspClientError('RTSP_CONNECTION_REFUSED', 'connection refused');
  if (e.code === 'ETIMEDOUT') return new RtspClientError('RTSP_TIMEOUT', 'connection timed out');
  return new RtspClientError('RTSP_CONNECTION_FAILED', `connection failed: ${e.code ?? e.message}`);
}
