/**
 * camwire's RTSP 1.0 server (RFC 2326): serves mounts, each a gateway stream's video track
 * fanned out to every viewer like a camera (one SSRC, one numbering), over UDP unicast, TCP
 * interleaved and UDP multicast, with optional Basic/Digest authentication. Viewers' PLI/FIR
 * go to the stream as keyframe requests (merged, rate-limited); sender reports go out every
 * few seconds. `addStream` serves a clip that way (the built-in demo camera, the RTSP
 * client's test peer); `addMount` serves any stream's track.
 *
 * Sessions belong to the connection that made them and end with it (like gortsplib), on
 * TEARDOWN, or (UDP and multicast) after `sessionTimeoutMs` without a request or RTCP.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import { RtspHeaders, RtspMessageParser, serializeResponse, type RtspMessage, type RtspRequest, type RtspParserLimits } from '../protocol/index.js';
import type { H264Source } from './media-source.js';
import type { BeepAudio } from './beep-audio.js';
import { CLIP_MOUNT_DEFAULTS, clipMount } from './clip-mount.js';
import { RTSP_MOUNT_DEFAULTS, type RtspMount, type RtspMountStats } from './mount.js';
import type { Clock, TimerHandle } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { ServerAuth, type ServerAuthOptions } from './auth.js';
import { bindUdpPair, closeUdpQuietly, MulticastPool, type MulticastOptions, type UdpPair } from './udp.js';
import { INTERLEAVED_OUTPUT_DEFAULTS } from './outputs.js';
import { normalizePath } from './paths.js';
import { ServerSession } from './session.js';
import { RequestHandler, type ServerConnection } from './requests.js';
import type { RtspServerCounters } from './counters.js';

export type { RtspServerCounters } from './counters.js';
import { RtspServerError } from './errors.js';
import { RETRANSMISSION_HISTORY_DEFAULTS, type RetransmissionHistoryOptions } from '../../recovery/history.js';

export interface RtspServerOptions {
  /** Address to listen on (RTSP and UDP). Default 127.0.0.1. */
  host?: string;
  /** RTSP TCP port; 0 picks a free one. Default 8554. */
  port?: number;
  /** Offer UDP unicast. Default true. */
  udp?: boolean;
  /** Even UDP port for RTP (RTCP on the next); default: any free pair. */
  udpRtpPort?: number;
  /** Offer UDP multicast with this address pool. Default: off. */
  multicast?: MulticastOptions;
  /** Require authentication (OPTIONS stays open). Default: none. */
  auth?: Omit<ServerAuthOptions, 'now'>;
  /** UDP/multicast session timeout, announced in the Session header. Default 60000 ms. */
  sessionTimeoutMs?: number;
  /** Most simultaneous RTSP connections. Default 128. */
  maxConnections?: number;
  /** Most sessions on the whole server. Default 256. */
  maxSessions?: number;
  /** Most sessions one connection may hold (a SETUP flood on one socket). Default 16. */
  maxSessionsPerConnection?: number;
  /** Unsent bytes an interleaved (TCP) viewer may queue before it skips to a keyframe. Default 1 MiB. */
  maxQueueBytes?: number;
  /** A TCP viewer stuck that long with a full queue is disconnected. Default 10000 ms. */
  stallTimeoutMs?: number;
  /** Requests one connection may have waiting for their replies; past it the connection is closed. Default 16. */
  maxPendingRequests?: number;
  /** RTSP parser bounds; bodies default to 64 KiB (requests carry little). */
  parserLimits?: Partial<RtspParserLimits>;
  /** RTP packet size limit. Default 1200 bytes. */
  maxPacketSize?: number;
  /** Sender report interval. Default 5000 ms. */
  senderReportIntervalMs?: number;
  /**
   * At most one keyframe request to a clip per this interval (its stream's KeyframePolicy, the
   * gateway's: merged, never lost). Default 1000 ms.
   */
  minKeyframeIntervalMs?: number;
  /**
   * Answer viewers' RTCP NACKs over UDP from a history of recently sent packets (like a camera
   * with AVPF), or false to ignore NACKs. Default: on, 1000 ms / 1024 packets per stream.
   */
  retransmission?: RetransmissionHistoryOptions | false;
  /** First RTP sequence number of every stream (tests crossing the wrap). Default: random. */
  initialSequenceNumber?: number;
  /** Server header value. Default 'camwire'. */
  serverName?: string;
  clock?: Clock;
  random?: () => number;
}

