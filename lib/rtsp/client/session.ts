/**
 * One RTSP session of the client, from TCP connect to TEARDOWN: OPTIONS, DESCRIBE, SETUP of
 * each wanted track, PLAY, keep-alives, receiver reports, media timeouts and the server's own
 * requests. It ends once (`ended` resolves with why); RtspClient decides what comes next.
 */
import { RtspHeaders } from '../protocol/header-map.js';
import { RtspConnection } from './connection.js';
import type { ResponseInit, RtspRequest, RtspResponse } from '../protocol/index.js';
import { bodyText } from '../protocol/index.js';
import { RtspAuthenticator } from '../protocol/auth.js';
import { parseWwwAuthenticate } from '../protocol/headers/authenticate.js';
import { parsePublic } from '../protocol/headers/public.js';
import { DEFAULT_SESSION_TIMEOUT_S, parseSession } from '../protocol/headers/session.js';
import { parseTransport, type TransportSpec } from '../protocol/headers/transport.js';
import { parseRtpInfo, type RtpInfoEntry } from '../protocol/headers/rtp-info.js';
import { baseUrlFor, isRtsps, redactText, rtspUrlParts } from '../protocol/url.js';
import { RtspClientError, RtspStatusError, statusError } from './errors.js';
import { SessionMedia, type MediaSink } from './media.js';
import { describeRtspTracks } from './describe.js';
import { buildReceiverReport, buildPli } from './rtcp.js';
import { RTSP_CLIENT_DEFAULTS, type RtspClientOptions, type RtspSessionInfo, type RtspTrack, type RtspTransportMode } from './types.js';
import type { TimerHandle, Clock } from '../../clock.js';

/** The server moved the stream (3xx on connect, or a REDIRECT request mid-session). */
export class RedirectSignal {
  constructor(readonly location: string) {}
}

/** Why a session ended: an error, a redirect, or a new description announced (replay it). */
export type SessionEnd = RtspClientError | RedirectSignal | 'announce' | 'stopped';

export interface SessionHooks extends Pick<MediaSink, 'rtp' | 'rtcp' | 'quirk'> {
  counters: { keepAlivesSent: number; keepAliveFailures: number; reauthentications: number };
}

const SERVER_REQUESTS_WE_ANSWER = 'OPTIONS, GET_PARAMETER, SET_PARAMETER, ANNOUNCE, REDIRECT';

export class ClientSession {
  readonly ended: Promise<SessionEnd>;
  private endResolve!: (e: SessionEnd) => void;
  private done = false;
  private conn: RtspConnection | undefined;
  private readonly media: SessionMedia;
  private publicMethods: string[] = [];
  private sessionId: string | undefined;
  private timeoutS = DEFAULT_SESSION_TIMEOUT_S;
  private aggregateUrl: string;
  private server: string | undefined;
  private readonly pendingTimers = new Map<'keepalive' | 'report' | 'watch', TimerHandle>();
  private readonly t: Clock;
  private readonly ourSsrc = (Math.random() * 0x100000000) >>> 0;
  private keepAliveMethod: 'GET_PARAMETER' | 'OPTIONS' = 'OPTIONS';
  private playing = false;
  private playedAt = 0;

  constructor(
    private readonly url: string,
    private readonly opts: RtspClientOptions & { clock: Clock },
    private readonly auth: RtspAuthenticator,
    readonly mode: RtspTransportMode,
    private readonly hooks: SessionHooks,
  ) {
    this.t = opts.clock;
    this.aggregateUrl = url;
    this.ended = new Promise((r) => (this.endResolve = r));
    this.media = new SessionMedia(
      {
        rtp: hooks.rtp,
        rtcp: hooks.rtcp,
        quirk: hooks.quirk,
        sendFrame: (ch, d) => this.conn?.sendFrame(ch, d),
        now: () => this.t.now(),
        wire: opts.wireTap,
        connection: () => this.conn?.endpoints,
      },
      {
        bindAddress: opts.bindAddress, receiveBufferBytes: opts.receiveBufferBytes, multicastInterface: opts.multicastInterface,
        announcePorts: opts.udpAnnouncePorts,
      },
    );
  }

  get connectionStats() {
    return this.conn?.stats;
  }

