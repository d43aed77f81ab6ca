/**
 * `GET /ws/<stream>` (or `/ws?src=<url>`): the fallback over TCP for viewers WebRTC cannot
 * reach. After the same guards as WHEP (rate limit, credentials, the source allow-list,
 * draining; checked by the caller), the RFC 6455 handshake is checked and answered on the
 * upgraded socket, and the viewer becomes one output of the stream's video track: an
 * Fmp4VideoSink feeding its Fmp4Session, whose init segment and fragments go out as binary
 * messages. On a stream with renditions the sink sits behind the viewer's own RenditionSwitch,
 * Auto following the estimate the session makes of its send backlog, and the page may pin one
 * (Fmp4RenditionControl's text messages). Anything refused is answered with a 4xx/5xx and the
 * socket ends; a body on the upgrade request is refused (413), as is anything that is not a
 * WebSocket upgrade.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock.js';
import { CamwireError } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import { GatewayError } from '../gateway/errors.js';
import type { Stream } from '../gateway/stream.js';
import { HttpError } from './body.js';
import { FMP4_SESSION_DEFAULTS, Fmp4Session, type Fmp4SessionOptions, type Fmp4SessionStats } from './fmp4-session.js';
import { Fmp4VideoSink, type Fmp4VideoSinkStats } from './fmp4-video-sink.js';
import { Fmp4RenditionControl } from './fmp4-renditions.js';
import type { Fmp4BacklogStats } from './fmp4-backlog.js';
import type { RenditionSwitch, RenditionSwitchStats } from '../gateway/rendition-switch.js';
import type { TrackSink } from '../gateway/track-sink.js';
import { WebSocketConnection, type WebSocketConnectionStats } from './websocket-connection.js';
import { upgradeResponse, validateUpgradeRequest, WebSocketHandshakeError } from './websocket-handshake.js';
import { WEBSOCKET_DEFAULTS, WsCloseCode } from './websocket-frame.js';
import { silentLogger, type Logger } from '../log/logger.js';

export interface WebSocketViewerInfo extends Fmp4SessionStats, Fmp4VideoSinkStats, Omit<WebSocketConnectionStats, 'protocolError'> {
  id: string;
  ageMs: number;
  bufferedBytes: number;
  backlog: Fmp4BacklogStats;
  /** On a stream with renditions: the one playing, the one wanted, switches, and the page's bad control messages. */
  rendition?: RenditionSwitchStats & { controlErrors: number };
}

/** Why a WebSocket viewer left, for the log: its socket closed, it stalled or never got parameter sets, or the stream went away. */
export type WebSocketLeaveReason = 'peer-closed' | 'stalled' | 'no-parameter-sets' | 'stream-closed';

interface Entry {
  id: string;
  stream: Stream;
  address: string | undefined;
  connection: WebSocketConnection;
  session: Fmp4Session;
  sink: Fmp4VideoSink;
  /** With renditions: the viewer's switch in front of the sink (what the stream's video track feeds), and its talk with the page. */
  renditions: { sw: RenditionSwitch; control: Fmp4RenditionControl } | undefined;
  createdAt: number;
}

/**
 * The WebSocket viewers of every stream, for /api/streams and /metrics; each join and leave is
 * one operator log line, like a WebRTC viewer's, with `path: "websocket"`.
 */
export class WebSocketViewers {
  private readonly byStream = new Map<string, Set<Entry>>();
  private nextId = 1;
  /** Viewers given up (stalled, no parameter sets) since start. */
  dropped = 0;

  constructor(readonly clock: Clock, private readonly log: Logger = silentLogger) {}

  count(stream: string): number {
    return this.byStream.get(stream)?.size ?? 0;
  }

  info(stream: string): WebSocketViewerInfo[] {
    const now = this.clock.now();
    return [...(this.byStream.get(stream) ?? [])].map((e) => {
      const { protocolError: _ignored, ...connection } = e.connection.stats;
      return {
        id: e.id, ageMs: Math.round(now - e.createdAt), bufferedBytes: e.connection.bufferedBytes,
        ...e.session.stats, ...e.sink.stats, ...connection, backlog: { ...e.session.backlog.stats },
        ...(e.renditions ? { rendition: { ...e.renditions.sw.stats(), controlErrors: e.renditions.control.controlErrors } } : {}),
      };
    });
  }

  /** @internal A new viewer's id. */
  newId(stream: Stream): string {
    return `${stream.name}-ws-${this.nextId++}`;
  }

  /** @internal */
  add(entry: Omit<Entry, 'createdAt'>): Entry {
    const { stream } = entry;
    const added = { ...entry, createdAt: this.clock.now() };
    let set = this.byStream.get(stream.name);
    if (!set) this.byStream.set(stream.name, (set = new Set()));
    set.add(added);
    this.log.info('viewer.join', { stream: stream.name, viewer: added.id, address: added.address, path: 'websocket', viewers: set.size });
    return added;
  }

  /** @internal */
  remove(entry: Entry, reason: WebSocketLeaveReason): void {
    const set = this.byStream.get(entry.stream.name);
    if (!set?.delete(entry)) return;
    if (set.size === 0) this.byStream.delete(entry.stream.name);
    this.log.info('viewer.leave', {
      stream: entry.stream.name, viewer: entry.id, address: entry.address, path: 'websocket', reason,
      seconds: Math.round((this.clock.now() - entry.createdAt) / 1000), viewers: set.size,
    });
    entry.stream.removeOutput(outputOf(entry));
    if (entry.renditions) entry.stream.renditions?.removeSwitch(entry.id);
  }
}

/** The fallback's bounds: http.websocket in the config. */
export interface WebSocketRouteOptions extends Fmp4SessionOptions {
  /** Largest message a client may send (it is ignored anyway); more closes the connection (1009). Default 64 KiB. */
  maxMessageBytes?: number;
}

