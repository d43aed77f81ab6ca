/**
 * The RTSP methods of camwire's server: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN,
 * GET_PARAMETER (keep-alive). A bad request gets an error status, never an exception that
 * ends the server; unknown methods get 501.
 */
import type { Socket } from 'node:net';
import { RtspHeaders, serializeResponse, type RtspRequest } from '../protocol/index.js';
import { parseSession, parseTransports, serializeRtpInfo, serializeTransport, type TransportSpec } from '../protocol/headers/index.js';
import type { RtspMount } from './mount.js';
import type { Clock } from '../../clock.js';
import type { ServerAuth } from './auth.js';
import { openMulticastSockets, closeUdpQuietly, type MulticastPool, type UdpPair } from './udp.js';
import { AUDIO_TRACK_CONTROL, resolveRequestUrl, TRACK_CONTROL, type ResolvedUrl } from './paths.js';
import { MulticastGroup, rtcpSourceKey, ServerSession, type MediaKind, type SessionMedia, type SessionTransport } from './session.js';
import { InterleavedOutput, UdpOutput } from './outputs.js';
import { buildVideoSdp } from './sdp.js';
import { readViewerFeedback } from './rtcp.js';
import type { RtspServerCounters } from './counters.js';

export interface ServerConnection {
  readonly id: number;
  readonly socket: Socket;
  readonly sessions: Set<ServerSession>;
  /** Next free interleaved channel pair for clients that do not pick one. */
  nextChannel: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** `rtsp://local-address:port`, for requests that carry only a path. */
  readonly localOrigin: string;
  queue: Promise<void>;
  /** Requests received whose replies are not written yet. */
  pending: number;
}

export interface RequestHandlerDeps {
  streams: ReadonlyMap<string, RtspMount>;
  sessions: Map<string, ServerSession>;
  counters: RtspServerCounters;
  clock: Clock;
  auth: ServerAuth | undefined;
  serverName: string;
  sessionTimeoutMs: number;
  maxSessions: number;
  maxSessionsPerConnection: number;
  maxQueueBytes: number;
  stallTimeoutMs: number;
  multicast: MulticastPool | undefined;
  udp: () => UdpPair | undefined;
  newSessionId: () => string;
}

const METHODS = ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER'];
const PUBLIC = METHODS.join(', ');
const SUPPORTED = new Set(METHODS);

interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Header values that repeat (WWW-Authenticate). */
  repeated?: [string, string][];
  body?: string;
}

export class RequestHandler {
  private readonly rtcpRoutes = new Map<string, ServerSession>();
  private readonly groups = new Map<string, MulticastGroup>();
  private readonly sdpSessionId: number;

  constructor(private readonly d: RequestHandlerDeps) {
    this.sdpSessionId = Math.floor(d.clock.now() / 1000);
  }

  async handle(conn: ServerConnection, req: RtspRequest): Promise<void> {
    const reply = await this.dispatch(conn, req);
    if (reply.status >= 400) this.d.counters.badRequests += reply.status === 401 ? 0 : 1;
    const headers = new RtspHeaders();
    const cseq = req.headers.get('CSeq');
    if (cseq !== undefined) headers.set('CSeq', cseq.trim());
    headers.set('Server', this.d.serverName);
    for (const [k, v] of Object.entries(reply.headers ?? {})) headers.set(k, v);
    for (const [k, v] of reply.repeated ?? []) headers.append(k, v);
    if (!conn.socket.destroyed) conn.socket.write(serializeResponse({ status: reply.status, headers, body: reply.body }));
  }