  get tracks(): RtspTrack[] {
    return this.media.tracks;
  }

  trackStats() {
    return this.media.stats();
  }

  /** Connects and plays. Throws RtspClientError or RedirectSignal. */
  async start(generation: number): Promise<RtspSessionInfo> {
    const { host, port } = rtspUrlParts(this.url);
    this.conn = await RtspConnection.open(host, port, {
      clock: this.t,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      parserLimits: this.opts.parserLimits,
      tls: isRtsps(this.url) ? (this.opts.tls ?? {}) : undefined,
      onFrame: (ch, d) => this.media.onFrame(ch, d),
      onRequest: (req) => this.answer(req),
      onClose: (e) => this.finish(e ?? 'stopped'),
    });
    try {
      return await this.handshake(generation);
    } catch (e) {
      this.close();
      if (e instanceof RedirectSignal || e instanceof RtspClientError) throw e;
      throw new RtspClientError('RTSP_PROTOCOL', redactText((e as Error).message ?? String(e)));
    }
  }

  private async handshake(generation: number): Promise<RtspSessionInfo> {
    const options = await this.call('OPTIONS', this.url, undefined, { tolerateFailure: true });
    if (options) {
      this.noteServer(options);
      const list = options.headers.get('public') ?? options.headers.get('allow');
      if (!options.headers.has('public') && list) this.hooks.quirk('allow-instead-of-public');
      this.publicMethods = parsePublic(list);
    }
    this.keepAliveMethod = this.publicMethods.includes('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
    const describe = (await this.call('DESCRIBE', this.url, new RtspHeaders({ Accept: 'application/sdp' })))!;
    this.noteServer(describe);
    const base = baseUrlFor(describe.headers, this.url);
    const sdpText = bodyText(describe);
    const d = describeRtspTracks(sdpText, base, this.opts.wantTrack);
    this.aggregateUrl = d.aggregateUrl;
    for (const track of d.tracks) {
      const offer = await this.media.offer(track, this.mode);
      const headers = new RtspHeaders({ Transport: offer });
      const res = (await this.call('SETUP', track.control, headers))!;
      this.takeSession(res);
      const tv = res.headers.get('transport');
      if (!tv) throw new RtspClientError('RTSP_PROTOCOL', 'SETUP answer without Transport');
      let reply: TransportSpec;
      try {
        reply = parseTransport(tv);
      } catch (e) {
        throw new RtspClientError('RTSP_PROTOCOL', `bad Transport in SETUP answer: ${(e as Error).message}`);
      }
      const mc = d.multicast[track.index];
      await this.media.accept(track.index, reply, this.conn!.remoteAddress ?? rtspUrlParts(this.url).host, mc, mc?.source);
    }
    if (!this.sessionId) throw new RtspClientError('RTSP_PROTOCOL', 'SETUP answer without Session');
    const play = (await this.call('PLAY', this.aggregateUrl, new RtspHeaders({ Range: 'npt=0.000-' })))!;
    this.takeSession(play);
    let rtpInfo: RtpInfoEntry[] = [];
    const ri = play.headers.get('rtp-info');
    if (ri) rtpInfo = parseRtpInfo(ri);
    this.playing = true;
    this.playedAt = this.t.now();
    this.scheduleKeepAlive();
    this.scheduleReports();
    this.scheduleMediaWatch(true);
    return {
      url: this.url,
      server: this.server,
      transport: this.media.mode ?? this.mode,
      tracks: d.tracks,
      sessionId: this.sessionId,
      timeoutS: this.timeoutS,
      keepAliveMethod: this.keepAliveMethod,
      authScheme: this.auth.scheme,
      sdp: sdpText,
      description: d.description,
      rtpInfo,
      generation,
      ...(this.conn && this.conn.stats.quickestResponseMs >= 0 ? { controlRttMs: this.conn.stats.quickestResponseMs } : {}),
    };
  }

  private noteServer(res: RtspResponse): void {
    this.server ??= res.headers.get('server');
  }

  private takeSession(res: RtspResponse): void {
    const v = res.headers.get('session');
    if (!v) return;
    let s;
    try {
      s = parseSession(v);
    } catch {
      this.hooks.quirk('bad-session-header');
      return;
    }
    if (this.sessionId === undefined) this.sessionId = s.id;
    else if (s.id !== this.sessionId) this.hooks.quirk('session-id-changed'); // H264DVR: keep the first
    if (s.timeout !== undefined && s.timeout !== this.timeoutS) {
      if (this.playing) this.hooks.quirk('session-timeout-changed');
      this.timeoutS = s.timeout;
    }
  }

  /**
   * Sends a request with Session, User-Agent and Authorization, answering 401 challenges
   * (also mid-session ones with a new nonce). 3xx raises RedirectSignal before PLAY.
   */
  private async call(method: string, url: string, extra?: RtspHeaders, o: { tolerateFailure?: boolean } = {}): Promise<RtspResponse | undefined> {
    let retried = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      const h = extra?.clone() ?? new RtspHeaders();
      h.set('User-Agent', this.opts.userAgent ?? RTSP_CLIENT_DEFAULTS.userAgent);
      if (this.sessionId !== undefined) h.set('Session', this.sessionId);
      const authorization = this.auth.authorization(method, url);
      if (authorization) h.set('Authorization', authorization);
      if (!this.conn?.isOpen) throw new RtspClientError('RTSP_CONNECTION_CLOSED', `connection closed before ${method}`);
      const res = await this.conn.request(method, url, h);
      if (res.status === 401) {
        let challenges: ReturnType<typeof parseWwwAuthenticate>;
        try {
          challenges = parseWwwAuthenticate(res.headers.getAll('www-authenticate'));
        } catch {
          challenges = [];
        }
        const outcome = this.auth.onChallenge(challenges, authorization !== undefined, retried);
        if (outcome === 'retry') {
          if (authorization !== undefined) this.hooks.counters.reauthentications++;
          retried = true;
          continue;
        }
        const why = outcome === 'no-credentials' ? 'credentials required' : outcome === 'unsupported' ? 'no supported authentication scheme' : 'credentials rejected';
        throw new RtspStatusError('RTSP_UNAUTHORIZED', method, 401, why);
      }
      if (res.status >= 300 && res.status < 400 && !this.playing) {
        const location = res.headers.get('location');
        if (location) throw new RedirectSignal(location);
      }
      if (res.status < 200 || res.status >= 300) {
        if (o.tolerateFailure) {
          this.hooks.quirk(`${method.toLowerCase()}-answered-${res.status}`);
          return undefined;
        }
        throw statusError(method, res.status, res.reason);
      }
      return res;
    }
    throw new RtspStatusError('RTSP_UNAUTHORIZED', method, 401, 'authentication kept failing');
  }

