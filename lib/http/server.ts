/**
 * The HTTP API: WHEP (POST /whep/<stream>, DELETE on the Location, OPTIONS + CORS), the player
 * page (/ and /watch/<stream>), GET /api/streams, GET /metrics, and the orchestrator's probes
 * (GET /healthz, /readyz). Every failure is a clear status with a text body; no request can
 * crash the server.
 */
import type { Recordings } from '../record/recordings.js';
import { createRecordingsRoute } from './recordings-route.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '../clock.js';
import { CamwireError } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import { iceServerLinks, resolveIceServers, type IceServerConfig } from '../gateway/ice-servers.js';
import type { Stream } from '../gateway/stream.js';
import { WEBRTC_DEFAULTS } from '../gateway/transport.js';
import { ACCESS_DEFAULTS, AccessControl, type AccessOptions } from './access.js';
import { HttpError, readBody } from './body.js';
import { handleLayer, LAYER_REL, layerPath } from './layer.js';
import { WhepEvents, eventsLink, type WhepEventsOptions } from './whep-events.js';
import { checkOfferLines } from './offer-lines.js';
import { answerProbe, isProbe } from './probes.js';
import { RATE_LIMIT_DEFAULTS, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { renderMetrics } from './metrics.js';
import { playerPage } from './player.js';
import { setSecurityHeaders } from './security-headers.js';
import { acceptWebSocket, refuse, WebSocketViewers, type WebSocketRouteOptions } from './websocket-route.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { StreamApiHandler } from './stream-api.js';
import type { ViewerAuthorizer } from './viewer-auth.js';

export interface HttpOptions extends AccessOptions {
  /** Largest accepted SDP offer (default 64 KiB). */
  maxBodyBytes?: number;
  /** Most lines in an SDP offer (default 1000): more get 413 SDP_TOO_MANY_LINES before parsing. */
  maxOfferLines?: number;
  /** Per-address request rate limit (defaults in RateLimitOptions), or false for none. */
  rateLimit?: RateLimitOptions | false;
  /** Serve /metrics on this handler (default true; false when metrics have their own listener). */
  metrics?: boolean;
  /** Clock for the rate limit (ms). */
  now?: () => number;
  /** STUN/TURN servers handed to browsers as WHEP Link headers (the config's webrtc.iceServers; default none). */
  iceServers?: readonly IceServerConfig[];
  /** The RTSP restream's counters for /api/streams, when one runs (asked on each request: it starts after this handler). */
  restreamStats?: () => unknown;
  /** Unix time in ms, for the expiry of minted TURN credentials (default the system clock). */
  wallClock?: () => number;
  /** The WebSocket fallback's bounds (GET /ws/<stream>): WEBSOCKET_ROUTE_DEFAULTS. */
  websocket?: WebSocketRouteOptions;
  /** Clock of the WebSocket viewers (their stall and start deadlines); default the system clock. */
  clock?: Clock;
  /** Operator log: refused requests (folded when repeated), API changes (default none). */
  log?: Logger;
  /** The stream API (POST/PATCH/DELETE /api/streams), when the composition root offers one. */
  streamApi?: StreamApiHandler;
  /** Per-viewer authorization (http.jwt, http.authHook) of WHEP and the player page; when enabled it replaces http.token there. */
  viewerAuth?: ViewerAuthorizer;
  /** Recordings to list and serve at /recordings (lib/record), and the admin token that opens all of them. */
  recordings?: Recordings;
  adminToken?: string;
  /** The WHEP server-sent-events extension's bounds (WHEP_EVENTS_DEFAULTS). */
  whepEvents?: Partial<WhepEventsOptions>;
}

/** No token, no basic auth and the real clock unless given. */
export const HTTP_DEFAULTS = Object.freeze({
  maxBodyBytes: 64 * 1024,
  maxOfferLines: 1000,
  corsOrigin: ACCESS_DEFAULTS.corsOrigin,
  rateLimit: RATE_LIMIT_DEFAULTS,
  metrics: true,
} as const satisfies Required<Omit<HttpOptions, 'token' | 'basicAuth' | 'now' | 'wallClock' | 'iceServers' | 'restreamStats' | 'websocket' | 'clock' | 'log' | 'streamApi' | 'viewerAuth' | 'recordings' | 'adminToken' | 'whepEvents'>>);

/** What the handler refused, for /metrics and tests. */
export interface HttpGuardStats {
  rateLimited: number;
  unauthorized: number;
  /** Addresses the rate limiter tracks now (bounded by maxAddresses). */
  trackedAddresses: number;
}

export type RequestHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  stats(): HttpGuardStats;
  /** The HTTP server's 'upgrade' listener: GET /ws/<stream>, the fallback over WebSocket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Uint8Array): void;
  readonly websocketViewers: WebSocketViewers;
};

const STATUS_BY_CODE: Record<string, number> = {
  STREAM_UNKNOWN: 404,
  SOURCE_NOT_ALLOWED: 403,
  OFFER_NO_VIDEO: 400,
  OFFER_NO_H264: 400,
  OFFER_NO_H265: 400,
  OFFER_REJECTED: 400,
  SDP_PARSE: 400,
  PEER_LIMIT: 503,
  STREAM_LIMIT: 503,
  TRANSPORT_CLOSED: 503,
  GATHERING_TIMEOUT: 504,
  STREAM_BAD_NAME: 400,
  STREAM_EXISTS: 409,
  STREAM_BUSY: 409,
  CAPTURE_RUNNING: 409,
  CAPTURE_NOT_RUNNING: 404,
  CAPTURE_OFF: 403,
  CAPTURE_NOT_FOUND: 404,
  CONFIG_INVALID: 400,
  PERSIST_FAILED: 500,
  BAD_OPTION: 400,
  DRAINING: 503,
};

/**
 * Retry-After (seconds) of a WHEP offer refused while draining: by then the balancer has seen
 * /readyz fail, or Kubernetes has taken the terminating pod out of its Service, so the retry
 * reaches another instance.
 */
const DRAINING_RETRY_AFTER_S = 2;

interface Guard {
  access: AccessControl;
  limiter: RateLimiter | undefined;
  now: () => number;
  unauthorized: number;
  maxBody: number;
  maxOfferLines: number;
  metrics: boolean;
  /** Link header values for a viewer id (none without iceServers). */
  iceLinks: (id: string) => string[];
  restreamStats: (() => unknown) | undefined;
  websocketViewers: WebSocketViewers;
  log: Logger;
  streamApi: StreamApiHandler | undefined;
  viewerAuth: ViewerAuthorizer | undefined;
  recordings: ReturnType<typeof createRecordingsRoute> | undefined;
  whepEvents: WhepEvents;
}

export function createRequestHandler(gateway: Gateway, opts: HttpOptions = {}): RequestHandler {
  const g: Guard = {
    access: new AccessControl(opts),
    limiter: opts.rateLimit === false ? undefined : new RateLimiter(opts.rateLimit),
    now: opts.now ?? (() => performance.now()),
    unauthorized: 0,
    maxBody: opts.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes,
    maxOfferLines: opts.maxOfferLines ?? HTTP_DEFAULTS.maxOfferLines,
    metrics: opts.metrics ?? HTTP_DEFAULTS.metrics,
    iceLinks: iceLinkMaker(opts.iceServers ?? WEBRTC_DEFAULTS.iceServers, opts.wallClock ?? systemClock.wallClock),
    restreamStats: opts.restreamStats,
    websocketViewers: new WebSocketViewers(opts.clock ?? systemClock, opts.log),
    log: opts.log ?? silentLogger,
    streamApi: opts.streamApi,
    viewerAuth: opts.viewerAuth?.enabled ? opts.viewerAuth : undefined,
    recordings: undefined,
    whepEvents: new WhepEvents(opts.clock ?? systemClock, (name) => gateway.stream(name), opts.whepEvents),
  };
  if (opts.recordings) {
    g.recordings = createRecordingsRoute({
      recordings: opts.recordings, adminToken: opts.adminToken, access: g.access, viewerAuth: g.viewerAuth, log: g.log, refused: () => g.unauthorized++,
    });
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    setSecurityHeaders(res);
    const origin = g.access.allowOrigin(req);
    if (origin !== undefined) res.setHeader('access-control-allow-origin', origin);
    if (origin !== '*') res.setHeader('vary', 'origin');
    // What WHEP clients read from a cross-origin answer: the session (Location), ICE servers and
    // extensions (Link), and the ETag a trickle PATCH echoes in If-Match.
    res.setHeader('access-control-expose-headers', 'location, content-type, link, etag');
    handle(gateway, req, res, g).catch((err) => fail(res, err));
  };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Uint8Array): void => {
    socket.on('error', () => socket.destroy());
    const { url, parts } = target(req);
    const wait = g.limiter?.take(req.socket.remoteAddress ?? '', g.now()) ?? 0;
    if (wait > 0) return refuse(socket, new HttpError(429, 'RATE_LIMITED', 'too many requests from this address'), { 'retry-after': String(wait) });
    // per-viewer authorization, when on, replaces http.token here as on WHEP
    if (g.viewerAuth) {
      requireViewer(req, url, parts[1] ?? url.searchParams.get('src') ?? '', g).then(
        // the client may have gone while the hook answered
        () => { if (!socket.destroyed) acceptWebSocket(gateway, g.websocketViewers, req, socket, head, parts, url, opts.websocket); },
        (err: unknown) => refuse(socket, err),
      );
      return;
    }
    if (!g.access.allows(req, url)) {
      g.unauthorized++;
      return refuse(socket, new HttpError(401, 'UNAUTHORIZED', 'this camwire needs a token or password'), { 'www-authenticate': g.access.challenge() });
    }
    acceptWebSocket(gateway, g.websocketViewers, req, socket, head, parts, url, opts.websocket);
  };
  return Object.assign(handler, {
    stats: (): HttpGuardStats => ({ rateLimited: g.limiter?.refused ?? 0, unauthorized: g.unauthorized, trackedAddresses: g.limiter?.size ?? 0 }),
    upgrade,
    websocketViewers: g.websocketViewers,
  });
}