/**
 * Without a default: `udpRtpPort` (any free pair), `multicast` (off), `auth` (none),
 * `initialSequenceNumber` (random), `clock` and `random` (the system's).
 */
export const RTSP_SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8554,
  udp: true,
  sessionTimeoutMs: 60_000,
  maxConnections: 128,
  maxSessions: 256,
  maxSessionsPerConnection: 16,
  maxQueueBytes: INTERLEAVED_OUTPUT_DEFAULTS.maxQueueBytes,
  stallTimeoutMs: INTERLEAVED_OUTPUT_DEFAULTS.stallTimeoutMs,
  maxPendingRequests: 16,
  /** Over DEFAULT_RTSP_PARSER_LIMITS: requests carry little. */
  parserLimits: Object.freeze({ maxBodyBytes: 64 * 1024 }),
  maxPacketSize: CLIP_MOUNT_DEFAULTS.maxPacketSize,
  senderReportIntervalMs: RTSP_MOUNT_DEFAULTS.senderReportIntervalMs,
  minKeyframeIntervalMs: CLIP_MOUNT_DEFAULTS.minKeyframeIntervalMs,
  retransmission: RETRANSMISSION_HISTORY_DEFAULTS,
  serverName: 'camwire',
} as const satisfies Required<Omit<RtspServerOptions, 'udpRtpPort' | 'multicast' | 'auth' | 'initialSequenceNumber' | 'clock' | 'random'>>);


export interface RtspServerStats extends RtspServerCounters {
  openConnections: number;
  sessions: number;
  streams: Record<string, RtspMountStats>;
}

export class RtspServer {
  readonly host: string;
  readonly clock: Clock;
  readonly counters: RtspServerCounters = {
    connections: 0, requests: 0, badRequests: 0, authFailures: 0, sessionsCreated: 0, setupsRefused: 0, sessionsTimedOut: 0, sessionsTornDown: 0,
    rtcpReceived: 0, rtcpFromUnknownSource: 0, plisReceived: 0, firsReceived: 0, nacksReceived: 0, retransmissionsSent: 0,
    slowViewersDropped: 0,
  };
  private readonly opts: RtspServerOptions;
  private readonly streams = new Map<string, RtspMount>();
  private readonly sessions = new Map<string, ServerSession>();
  private readonly connections = new Map<number, ServerConnection>();
  private readonly handler: RequestHandler;
  private readonly timeoutMs: number;
  private tcp: Server | undefined;
  private udp: UdpPair | undefined;
  private sweepTimer: TimerHandle | undefined;
  private nextConnectionId = 1;
  private boundPort = 0;