  private async dispatch(conn: ServerConnection, req: RtspRequest): Promise<Reply> {
    if (req.headers.get('CSeq') === undefined) return { status: 400 };
    if (req.version !== 'RTSP/1.0') return { status: 505 };
    if (req.method === 'OPTIONS') {
      this.touch(req);
      return { status: 200, headers: { Public: PUBLIC } };
    }
    if (!SUPPORTED.has(req.method)) return { status: 501, headers: { Public: PUBLIC } };
    const require = req.headers.get('Require');
    if (require) return { status: 551, headers: { Unsupported: require } };
    if (this.d.auth) {
      const result = this.d.auth.verify(req.method, req.headers.get('Authorization'));
      if (result !== 'ok') {
        if (result !== 'missing') this.d.counters.authFailures++;
        return { status: 401, repeated: this.d.auth.challenges(result === 'stale').map((c) => ['WWW-Authenticate', c]) };
      }
    }
    switch (req.method) {
      case 'DESCRIBE': return this.describe(conn, req);
      case 'SETUP': return this.setup(conn, req);
      case 'PLAY': return this.play(conn, req);
      case 'PAUSE': return this.pause(conn, req);
      case 'TEARDOWN': return this.teardown(conn, req);
      case 'GET_PARAMETER': return this.getParameter(conn, req);
      default: return { status: 501, headers: { Public: PUBLIC } };
    }
  }

  private resolve(conn: ServerConnection, req: RtspRequest): ResolvedUrl | undefined {
    return resolveRequestUrl(req.url, this.d.streams.keys(), conn.localOrigin);
  }

  private async describe(conn: ServerConnection, req: RtspRequest): Promise<Reply> {
    const target = this.resolve(conn, req);
    if (!target || target.control !== '') return { status: 404 };
    const stream = this.d.streams.get(target.path)!;
    const facts = await stream.describe();
    // the camera behind the stream did not answer (or sent no parameter sets) in time
    if (!facts) return { status: 503 };
    const sdp = buildVideoSdp({
      sessionId: this.sdpSessionId,
      originAddress: conn.localAddress,
      sessionName: `camwire ${target.path}`,
      codec: facts.codec,
      vps: facts.vps,
      sps: facts.sps,
      pps: facts.pps,
      payloadType: stream.payloadType,
      trackControl: TRACK_CONTROL,
      frameRate: facts.frameRate,
      audio: facts.audio && { ...facts.audio, trackControl: AUDIO_TRACK_CONTROL },
    });
    return { status: 200, headers: { 'Content-Base': target.base, 'Content-Type': 'application/sdp' }, body: sdp };
  }

  /** The session a request names: undefined when it names none, null when it names an unknown one. */
  private sessionOf(conn: ServerConnection, req: RtspRequest): ServerSession | undefined | null {
    const value = req.headers.get('Session');
    if (value === undefined) return undefined;
    let id: string;
    try {
      id = parseSession(value).id;
    } catch {
      return null;
    }
    const s = this.d.sessions.get(id);
    if (!s || s.connectionId !== conn.id) return null;
    s.lastActivity = this.d.clock.now();
    return s;
  }

  private sessionHeader(s: ServerSession): string {
    return `${s.id};timeout=${Math.round(this.d.sessionTimeoutMs / 1000)}`;
  }

