/**
 * RtspClient: plays one camera and keeps playing it. Runs ClientSessions one after another:
 * UDP falls back to TCP on 461 or when no packet arrives in time, 3xx redirects are followed
 * (bounded), and when the camera drops the client reconnects with exponential backoff.
 * Every transition is a typed `state` event; every failure a typed `error` (RtspClientError).
 * A new session (`session` event, new `generation`) means new SSRC, sequence numbers and
 * timestamps: consumers restart their depacketizers and reorder buffers.
 */
import { EventEmitter } from 'node:events';
import { RtspAuthenticator } from '../protocol/auth.js';
import { isRtsps, redactText, redactUrl, splitCredentials } from '../protocol/url.js';
import { RtspClientError } from './errors.js';
import { ClientSession, RedirectSignal, type SessionEnd } from './session.js';
import { buildNack } from './rtcp.js';
import { systemClock, type TimerHandle, type Clock } from '../../clock.js';
import { RECONNECT_DEFAULTS, RTSP_CLIENT_DEFAULTS } from './types.js';
import type {
  RtspClientEvents, RtspClientOptions, RtspClientState, RtspClientStats, RtspSessionInfo, RtspStateChange, RtspTransportMode,
} from './types.js';

// Typed events over EventEmitter: the interface only narrows the emitter's own methods.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export declare interface RtspClient {
  on<E extends keyof RtspClientEvents>(event: E, listener: RtspClientEvents[E]): this;
  once<E extends keyof RtspClientEvents>(event: E, listener: RtspClientEvents[E]): this;
  off<E extends keyof RtspClientEvents>(event: E, listener: RtspClientEvents[E]): this;
  emit<E extends keyof RtspClientEvents>(event: E, ...args: Parameters<RtspClientEvents[E]>): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RtspClient extends EventEmitter {
  private readonly opts: RtspClientOptions & { clock: Clock };
  private readonly auth: RtspAuthenticator;
  private url: string;
  private session: ClientSession | undefined;
  private info: RtspSessionInfo | undefined;
  private currentState: RtspClientState = 'idle';
  private stopped = false;
  private running: Promise<void> | undefined;
  private wait: { timer: TimerHandle; resolve: () => void } | undefined;
  private lastTracks: RtspClientStats['tracks'] = [];
  private readonly quirks = new Set<string>();
  private readonly counters = {
    sessions: 0, reconnects: 0, udpToTcpFallbacks: 0, redirects: 0,
    keepAlivesSent: 0, keepAliveFailures: 0, reauthentications: 0, mismatchedCseq: 0, serverRequests: 0,
  };

  constructor(options: RtspClientOptions | string) {
    super();
    const o = typeof options === 'string' ? { url: options } : options;
    const { url, credentials } = splitCredentials(o.url);
    this.url = url;
    this.opts = { ...o, url, clock: o.clock ?? systemClock };
    this.auth = new RtspAuthenticator(credentials);
  }

  get state(): RtspClientState {
    return this.currentState;
  }

  /** The playing session, if any. */
  get sessionInfo(): RtspSessionInfo | undefined {
    return this.info;
  }

  get stats(): RtspClientStats {
    const conn = this.session?.connectionStats;
    return {
      ...this.counters,
      mismatchedCseq: this.counters.mismatchedCseq + (conn?.mismatchedCseq ?? 0),
      serverRequests: this.counters.serverRequests + (conn?.serverRequests ?? 0),
      tracks: this.session?.trackStats() ?? this.lastTracks,
      quirks: [...this.quirks],
    };
  }

  /**
   * Connects and plays; resolves with the first session. With reconnection disabled a
   * failure rejects (RtspClientError); otherwise failures are `error` events and it retries.
   */
  start(): Promise<RtspSessionInfo> {
    if (this.running) throw new RtspClientError('RTSP_PROTOCOL', 'start() called twice');
    return new Promise((resolve, reject) => {
      this.running = this.run(resolve, reject);
    });
  }

  /** TEARDOWN and close; no reconnection afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wait) {
      this.wait.timer.cancel();
      this.wait.resolve();
    }
    await this.session?.teardown();
    await this.running;
    this.setState({ state: 'closed' });
  }

  async pause(): Promise<void> {
    if (!this.session) throw new RtspClientError('RTSP_CLOSED', 'not playing');
    await this.session.pause();
    this.setState({ state: 'paused' });
  }

  async resume(): Promise<void> {
    if (!this.session) throw new RtspClientError('RTSP_CLOSED', 'not playing');
    await this.session.resume();
    this.setState({ state: 'playing' });
  }

  /** Sends RTCP bytes upstream on a track's RTCP path; false when not possible now. */
  sendRtcp(track: number, data: Uint8Array): boolean {
    return this.session?.sendRtcp(track, data) ?? false;
  }

  /** PLI to the camera (RFC 4585). */
  requestKeyframe(track: number): boolean {
    return this.session?.requestKeyframe(track) ?? false;
  }

  /** Generic NACK for lost sequence numbers (RFC 4585 6.2.1). */
  sendNack(track: number, lostSeqs: Iterable<number>, ourSsrc = 1): boolean {
    const ssrc = this.session?.trackStats()[track]?.ssrc;
    return ssrc !== undefined && this.sendRtcp(track, buildNack(ourSsrc, ssrc, lostSeqs));
  }

  private setState(change: RtspStateChange): void {
    this.currentState = change.state;
    this.emit('state', change);
  }

  private report(e: RtspClientError): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }

  private async run(resolve: (i: RtspSessionInfo) => void, reject: (e: RtspClientError) => void): Promise<void> {
    const preference = this.opts.transport ?? RTSP_CLIENT_DEFAULTS.transport;
    let mode: RtspTransportMode = preference === 'auto' ? 'udp' : preference;
    const reconnect = this.opts.reconnect ?? {};
    const retry = reconnect.enabled ?? RECONNECT_DEFAULTS.enabled;
    let failures = 0;
    let redirects = 0;
    let started = false;
    const fallBackToTcp = (why: string): boolean => {
      if (preference !== 'auto' || mode === 'tcp') return false;
      mode = 'tcp';
      this.counters.udpToTcpFallbacks++;
      this.quirks.add(why);
      return true;
    };
    while (!this.stopped) {
      const secureMode = this.modeUnderTls(mode, preference);
      if (secureMode instanceof RtspClientError) {
        this.refuse(secureMode, reject);
        break;
      }
      mode = secureMode;
      this.setState({ state: 'connecting', transport: mode });
      const session = new ClientSession(this.url, this.opts, this.auth, mode, {
        rtp: (p, t) => this.emit('rtp', p, t),
        rtcp: (p, t) => this.emit('rtcp', p, t),
        quirk: (q) => this.quirks.add(q),
        counters: this.counters,
      });
      this.session = session;
      let end: SessionEnd;
      try {
        const info = await session.start(this.counters.sessions + 1);
        if (this.stopped) {
          await session.teardown();
          break;
        }
        this.counters.sessions++;
        failures = 0;
        redirects = 0;
        this.info = info;
        this.emit('session', info);
        this.setState({ state: 'playing', transport: info.transport });
        if (!started) {
          started = true;
          resolve(info);
        }
        end = await session.ended;
      } catch (e) {
        end = e instanceof RedirectSignal || e instanceof RtspClientError ? e : new RtspClientError('RTSP_PROTOCOL', redactText(String(e)));
      }
      this.foldConnectionStats(session);
      this.lastTracks = session.trackStats();
      this.session = undefined;
      this.info = undefined;
      if (this.stopped || end === 'stopped') {
        if (!this.stopped && end === 'stopped') end = new RtspClientError('RTSP_CONNECTION_CLOSED', 'connection closed');
        else break;
      }
      if (end === 'announce') continue;
      if (end instanceof RedirectSignal) {
        const maxRedirects = this.opts.maxRedirects ?? RTSP_CLIENT_DEFAULTS.maxRedirects;
        if (++redirects > maxRedirects) {
          end = new RtspClientError('RTSP_TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects`);
        } else {
          this.counters.redirects++;
          this.quirks.add('redirected');
          const next = splitCredentials(end.location).url;
          this.url = /^rtsps?:\/\//i.test(next) ? next : this.url;
          this.opts.url = this.url;
          continue;
        }
      }
      const err = end as RtspClientError;
      if (err.code === 'RTSP_UNSUPPORTED_TRANSPORT' && fallBackToTcp('udp-unsupported-461')) continue;
      if (err.code === 'RTSP_NO_MEDIA' && session.mode !== 'tcp' && fallBackToTcp('udp-no-packets-fell-back-to-tcp')) continue;
      this.report(err);
      failures++;
      if (!retry || failures >= (reconnect.maxAttempts ?? RECONNECT_DEFAULTS.maxAttempts)) {
        this.setState({ state: 'closed', reason: err });
        if (!started) reject(err);
        this.stopped = true;
        break;
      }
      const delayMs = Math.min(
        reconnect.maxDelayMs ?? RECONNECT_DEFAULTS.maxDelayMs,
        (reconnect.initialDelayMs ?? RECONNECT_DEFAULTS.initialDelayMs) * (reconnect.factor ?? RECONNECT_DEFAULTS.factor) ** (failures - 1),
      );
      this.counters.reconnects++;
      this.setState({ state: 'reconnecting', reason: err, attempt: failures, delayMs, transport: mode });
      await new Promise<void>((r) => {
        this.wait = { timer: this.opts.clock.setTimer(delayMs, r), resolve: r };
      });
      this.wait = undefined;
    }
    this.session = undefined;
    if (!started) reject(new RtspClientError('RTSP_CLOSED', 'stopped before playing'));
  }

  private refuse(err: RtspClientError, reject: (e: RtspClientError) => void): void {
    this.report(err);
    this.setState({ state: 'closed', reason: err });
    reject(err);
    this.stopped = true;
  }

  /** TLS protects the control connection only: under rtsps:// media must come interleaved inside it. */
  private modeUnderTls(mode: RtspTransportMode, preference: string): RtspTransportMode | RtspClientError {
    if (!isRtsps(this.url) || mode === 'tcp') return mode;
    if (preference === 'auto') return 'tcp';
    return new RtspClientError('RTSP_TLS', `rtsps:// carries media inside its TLS connection only: transport '${mode}' is not possible (use 'tcp' or 'auto')`);
  }

  private foldConnectionStats(session: ClientSession): void {
    const s = session.connectionStats;
    if (!s) return;
    this.counters.mismatchedCseq += s.mismatchedCseq;
    this.counters.serverRequests += s.serverRequests;
    if (s.mismatchedCseq > 0) this.quirks.add('cseq-mismatch');
  }

  toJSON(): object {
    return { url: redactUrl(this.url), state: this.currentState };
  }
}
