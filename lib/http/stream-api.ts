/**
 * The stream API: POST /api/streams {name, url, ...settings} -> 201, PATCH /api/streams/<name>
 * {settings} -> 200, DELETE /api/streams/<name> -> 204; and captures of running streams
 * (capture-api.ts): POST/DELETE /api/streams/<name>/capture, GET /api/captures[/<file>]. Behind its own bearer token
 * (`http.adminToken`, compared in constant time); without one the API is off (403), so a
 * forgotten token never leaves it open. Bodies are JSON objects of at most maxApiBodyBytes.
 * What a change means is the StreamEditor's (lib/app/stream-manager.ts): validation as in
 * the config file, one change per name at a time, persistence.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamConfig } from '../gateway/gateway.js';
import { stripCredentials } from '../rtsp/protocol/url.js';
import type { Logger } from '../log/logger.js';
import { ADMIN_DEFAULTS, type AdminOptions } from './admin-options.js';
import { HttpError, readBody } from './body.js';
import { captureRoute, capturesRoute, type CaptureControl } from './capture-api.js';

/** What the API changes (StreamManager implements it). */
export interface StreamEditor {
  add(name: string, input: unknown, by: string): Promise<void>;
  patch(name: string, patch: unknown, by: string): Promise<string>;
  remove(name: string, by: string): Promise<void>;
  configs(): Record<string, StreamConfig>;
}

/** Answers a stream API request; false when the request is not one (GET /api/streams stays the server's). */
export type StreamApiHandler = (req: IncomingMessage, res: ServerResponse, method: string, parts: readonly string[]) => Promise<boolean>;

const API_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH', 'DELETE']);

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Which admin route a request is, if any. */
function routeOf(method: string, parts: readonly string[]): 'streams' | 'capture' | 'captures' | undefined {
  if (parts[0] !== 'api') return undefined;
  if (parts[1] === 'streams' && parts.length <= 3 && API_METHODS.has(method)) return 'streams';
  if (parts[1] === 'streams' && parts.length === 4 && parts[3] === 'capture' && (method === 'POST' || method === 'DELETE')) return 'capture';
  if (parts[1] === 'captures' && parts.length <= 3 && method === 'GET') return 'captures';
  return undefined;
}

export function createStreamApi(editor: StreamEditor, o: AdminOptions & { log: Logger; captures?: CaptureControl }): StreamApiHandler {
  const token = o.adminToken !== undefined ? digest(o.adminToken) : undefined;
  const maxBody = o.maxApiBodyBytes ?? ADMIN_DEFAULTS.maxApiBodyBytes;
  return async (req, res, method, parts) => {
    const route = routeOf(method, parts);
    if (route === undefined || (route !== 'streams' && !o.captures)) return false;
    const by = req.socket.remoteAddress ?? '';
    if (!token) {
      req.resume();
      throw new HttpError(403, 'ADMIN_API_OFF', 'the stream API is off: set http.adminToken');
    }
    const auth = req.headers.authorization ?? '';
    if (!/^bearer /i.test(auth) || !timingSafeEqual(digest(auth.slice(7).trim()), token)) {
      o.log.warn('auth.refused', { address: by, code: 'UNAUTHORIZED', route: 'stream-api' });
      req.resume();
      res.setHeader('www-authenticate', 'Bearer realm="camwire-admin"');
      throw new HttpError(401, 'UNAUTHORIZED', 'the stream API needs http.adminToken as a bearer token');
    }
    const name = parts[2];
    if (route === 'capture') {
      await captureRoute(o.captures!, req, res, method, name, by, { log: o.log, body: (r) => jsonBody(r, maxBody) });
      return true;
    }
    if (route === 'captures') {
      req.resume();
      await capturesRoute(o.captures!, res, name);
      return true;
    }
    if (method === 'POST' && name === undefined) {
      const body = await jsonBody(req, maxBody);
      const { name: given, ...settings } = body;
      if (typeof given !== 'string') throw new HttpError(400, 'BAD_JSON', 'the body needs "name": the stream name');
      await editor.add(given, settings, by);
      res.writeHead(201, { 'content-type': 'application/json', location: `/api/streams/${encodeURIComponent(given)}` });
      res.end(JSON.stringify(publicConfig(given, editor.configs()[given])));
      return true;
    }
    if (method === 'PATCH' && name !== undefined) {
      const body = await jsonBody(req, maxBody);
      if (body.name !== undefined && body.name !== name) throw new HttpError(400, 'BAD_JSON', 'a stream cannot be renamed: DELETE it and POST it again');
      delete body.name;
      const applied = await editor.patch(name, body, by);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...publicConfig(name, editor.configs()[name]), applied }));
      return true;
    }
    if (method === 'DELETE' && name !== undefined) {
      req.resume();
      await editor.remove(name, by);
      res.writeHead(204);
      res.end();
      return true;
    }
    req.resume();
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on /${parts.join('/')}: POST /api/streams, PATCH or DELETE /api/streams/<name>`);
  };
}

async function jsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, 'BAD_CONTENT_TYPE', 'the stream API takes application/json');
  }
  const text = await readBody(req, limit);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'BAD_JSON', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** A stream's config as the API shows it: its URLs without credentials. */
function publicConfig(name: string, cfg: StreamConfig | undefined): Record<string, unknown> {
  if (!cfg) return { name };
  return {
    name, ...cfg,
    ...(cfg.url !== undefined ? { url: stripCredentials(cfg.url) } : {}),
    ...(cfg.renditions ? { renditions: cfg.renditions.map((r) => ({ name: r.name, url: stripCredentials(r.url) })) } : {}),
  };
}