  private async setup(conn: ServerConnection, req: RtspRequest): Promise<Reply> {
    const target = this.resolve(conn, req);
    const stream = target && this.d.streams.get(target.path);
    const kind = target && stream && trackKind(target.control, stream);
    if (!target || !stream || !kind) return { status: 404 };
    const existing = this.sessionOf(conn, req);
    if (existing === null) return { status: 454 };
    if (existing && (existing.playing || existing.path !== target.path)) return { status: 455 };
    if (!existing && (this.d.sessions.size >= this.d.maxSessions || conn.sessions.size >= this.d.maxSessionsPerConnection)) {
      this.d.counters.setupsRefused++;
      return { status: 453 };
    }
    const header = req.headers.get('Transport');
    if (!header) return { status: 461 };
    let specs: TransportSpec[];
    try {
      specs = parseTransports(header);
    } catch {
      return { status: 400 };
    }
    for (const spec of specs) {
      if (spec.profile !== 'RTP/AVP' && spec.profile !== 'RTP/AVPF') continue;
      const chosen = await this.chooseTransport(conn, spec, target.path, stream, kind);
      if (!chosen) continue;
      let session = existing;
      if (session) {
        this.releaseMedia(session, kind);
      } else {
        session = new ServerSession(this.d.newSessionId(), target.path, stream, conn.id, conn.sessions, this.d.clock.now());
        this.d.sessions.set(session.id, session);
        conn.sessions.add(session);
        this.d.counters.sessionsCreated++;
      }
      const t = chosen.transport;
      session.media.set(kind, { transport: t, viewer: undefined });
      const key = rtcpSourceKey(t);
      if (key) this.rtcpRoutes.set(key, session);
      if (t.kind === 'multicast') t.group.join(session);
      return { status: 200, headers: { Transport: serializeTransport(chosen.reply), Session: this.sessionHeader(session) } };
    }
    return { status: 461 };
  }

  private async chooseTransport(conn: ServerConnection, spec: TransportSpec, path: string, stream: RtspMount, kind: MediaKind): Promise<{ transport: SessionTransport; reply: TransportSpec } | undefined> {
    const ssrc = kind === 'audio' ? stream.audio!.ssrc : stream.ssrc;
    if (spec.lowerTransport === 'TCP') {
      if (spec.delivery === 'multicast') return undefined;
      const channels = spec.interleaved ?? [conn.nextChannel, conn.nextChannel + 1];
      if (channels[1] > 255) return undefined;
      conn.nextChannel = Math.max(conn.nextChannel, channels[1] + 1 + (channels[1] % 2 === 0 ? 1 : 0));
      return {
        transport: { kind: 'tcp', rtpChannel: channels[0], rtcpChannel: channels[1] },
        reply: { profile: spec.profile, lowerTransport: 'TCP', delivery: 'unicast', interleaved: channels, ssrc },
      };
    }
    if (spec.delivery === 'multicast') {
      const group = await this.groupFor(path, stream);
      if (!group) return undefined;
      return {
        transport: { kind: 'multicast', group },
        reply: { profile: spec.profile, lowerTransport: 'UDP', delivery: 'multicast', destination: group.address, port: [group.portOf(kind), group.portOf(kind) + 1], ttl: group.ttl },
      };
    }
    const udp = this.d.udp();
    if (!udp || !spec.clientPort) return undefined;
    const [rtpPort, rtcpPort] = spec.clientPort;
    if (rtpPort === 0 || rtcpPort === 0) return undefined;
    return {
      // Media goes to the address the RTSP connection comes from, never to a `destination=`
      // the client names (that would make the server a traffic reflector).
      transport: { kind: 'udp', address: conn.remoteAddress, rtpPort, rtcpPort },
      reply: { profile: spec.profile, lowerTransport: 'UDP', delivery: 'unicast', clientPort: [rtpPort, rtcpPort], serverPort: [udp.rtpPort, udp.rtcpPort], ssrc },
    };
  }

  private async groupFor(path: string, stream: RtspMount): Promise<MulticastGroup | undefined> {
    const pool = this.d.multicast;
    if (!pool) return undefined;
    const existing = this.groups.get(path);
    if (existing) return existing;
    const address = pool.allocate();
    if (!address) return undefined;
    let sockets;
    try {
      sockets = await openMulticastSockets(pool, address);
    } catch {
      pool.release(address);
      return undefined;
    }
    const raced = this.groups.get(path);
    if (raced) {
      closeUdpQuietly(sockets.sender);
      if (sockets.rtcp) closeUdpQuietly(sockets.rtcp);
      pool.release(address);
      return raced;
    }
    const group = new MulticastGroup(address, pool.rtpPort, pool.ttl, stream, sockets.sender, sockets.rtcp);
    sockets.sender.on('error', () => {});
    sockets.rtcp?.on('error', () => {});
    sockets.rtcp?.on('message', (msg) => {
      this.d.counters.rtcpReceived++;
      const now = this.d.clock.now();
      for (const s of this.d.sessions.values()) {
        const t = s.media.get('video')?.transport;
        if (t?.kind === 'multicast' && t.group === group) s.lastActivity = now;
      }
      this.feedback(stream, group.viewer, msg);
    });
    this.groups.set(path, group);
    return group;
  }