export const WEBSOCKET_ROUTE_DEFAULTS = Object.freeze({
  ...FMP4_SESSION_DEFAULTS,
  maxMessageBytes: WEBSOCKET_DEFAULTS.maxMessageBytes,
} as const satisfies Required<WebSocketRouteOptions>);

/**
 * Answers an upgrade request whose guards passed. `parts` is the decoded path (`['ws', name]`
 * or `['ws']` with `?src=`). Never throws: a refusal is written to the socket.
 */
export function acceptWebSocket(
  gateway: Gateway, viewers: WebSocketViewers, req: IncomingMessage, socket: Duplex, head: Uint8Array,
  parts: readonly string[], url: URL, o: WebSocketRouteOptions = {},
): void {
  let stream: Stream;
  let accept: string;
  try {
    checkRequest(req, parts);
    accept = validateUpgradeRequest(req.headers).accept;
    stream = findStream(gateway, parts[1], url);
    if (stream.viewerLoad + viewers.count(stream.name) >= stream.maxViewers) {
      throw new GatewayError('PEER_LIMIT', `stream ${stream.name} already has ${stream.maxViewers} viewers`);
    }
  } catch (err) {
    return refuse(socket, err);
  }
  socket.write(upgradeResponse(accept));
  const id = viewers.newId(stream);
  // eslint-disable-next-line prefer-const -- the callbacks below need what is made after them
  let entry: Entry | undefined;
  // eslint-disable-next-line prefer-const -- as the entry
  let control: Fmp4RenditionControl | undefined;
  const connection = new WebSocketConnection(socket, viewers.clock, {
    maxMessageBytes: o.maxMessageBytes,
    onText: (text) => (control ? control.onText(text) : connection.stats.messagesIgnored++),
  });
  const session = new Fmp4Session({
    clock: viewers.clock,
    channel: connection,
    requestKeyframe: () => (sw ? sw.renditionList[sw.current].wantKeyframe(viewers.clock.now()) : stream.requestKeyframe()),
    giveUp: (code, message) => {
      viewers.dropped++;
      connection.close(code === 'WS_STALLED' ? WsCloseCode.GoingAway : WsCloseCode.InternalError, `${code}: ${message}`);
      if (entry) viewers.remove(entry, code === 'WS_STALLED' ? 'stalled' : 'no-parameter-sets');
    },
    onTick: () => control?.announce(),
  }, o);
  const sink = new Fmp4VideoSink(session, () => {
    if (entry) viewers.remove(entry, 'stream-closed');
    connection.close(WsCloseCode.GoingAway, 'the stream closed');
  });
  const sw = stream.renditions?.createEstimatedSwitch(id, (sentBps) => session.backlog.estimateBps(sentBps));
  sw?.bind(sink);
  control = sw && new Fmp4RenditionControl(sw, (text) => connection.sendText(text));
  entry = viewers.add({ id, stream, address: req.socket.remoteAddress, connection, session, sink, renditions: sw && control && { sw, control } });
  const added = entry;
  connection.whenClosed(() => viewers.remove(added, 'peer-closed'));
  if (head.length > 0) socket.unshift(head);
  control?.start();
  stream.addOutput(outputOf(added));
}

/** What the stream's video track feeds for a viewer. */
function outputOf(entry: Entry): TrackSink {
  return entry.renditions?.sw ?? entry.sink;
}

function checkRequest(req: IncomingMessage, parts: readonly string[]): void {
  if (parts[0] !== 'ws' || parts.length > 2) throw new HttpError(404, 'NOT_FOUND', 'WebSocket upgrades are served at /ws/<stream> only');
  if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'a WebSocket upgrade is a GET');
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
    throw new HttpError(413, 'BODY_TOO_LARGE', 'a WebSocket upgrade carries no body');
  }
}

function findStream(gateway: Gateway, name: string | undefined, url: URL): Stream {
  gateway.refuseWhileDraining();
  const src = url.searchParams.get('src') ?? url.searchParams.get('id');
  if (name === undefined && src !== null) {
    if (!gateway.sourceAllowed(src)) throw new HttpError(403, 'SOURCE_NOT_ALLOWED', 'this source URL is not in the allow-list');
    return gateway.streamForSource(src);
  }
  const stream = name === undefined ? undefined : gateway.stream(name);
  if (!stream) throw new HttpError(404, 'STREAM_UNKNOWN', `no stream named ${name ?? ''}`);
  return stream;
}

/** The status a refused upgrade is answered with. */
function statusOf(err: unknown): { status: number; code: string; message: string; headers: Readonly<Record<string, string>> } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, headers: {} };
  if (err instanceof WebSocketHandshakeError) return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  if (err instanceof CamwireError) {
    const status = err.code === 'DRAINING' || err.code === 'STREAM_LIMIT' || err.code === 'PEER_LIMIT' ? 503 : 400;
    return { status, code: err.code, message: err.message, headers: {} };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error', headers: {} };
}

/** Writes a plain HTTP error on a socket that was never upgraded, and ends it. */
export function refuse(socket: Duplex, err: unknown, extraHeaders: Readonly<Record<string, string>> = {}): void {
  const s = statusOf(err);
  const body = `${s.code}: ${s.message}\n`;
  const headers = { ...s.headers, ...extraHeaders };
  const lines = [
    `HTTP/1.1 ${s.status} ${STATUS_CODES[s.status] ?? 'Error'}`,
    'content-type: text/plain; charset=utf-8',
    `x-camwire-error: ${s.code}`,
    'x-content-type-options: nosniff',
    'cache-control: no-store',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
  socket.once('finish', () => socket.destroy());
}