  /** Requests the server sends us during the session. */
  private answer(req: RtspRequest): ResponseInit {
    switch (req.method.toUpperCase()) {
      case 'OPTIONS':
        return { status: 200, headers: new RtspHeaders({ Public: SERVER_REQUESTS_WE_ANSWER }) };
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return { status: 200 };
      case 'ANNOUNCE':
        queueMicrotask(() => this.finish('announce')); // after our 200 is written
        return { status: 200 };
      case 'REDIRECT': {
        const location = req.headers.get('location');
        if (!location) return { status: 400 };
        queueMicrotask(() => this.finish(new RedirectSignal(location)));
        return { status: 200 };
      }
      default:
        return { status: 501 };
    }
  }

  private scheduleKeepAlive(): void {
    const ms = Math.max(this.timeoutS - 5, 1) * 1000;
    this.pendingTimers.set('keepalive', this.t.setTimer(ms, () => void this.keepAlive()));
  }

  private async keepAlive(): Promise<void> {
    if (this.done) return;
    this.hooks.counters.keepAlivesSent++;
    try {
      const res = await this.call(this.keepAliveMethod, this.aggregateUrl);
      if (res) this.takeSession(res); // Axis: the keep-alive answer may shorten the timeout
    } catch (e) {
      if (this.done) return;
      const err = e as RtspClientError;
      this.hooks.counters.keepAliveFailures++;
      if (err.code === 'RTSP_SESSION_NOT_FOUND' || err.code === 'RTSP_UNAUTHORIZED' || err.code === 'RTSP_CONNECTION_CLOSED') {
        this.finish(err);
        return;
      }
      if (err instanceof RtspStatusError && this.keepAliveMethod === 'GET_PARAMETER') {
        this.hooks.quirk('get-parameter-keepalive-rejected');
        this.keepAliveMethod = 'OPTIONS';
      }
      // Timeouts: some cameras never answer keep-alives; media timeouts catch a dead session.
    }
    if (!this.done) this.scheduleKeepAlive();
  }