  private play(conn: ServerConnection, req: RtspRequest): Reply {
    const s = this.sessionOf(conn, req);
    if (s === null) return { status: 454 };
    if (s === undefined) return { status: 455 };
    const target = this.resolve(conn, req);
    if (!target || target.path !== s.path) return { status: 404 };
    if (!s.playing) this.startPlaying(conn, s);
    const entries = [];
    const video = s.media.get('video');
    if (video) {
      const output = video.transport.kind === 'multicast' ? video.transport.group.viewer : video.viewer;
      entries.push({ url: target.base + TRACK_CONTROL, ...s.stream.rtpInfo(output ?? { startedAt: undefined }) });
    }
    if (s.media.has('audio')) entries.push({ url: target.base + AUDIO_TRACK_CONTROL, ...s.stream.audio!.rtpInfo() });
    return { status: 200, headers: { Session: this.sessionHeader(s), Range: 'npt=now-', 'RTP-Info': serializeRtpInfo(entries) } };
  }

  private startPlaying(conn: ServerConnection, s: ServerSession): void {
    s.playing = true;
    for (const [kind, m] of s.media) {
      const t = m.transport;
      if (t.kind === 'multicast') {
        t.group.play(s, kind);
        continue;
      }
      const host = kind === 'audio' ? s.stream.audio! : s.stream;
      if (t.kind === 'udp') {
        const udp = this.d.udp()!;
        // a dual-stack (udp6) socket reaches IPv4 clients only through their mapped address
        const ipv4OnUdp6 = udp.type === 'udp6' && !t.address.includes(':');
        m.viewer = new UdpOutput(host, udp.rtp, udp.rtcp, ipv4OnUdp6 ? `::ffff:${t.address}` : t.address, t.rtpPort, t.rtcpPort);
      } else {
        m.viewer = new InterleavedOutput(host, conn.socket, {
          rtpChannel: t.rtpChannel,
          rtcpChannel: t.rtcpChannel,
          maxQueueBytes: this.d.maxQueueBytes,
          stallTimeoutMs: this.d.stallTimeoutMs,
          disconnect: () => {
            this.d.counters.slowViewersDropped++;
            conn.socket.destroy();
          },
        });
      }
      s.stream.attach(m.viewer, kind);
    }
  }

  private stopPlaying(s: ServerSession): void {
    if (!s.playing) return;
    s.playing = false;
    for (const [kind, m] of s.media) this.stopMedia(s, kind, m);
  }

  private stopMedia(s: ServerSession, kind: MediaKind, m: SessionMedia): void {
    if (m.transport.kind === 'multicast') m.transport.group.stop(s, kind);
    if (m.viewer) s.stream.detach(m.viewer);
    m.viewer = undefined;
  }

  private pause(conn: ServerConnection, req: RtspRequest): Reply {
    const s = this.sessionOf(conn, req);
    if (s === null) return { status: 454 };
    if (s === undefined) return { status: 455 };
    this.stopPlaying(s);
    return { status: 200, headers: { Session: this.sessionHeader(s) } };
  }

  private teardown(conn: ServerConnection, req: RtspRequest): Reply {
    const s = this.sessionOf(conn, req);
    if (s === null) return { status: 454 };
    if (s === undefined) return { status: 455 };
    this.d.counters.sessionsTornDown++;
    this.destroySession(s);
    return { status: 200 };
  }