/** The request's URL (never read as naming a host) and its decoded path segments. */
function target(req: IncomingMessage): { url: URL; path: string; parts: string[] } {
  // Concatenated, not resolved: a path like `//x` must not be read as a host name.
  const raw = req.url ?? '/';
  const url = new URL('http://camwire.invalid' + (raw.startsWith('/') ? raw : '/' + raw));
  const path = url.pathname;
  return { url, path, parts: path.split('/').filter((p) => p.length > 0).map(safeDecode) };
}

async function handle(gateway: Gateway, req: IncomingMessage, res: ServerResponse, g: Guard): Promise<void> {
  const { url, path, parts } = target(req);
  const method = req.method ?? 'GET';

  refuseOverRate(req, res, g);
  // Orchestrator probes carry no credentials either; they reveal only up and ready.
  if (isProbe(req, path)) return answerProbe(gateway, path, res);
  // The stream API has its own token (http.adminToken), checked by its handler.
  if (g.streamApi && (await g.streamApi(req, res, method, parts))) return;
  // So do recordings: the admin token, a viewer's for the stream, or http.token.
  if (g.recordings && (await g.recordings(req, res, method, parts, url))) return;
  refuseUnauthorized(req, res, url, method, parts, g);

  if (parts[0] === 'whep') return handleWhep(gateway, req, res, url, parts, method, g);
  if (method !== 'GET' && method !== 'HEAD') {
    req.resume();
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${path}`);
  }
  if (path === '/' || (parts[0] === 'watch' && parts.length <= 2)) {
    if (!sourceQueryAllowed(gateway, url)) throw new HttpError(403, 'SOURCE_NOT_ALLOWED', 'this source URL is not in the allow-list');
    if (parts.length === 2 && !gateway.stream(parts[1])) throw new HttpError(404, 'STREAM_UNKNOWN', `no stream named ${parts[1]}`);
    if (parts.length === 2) await requireViewer(req, url, parts[1], g);
    return send(res, 200, 'text/html; charset=utf-8', playerPage());
  }
  if (parts[0] === 'ws') {
    res.setHeader('upgrade', 'websocket');
    throw new HttpError(426, 'UPGRADE_REQUIRED', 'the fallback at /ws/<stream> is a WebSocket');
  }
  if (path === '/api/streams') return send(res, 200, 'application/json', JSON.stringify(streamsJson(gateway, g), null, 1));
  if (path === '/metrics' && g.metrics) return send(res, 200, 'text/plain; version=0.0.4', renderMetrics(gateway, g.websocketViewers));
  throw new HttpError(404, 'NOT_FOUND', `nothing at ${path}`);
}

/** WHEP: the offer (POST), the session's end (DELETE), its layer, and the preflight or ICE-server OPTIONS. */
async function handleWhep(gateway: Gateway, req: IncomingMessage, res: ServerResponse, url: URL, parts: readonly string[], method: string, g: Guard): Promise<void> {
  if (method === 'OPTIONS') {
    // The WHEP draft lets a player ask for ICE servers with OPTIONS before it makes its
    // offer; TURN credentials go only to one that may watch, never to a CORS preflight.
    const asksIce = req.headers['access-control-request-method'] === undefined && g.access.allows(req, url)
      && (!g.viewerAuth || (parts[1] !== undefined && (await g.viewerAuth.authorize(req, url, parts[1])).ok));
    const links = asksIce ? g.iceLinks(randomUUID()) : [];
    res.writeHead(204, {
      // PATCH is listed although camwire answers it 405: a standard client's trickle PATCH must
      // reach that answer instead of failing the browser's preflight.
      'access-control-allow-methods': 'POST, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization, if-match',
      'access-control-max-age': '86400',
      'accept-post': 'application/sdp',
      ...(links.length > 0 ? { link: links, 'cache-control': 'no-store' } : {}),
    });
    return void res.end();
  }
  if (parts.length <= 2 && method === 'POST') return whepPost(gateway, req, res, url, parts[1], g);
  if (parts.length === 3 && method === 'DELETE') {
    const stream = gateway.stream(parts[1]);
    if (!stream || !stream.removeViewer(parts[2])) throw new HttpError(404, 'NOT_FOUND', 'no such WHEP session');
    g.whepEvents.endSession(stream.name, parts[2]);
    res.writeHead(200);
    return void res.end();
  }
  if (parts[3] === 'sse' && parts.length <= 5) return g.whepEvents.handle(parts, method, req, res);
  if (parts.length === 4 && parts[3] === 'layer') return handleLayer(gateway.stream(parts[1]), parts[2], method, req, res);
  if (parts.length === 3 && method === 'PATCH') {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'trickle ICE is not supported: send the offer with all candidates');
  }
  throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${url.pathname}`);
}