  constructor(opts: RtspServerOptions = {}) {
    this.opts = opts;
    this.host = opts.host ?? RTSP_SERVER_DEFAULTS.host;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.sessionTimeoutMs ?? RTSP_SERVER_DEFAULTS.sessionTimeoutMs;
    if (!(this.timeoutMs >= 1000)) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `sessionTimeoutMs ${this.timeoutMs} is below 1000`);
    const auth = opts.auth ? new ServerAuth({ ...opts.auth, now: () => this.clock.now() }) : undefined;
    this.handler = new RequestHandler({
      streams: this.streams,
      sessions: this.sessions,
      counters: this.counters,
      clock: this.clock,
      auth,
      serverName: opts.serverName ?? RTSP_SERVER_DEFAULTS.serverName,
      sessionTimeoutMs: this.timeoutMs,
      maxSessions: opts.maxSessions ?? RTSP_SERVER_DEFAULTS.maxSessions,
      maxSessionsPerConnection: opts.maxSessionsPerConnection ?? RTSP_SERVER_DEFAULTS.maxSessionsPerConnection,
      maxQueueBytes: opts.maxQueueBytes ?? RTSP_SERVER_DEFAULTS.maxQueueBytes,
      stallTimeoutMs: opts.stallTimeoutMs ?? RTSP_SERVER_DEFAULTS.stallTimeoutMs,
      multicast: opts.multicast ? new MulticastPool(opts.multicast) : undefined,
      udp: () => this.udp,
      newSessionId: () => randomBytes(8).toString('hex'),
    });
  }

  /** Serves the clip `source` at `path` (e.g. `/demo`), paced like a camera, through its own stream; with `sound` as a second track. */
  addStream(path: string, source: H264Source, sound?: BeepAudio): RtspMount {
    const p = normalizePath(path);
    if (this.streams.has(p)) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `a stream is already served at ${p}`);
    const mount = clipMount(p, source, {
      clock: this.clock,
      random: this.opts.random,
      maxPacketSize: this.opts.maxPacketSize,
      senderReportIntervalMs: this.opts.senderReportIntervalMs,
      minKeyframeIntervalMs: this.opts.minKeyframeIntervalMs,
      retransmission: this.opts.retransmission,
      initialSequenceNumber: this.opts.initialSequenceNumber,
      sound,
    });
    this.streams.set(p, mount);
    return mount;
  }

  /** Serves `mount` (a stream's video track and its SDP facts) at `path`. */
  addMount(path: string, mount: RtspMount): void {
    const p = normalizePath(path);
    if (this.streams.has(p)) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `a stream is already served at ${p}`);
    this.streams.set(p, mount);
  }

  /**
   * Stops serving `path` (its stream went away): DESCRIBE answers 404 from now on, and each
   * connection that had a session on it is closed, as a camera that went away would be, so
   * its client sees the end at once. False when nothing was served there.
   */
  removeMount(path: string): boolean {
    const p = normalizePath(path);
    const mount = this.streams.get(p);
    if (!mount) return false;
    this.streams.delete(p);
    for (const c of this.connections.values()) {
      if (![...c.sessions].some((s) => s.path === p)) continue;
      for (const s of [...c.sessions]) this.handler.destroySession(s);
      c.socket.destroy();
    }
    mount.close();
    return true;
  }

  /** The TCP port the server listens on (after `listen`). */
  get port(): number {
    return this.boundPort;
  }

  /** `rtsp://host:port/path` of a served stream. */
  url(path: string): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host === '0.0.0.0' ? '127.0.0.1' : this.host;
    return `rtsp://${host}:${this.boundPort}${normalizePath(path)}`;
  }

  async listen(): Promise<number> {
    if (this.opts.udp ?? RTSP_SERVER_DEFAULTS.udp) {
      this.udp = await bindUdpPair(this.host, this.opts.udpRtpPort);
      this.udp.rtcp.on('message', (msg, rinfo) => this.onUdpRtcp(msg, rinfo));
      this.udp.rtp.on('message', () => {}); // clients' NAT punch packets
      this.udp.rtp.on('error', () => {});
      this.udp.rtcp.on('error', () => {});
    }
    const tcp = createServer((socket) => this.onConnection(socket));
    tcp.maxConnections = this.opts.maxConnections ?? RTSP_SERVER_DEFAULTS.maxConnections;
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.opts.port ?? RTSP_SERVER_DEFAULTS.port, this.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    tcp.on('error', () => {});
    const addr = tcp.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : 0;
    this.scheduleSweep();
    return this.boundPort;
  }

  async close(): Promise<void> {
    this.sweepTimer?.cancel();
    this.sweepTimer = undefined;
    for (const s of [...this.sessions.values()]) this.handler.destroySession(s);
    this.handler.closeGroups();
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    for (const s of this.streams.values()) s.close();
    if (this.udp) {
      closeUdpQuietly(this.udp.rtp);
      closeUdpQuietly(this.udp.rtcp);
      this.udp = undefined;
    }
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  stats(): RtspServerStats {
    const streams: Record<string, RtspMountStats> = {};
    for (const [p, s] of this.streams) streams[p] = s.stats();
    return { ...this.counters, openConnections: this.connections.size, sessions: this.sessions.size, streams };
  }

  /** Per-session viewer counters (the video output's; the audio output's beside it), for tests and the stats endpoint. */
  sessionStats(): { id: string; path: string; transport: string; playing: boolean; tracks: string[]; viewer?: object; audioViewer?: object }[] {
    return [...this.sessions.values()].map((s) => {
      const video = s.media.get('video')?.viewer;
      const audio = s.media.get('audio')?.viewer;
      return {
        id: s.id, path: s.path, transport: s.transportKind, playing: s.playing, tracks: [...s.media.keys()],
        viewer: video ? { ...video.stats } : undefined,
        ...(audio ? { audioViewer: { ...audio.stats } } : {}),
      };
    });
  }

  private onConnection(socket: Socket): void {
    this.counters.connections++;
    socket.setNoDelay(true);
    const id = this.nextConnectionId++;
    const localAddress = unmapIpv4(socket.localAddress ?? this.host);
    const conn: ServerConnection = {
      id,
      socket,
      sessions: new Set(),
      nextChannel: 0,
      remoteAddress: unmapIpv4(socket.remoteAddress ?? ''),
      localAddress,
      localOrigin: `rtsp://${formatHost(localAddress)}:${socket.localPort ?? this.boundPort}`,
      queue: Promise.resolve(),
      pending: 0,
    };
    this.connections.set(id, conn);
    const parser = new RtspMessageParser(
      {
        onMessage: (m: RtspMessage) => this.onMessage(conn, m),
        onFrame: (channel: number, data: Uint8Array) => this.handler.onInterleaved(conn, channel, data),
      },
      { ...RTSP_SERVER_DEFAULTS.parserLimits, ...this.opts.parserLimits },
    );
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch {
        // out of step with the client: say so once and hang up
        this.counters.badRequests++;
        if (!socket.destroyed) socket.end(serializeResponse({ status: 400, headers: new RtspHeaders({ Server: this.opts.serverName ?? RTSP_SERVER_DEFAULTS.serverName }) }));
        socket.removeAllListeners('data');
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.connections.delete(id);
      for (const s of [...conn.sessions]) this.handler.destroySession(s);
    });
  }

  private onMessage(conn: ServerConnection, m: RtspMessage): void {
    if (m.type !== 'request') return; // replies to requests we never send: ignore
    this.counters.requests++;
    const req: RtspRequest = m;
    if (conn.pending >= (this.opts.maxPendingRequests ?? RTSP_SERVER_DEFAULTS.maxPendingRequests)) {
      // a client that never reads its replies (or floods us) must not queue work without bound
      this.counters.badRequests++;
      conn.socket.destroy();
      return;
    }
    conn.pending++;
    // one request at a time per connection, so replies keep the requests' order
    conn.queue = conn.queue
      .then(() => this.handler.handle(conn, req))
      .catch(() => {
        this.counters.badRequests++;
        if (!conn.socket.destroyed) conn.socket.write(serializeResponse({ status: 500, headers: new RtspHeaders({ CSeq: req.headers.get('CSeq') ?? '0' }) }));
      })
      .finally(() => { conn.pending--; });
  }

  private onUdpRtcp(msg: Buffer, rinfo: RemoteInfo): void {
    const session = this.handler.sessionByRtcpSource(`${unmapIpv4(rinfo.address)}:${rinfo.port}`);
    if (!session) {
      this.counters.rtcpFromUnknownSource++;
      return;
    }
    this.handler.onRtcp(session, msg);
  }

  private scheduleSweep(): void {
    const interval = Math.min(5000, Math.max(100, this.timeoutMs / 4));
    this.sweepTimer = this.clock.setTimer(interval, () => {
      const now = this.clock.now();
      for (const s of [...this.sessions.values()]) {
        if (s.transportKind !== 'tcp' && now - s.lastActivity > this.timeoutMs) {
          this.counters.sessionsTimedOut++;
          this.handler.destroySession(s);
        }
      }
      if (this.tcp) this.scheduleSweep();
    });
  }
}

function unmapIpv4(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function formatHost(a: string): string {
  return a.includes(':') ? `[${a}]` : a;
}