  private scheduleReports(): void {
    const ms = this.opts.rtcpIntervalMs ?? RTSP_CLIENT_DEFAULTS.rtcpIntervalMs;
    this.pendingTimers.set(
      'report',
      this.t.setTimer(ms, () => {
        if (this.done) return;
        for (const track of this.media.tracks) {
          const block = this.media.reception(track.index)?.reportBlock(this.t.now());
          if (block) this.media.sendRtcp(track.index, buildReceiverReport(this.ourSsrc, block));
        }
        this.scheduleReports();
      }),
    );
  }

  /** First check after udpFallbackMs (UDP/multicast), then no RTP for mediaTimeoutMs ends the session. */
  private scheduleMediaWatch(first: boolean): void {
    const udpLike = this.media.mode !== 'tcp';
    const timeout = this.opts.mediaTimeoutMs ?? RTSP_CLIENT_DEFAULTS.mediaTimeoutMs;
    const delay = first && udpLike ? this.opts.udpFallbackMs ?? RTSP_CLIENT_DEFAULTS.udpFallbackMs : Math.max(250, timeout / 4);
    this.pendingTimers.set(
      'watch',
      this.t.setTimer(delay, () => {
        if (this.done || !this.playing) return;
        const last = this.media.lastRtpAt;
        const now = this.t.now();
        if (last < 0 && first && udpLike) {
          this.finish(new RtspClientError('RTSP_NO_MEDIA', `no RTP over ${this.media.mode} within ${delay} ms of PLAY`));
          return;
        }
        if (now - Math.max(last, this.playedAt) >= timeout) {
          this.finish(new RtspClientError('RTSP_NO_MEDIA', `no RTP for ${timeout} ms`));
          return;
        }
        this.scheduleMediaWatch(false);
      }),
    );
  }

  sendRtcp(index: number, data: Uint8Array): boolean {
    return !this.done && this.media.sendRtcp(index, data);
  }

  requestKeyframe(index: number): boolean {
    const ssrc = this.media.mediaSsrc(index);
    if (ssrc === undefined) return false;
    return this.sendRtcp(index, buildPli(this.ourSsrc, ssrc));
  }

  async pause(): Promise<void> {
    this.playing = false;
    this.pendingTimers.get('watch')?.cancel();
    await this.call('PAUSE', this.aggregateUrl);
  }

  async resume(): Promise<void> {
    await this.call('PLAY', this.aggregateUrl);
    this.playing = true;
    this.playedAt = this.t.now();
    this.scheduleMediaWatch(false);
  }

  /** TEARDOWN (best effort, short wait) and close. */
  async teardown(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.cancelTimers();
    if (this.conn?.isOpen && this.sessionId !== undefined) {
      const h = new RtspHeaders({ 'User-Agent': this.opts.userAgent ?? RTSP_CLIENT_DEFAULTS.userAgent, Session: this.sessionId });
      const auth = this.auth.authorization('TEARDOWN', this.aggregateUrl);
      if (auth) h.set('Authorization', auth);
      let timer: TimerHandle | undefined;
      const wait = new Promise<void>((r) => (timer = this.t.setTimer(1000, r)));
      await Promise.race([this.conn.request('TEARDOWN', this.aggregateUrl, h).catch(() => undefined), wait]);
      // a pending timer would keep the process alive for the rest of the second
      timer?.cancel();
    }
    this.close();
    this.endResolve('stopped');
  }

  private finish(why: SessionEnd): void {
    if (this.done) return;
    this.done = true;
    this.close();
    this.endResolve(why);
  }

  private cancelTimers(): void {
    for (const t of this.pendingTimers.values()) t.cancel();
    this.pendingTimers.clear();
  }

  close(): void {
    this.cancelTimers();
    this.media.close();
    this.conn?.close();
  }
}