function refuseOverRate(req: IncomingMessage, res: ServerResponse, g: Guard): void {
  const wait = g.limiter?.take(req.socket.remoteAddress ?? '', g.now()) ?? 0;
  if (wait > 0) {
    req.resume();
    res.setHeader('retry-after', String(wait));
    throw new HttpError(429, 'RATE_LIMITED', 'too many requests from this address');
  }
}

/** http.token / basicAuth on every route reaching here (probes and the stream API do not). */
function refuseUnauthorized(req: IncomingMessage, res: ServerResponse, url: URL, method: string, parts: readonly string[], g: Guard): void {
  // A CORS preflight carries no credentials by design; it reveals nothing but the allowed methods.
  const preflight = method === 'OPTIONS' && parts[0] === 'whep';
  // Viewer routes under per-viewer authorization carry a viewer's token, checked per stream.
  const viewerRoute = g.viewerAuth !== undefined && (parts[0] === 'whep' || parts[0] === 'watch');
  // An EventSource cannot send a token: the event stream's random id, handed out only to an
  // authorized POST, is its credential (an unknown one is 404).
  const eventStream = method === 'GET' && parts[0] === 'whep' && parts[3] === 'sse' && parts.length === 5;
  if (preflight || viewerRoute || eventStream || g.access.allows(req, url)) return;
  g.unauthorized++;
  g.log.warn('auth.refused', { address: req.socket.remoteAddress, code: 'UNAUTHORIZED', route: parts[0] ?? '/' });
  req.resume();
  res.setHeader('www-authenticate', g.access.challenge());
  throw new HttpError(401, 'UNAUTHORIZED', 'this camwire needs a token or password');
}