  private getParameter(conn: ServerConnection, req: RtspRequest): Reply {
    const s = this.sessionOf(conn, req);
    if (s === null) return { status: 454 };
    return { status: 200, headers: s ? { Session: this.sessionHeader(s) } : {} };
  }

  private touch(req: RtspRequest): void {
    const value = req.headers.get('Session');
    if (value === undefined) return;
    const s = this.d.sessions.get(value.split(';')[0].trim());
    if (s) s.lastActivity = this.d.clock.now();
  }

  /** Ends the session's `kind` track (before it is set up again), or all of them. */
  private releaseMedia(s: ServerSession, kind?: MediaKind): void {
    for (const [k, m] of [...s.media]) {
      if (kind !== undefined && k !== kind) continue;
      if (s.playing) this.stopMedia(s, k, m);
      s.media.delete(k);
      const key = rtcpSourceKey(m.transport);
      if (key && this.rtcpRoutes.get(key) === s) this.rtcpRoutes.delete(key);
      const t = m.transport;
      // the group lives while any member has any track in it
      if (t.kind === 'multicast' && ![...s.media.values()].some((o) => o.transport.kind === 'multicast') && t.group.leave(s)) {
        this.groups.delete(s.path);
        this.d.multicast?.release(t.group.address);
        closeUdpQuietly(t.group.sender);
        if (t.group.rtcp) closeUdpQuietly(t.group.rtcp);
      }
    }
  }

  destroySession(s: ServerSession): void {
    if (!this.d.sessions.has(s.id)) return;
    this.stopPlaying(s);
    this.releaseMedia(s);
    this.d.sessions.delete(s.id);
    s.owner.delete(s);
  }

  /** Closes multicast groups left without members (a SETUP whose connection died mid-way). */
  closeGroups(): void {
    for (const group of this.groups.values()) {
      this.d.multicast?.release(group.address);
      closeUdpQuietly(group.sender);
      if (group.rtcp) closeUdpQuietly(group.rtcp);
    }
    this.groups.clear();
  }

  sessionByRtcpSource(key: string): ServerSession | undefined {
    return this.rtcpRoutes.get(key);
  }

  /** RTCP from a viewer (UDP or interleaved): keeps its session alive, answers PLI/FIR, and NACK on UDP. */
  onRtcp(s: ServerSession, data: Uint8Array): void {
    this.d.counters.rtcpReceived++;
    s.lastActivity = this.d.clock.now();
    this.feedback(s.stream, s.udpVideo, data);
  }

  /** `udp`: the viewer to resend to (NACKs over TCP are ignored: nothing is lost there). */
  private feedback(stream: RtspMount, udp: UdpOutput | undefined, data: Uint8Array): void {
    const f = readViewerFeedback(data, stream.ssrc, this.d.clock.wallClock());
    if (udp && f.rttMs !== undefined) udp.rttMs = f.rttMs;
    if (f.nackSeqs.length > 0) {
      this.d.counters.nacksReceived++;
      if (udp) this.d.counters.retransmissionsSent += stream.answerNack(udp, f.nackSeqs);
    }
    if (f.keyframe === undefined) return;
    if (f.keyframe === 'pli') this.d.counters.plisReceived++;
    else this.d.counters.firsReceived++;
    stream.requestKeyframe(f.keyframe);
  }

  onInterleaved(conn: ServerConnection, channel: number, data: Uint8Array): void {
    for (const s of conn.sessions) {
      for (const { transport: t } of s.media.values()) {
        if (t.kind === 'tcp' && t.rtcpChannel === channel) return this.onRtcp(s, data);
      }
    }
  }
}

/** The track a SETUP URL names: the aggregate URL and `trackID=0` the video, `trackID=1` the audio where served. */
function trackKind(control: string, stream: RtspMount): MediaKind | undefined {
  if (control === '' || control === TRACK_CONTROL) return 'video';
  return control === AUDIO_TRACK_CONTROL && stream.audio ? 'audio' : undefined;
}
