/**
 * The HTTP API: WHEP (POST /whep/<stream>, DELETE on the Location, OPTIONS + CORS), the player
 * page (/ and /watch/<stream>), GET /api/streams, GET /metrics, and the orchestrator's probes
 * (GET /healthz, /readyz). Every failure is a clear status with a text body; no request can
 * crash the server.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock } from '../clock.js';
import { CamwireError } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import { iceServerLinks, resolveIceServers, type IceServerConfig } from '../gateway/ice-servers.js';
import type { Stream } from '../gateway/stream.js';
import { WEBRTC_DEFAULTS } from '../gateway/transport.js';
import { ACCESS_DEFAULTS, AccessControl, type AccessOptions } from './access.js';
import { HttpError, readBody } from './body.js';
import { checkOfferLines } from './offer-lines.js';
import { answerProbe, isProbe } from './probes.js';
import { RATE_LIMIT_DEFAULTS, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { renderMetrics } from './metrics.js';
import { playerPage } from './player.js';
import { setSecurityHeaders } from './security-headers.js';

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
}

/** No token, no basic auth and the real clock unless given. */
export const HTTP_DEFAULTS = Object.freeze({
  maxBodyBytes: 64 * 1024,
  maxOfferLines: 1000,
  corsOrigin: ACCESS_DEFAULTS.corsOrigin,
  rateLimit: RATE_LIMIT_DEFAULTS,
  metrics: true,
} as const satisfies Required<Omit<HttpOptions, 'token' | 'basicAuth' | 'now' | 'wallClock' | 'iceServers' | 'restreamStats'>>);

/** What the handler refused, for /metrics and tests. */
export interface HttpGuardStats {
  rateLimited: number;
  unauthorized: number;
  /** Addresses the rate limiter tracks now (bounded by maxAddresses). */
  trackedAddresses: number;
}

export type RequestHandler = ((req: IncomingMessage, res: ServerResponse) => void) & { stats(): HttpGuardStats };

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
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    setSecurityHeaders(res);
    const origin = g.access.allowOrigin(req);
    if (origin !== undefined) res.setHeader('access-control-allow-origin', origin);
    if (origin !== '*') res.setHeader('vary', 'origin');
    res.setHeader('access-control-expose-headers', 'location, content-type, link');
    handle(gateway, req, res, g).catch((err) => fail(res, err));
  };
  return Object.assign(handler, {
    stats: (): HttpGuardStats => ({ rateLimited: g.limiter?.refused ?? 0, unauthorized: g.unauthorized, trackedAddresses: g.limiter?.size ?? 0 }),
  });
}

async function handle(gateway: Gateway, req: IncomingMessage, res: ServerResponse, g: Guard): Promise<void> {
  // Concatenated, not resolved: a path like `//x` must not be read as a host name.
  const raw = req.url ?? '/';
  const url = new URL('http://camwire.invalid' + (raw.startsWith('/') ? raw : '/' + raw));
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const parts = path.split('/').filter((p) => p.length > 0).map(safeDecode);

  const wait = g.limiter?.take(req.socket.remoteAddress ?? '', g.now()) ?? 0;
  if (wait > 0) {
    req.resume();
    res.setHeader('retry-after', String(wait));
    throw new HttpError(429, 'RATE_LIMITED', 'too many requests from this address');
  }
  // Orchestrator probes carry no credentials either; they reveal only up and ready.
  if (isProbe(req, path)) return answerProbe(gateway, path, res);
  // A CORS preflight carries no credentials by design; it reveals nothing but the allowed methods.
  const preflight = method === 'OPTIONS' && parts[0] === 'whep';
  if (!preflight && !g.access.allows(req, url)) {
    g.unauthorized++;
    req.resume();
    res.setHeader('www-authenticate', g.access.challenge());
    throw new HttpError(401, 'UNAUTHORIZED', 'this camwire needs a token or password');
  }

  if (parts[0] === 'whep') {
    if (method === 'OPTIONS') {
      // The WHEP draft lets a player ask for ICE servers with OPTIONS before it makes its
      // offer; TURN credentials go only to one that may watch, never to a CORS preflight.
      const asksIce = req.headers['access-control-request-method'] === undefined && g.access.allows(req, url);
      const links = asksIce ? g.iceLinks(randomUUID()) : [];
      res.writeHead(204, {
        'access-control-allow-methods': 'POST, DELETE, OPTIONS',
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
      res.writeHead(200);
      return void res.end();
    }
    if (parts.length === 3 && method === 'PATCH') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'trickle ICE is not supported: send the offer with all candidates');
    }
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${path}`);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    req.resume();
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${path}`);
  }
  if (path === '/' || (parts[0] === 'watch' && parts.length <= 2)) {
    if (!sourceQueryAllowed(gateway, url)) throw new HttpError(403, 'SOURCE_NOT_ALLOWED', 'this source URL is not in the allow-list');
    if (parts.length === 2 && !gateway.stream(parts[1])) throw new HttpError(404, 'STREAM_UNKNOWN', `no stream named ${parts[1]}`);
    return send(res, 200, 'text/html; charset=utf-8', playerPage());
  }
  if (path === '/api/streams') return send(res, 200, 'application/json', JSON.stringify(streamsJson(gateway, g.restreamStats), null, 1));
  if (path === '/metrics' && g.metrics) return send(res, 200, 'text/plain; version=0.0.4', renderMetrics(gateway));
  throw new HttpError(404, 'NOT_FOUND', `nothing at ${path}`);
}

/** The separate metrics listener: GET /metrics behind its own optional bearer token, and the probes (no token). */
export function createMetricsHandler(gateway: Gateway, token?: string) {
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
    send(res, 200, 'text/plain; version=0.0.4', renderMetrics(gateway));
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
  const offer = await readBody(req, g.maxBody);
  checkOfferLines(offer, g.maxOfferLines);
  if (!offer.includes('m=video')) throw new HttpError(400, 'OFFER_NO_VIDEO', 'the offer has no video m-line');
  const viewer = await gateway.addViewer(stream, offer);
  const links = g.iceLinks(viewer.id);
  res.writeHead(201, {
    'content-type': 'application/sdp',
    location: `/whep/${encodeURIComponent(stream.name)}/${encodeURIComponent(viewer.id)}`,
    ...(links.length > 0 ? { link: links } : {}),
  });
  res.end(viewer.peer.answerSdp);
}

function iceLinkMaker(servers: readonly IceServerConfig[], wallClock: () => number): (id: string) => string[] {
  if (servers.length === 0) return () => [];
  return (id) => iceServerLinks(resolveIceServers(servers, id, wallClock()));
}

function sourceQueryAllowed(gateway: Gateway, url: URL): boolean {
  const src = url.searchParams.get('src') ?? url.searchParams.get('id');
  return src === null || gateway.sourceAllowed(src);
}

function streamsJson(gateway: Gateway, restreamStats: (() => unknown) | undefined) {
  const restream = restreamStats?.();
  return {
    streams: gateway.snapshot().map((x) => ({ ...x.stream, url: x.url, settings: x.settings, viewers: x.viewers })),
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