/** The separate metrics listener: GET /metrics behind its own optional bearer token, and the probes (no token). */
export function createMetricsHandler(gateway: Gateway, token?: string, websocketViewers?: WebSocketViewers) {
  const access = new AccessControl({ token });
  return (req: IncomingMessage, res: ServerResponse): void => {
    setSecurityHeaders(res);
    const url = new URL('http://camwire.invalid' + (req.url?.startsWith('/') ? req.url : '/'));
    req.resume();
    if (isProbe(req, url.pathname)) return answerProbe(gateway, url.pathname, res);
    if (!access.allows(req, url)) {
      res.setHeader('www-authenticate', access.challenge());
      return fail(res, new HttpError(401, 'UNAUTHORIZED', 'metrics need a token'));
    }
    if (url.pathname !== '/metrics') return fail(res, new HttpError(404, 'NOT_FOUND', 'only /metrics here'));
    send(res, 200, 'text/plain; version=0.0.4', renderMetrics(gateway, websocketViewers));
  };
}

async function whepPost(
  gateway: Gateway,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name: string | undefined,
  g: Guard,
): Promise<void> {
  if (gateway.draining) {
    req.resume();
    gateway.refuseWhileDraining();
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/sdp') {
    req.resume();
    throw new HttpError(415, 'BAD_CONTENT_TYPE', 'WHEP offers must be sent as application/sdp');
  }
  let stream: Stream | undefined;
  const src = url.searchParams.get('src') ?? url.searchParams.get('id');
  if (src !== null && name === undefined) {
    if (!gateway.sourceAllowed(src)) {
      req.resume();
      throw new HttpError(403, 'SOURCE_NOT_ALLOWED', 'this source URL is not in the allow-list');
    }
    stream = gateway.streamForSource(src);
  } else if (name !== undefined) {
    stream = gateway.stream(name);
  }
  if (!stream) {
    req.resume();
    throw new HttpError(404, 'STREAM_UNKNOWN', `no stream named ${name ?? ''}`);
  }
  await requireViewer(req, url, stream.name, g);
  const offer = await readBody(req, g.maxBody);
  checkOfferLines(offer, g.maxOfferLines);
  if (!offer.includes('m=video')) throw new HttpError(400, 'OFFER_NO_VIDEO', 'the offer has no video m-line');
  const viewer = await gateway.addViewer(stream, offer, { address: req.socket.remoteAddress, path: 'webrtc' });
  const links = [...g.iceLinks(viewer.id), eventsLink(stream, viewer.id)];
  if (stream.renditionNames !== undefined) links.push(`<${layerPath(stream.name, viewer.id)}>; rel="${LAYER_REL}"`);
  res.writeHead(201, {
    'content-type': 'application/sdp',
    location: `/whep/${encodeURIComponent(stream.name)}/${encodeURIComponent(viewer.id)}`,
    ...(links.length > 0 ? { link: links } : {}),
  });
  res.end(viewer.peer.answerSdp);
}

/**
 * Per-viewer authorization of `stream` (no-op without it); a refusal is logged (folded when
 * repeated) and answered 401, 403 or 503. Exported for other viewer routes (the WebSocket one).
 */
export async function requireViewer(req: IncomingMessage, url: URL, stream: string, g: Pick<Guard, 'viewerAuth' | 'log'> & { unauthorized: number }): Promise<void> {
  if (!g.viewerAuth) return;
  const r = await g.viewerAuth.authorize(req, url, stream);
  if (r.ok) return;
  g.unauthorized++;
  g.log.warn('auth.refused', { address: req.socket.remoteAddress, stream, code: r.code, reason: r.reason });
  req.resume();
  throw new HttpError(r.status, r.code, r.status === 503 ? 'the authorization hook did not answer' : `not authorized to watch ${stream}`);
}

function iceLinkMaker(servers: readonly IceServerConfig[], wallClock: () => number): (id: string) => string[] {
  if (servers.length === 0) return () => [];
  return (id) => iceServerLinks(resolveIceServers(servers, id, wallClock()));
}

function sourceQueryAllowed(gateway: Gateway, url: URL): boolean {
  const src = url.searchParams.get('src') ?? url.searchParams.get('id');
  return src === null || gateway.sourceAllowed(src);
}

function streamsJson(gateway: Gateway, g: Guard) {
  const restream = g.restreamStats?.();
  const ws = g.websocketViewers;
  return {
    streams: gateway.snapshot().map((x) => ({
      ...x.stream, url: x.url, settings: x.settings, viewers: x.viewers,
      viewersByPath: { webrtc: x.viewers.length, websocket: ws.count(x.stream.name) },
      websocketViewers: ws.info(x.stream.name),
      ...(x.recording ? { recording: x.recording } : {}),
    })),
    ...(restream === undefined ? {} : { restream }),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function fail(res: ServerResponse, err: unknown): void {
  let status = 500;
  let code = 'INTERNAL';
  let message = 'internal error';
  if (err instanceof HttpError) {
    status = err.status;
    code = err.code;
    message = err.message;
  } else if (err instanceof CamwireError) {
    status = STATUS_BY_CODE[err.code] ?? 400;
    code = err.code;
    message = err.message;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (code === 'DRAINING') res.setHeader('retry-after', String(DRAINING_RETRY_AFTER_S));
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-camwire-error': code });
  res.end(`${code}: ${message}\n`);
}
