/**
 * `GET /recordings` (every stream's segments: start, duration, size), `GET /recordings/<stream>`
 * (one stream's), as JSON, or as a page with a player for a browser (Accept: text/html);
 * `GET /recordings/<stream>?start=<RFC 3339>&duration=<s>` joins the segments of a time range
 * into one MP4; `GET /recordings/<stream>/<segment>.mp4` downloads one segment, with Range (a browser's
 * <video> seeks in it). Who may: the admin token (`http.adminToken`) for everything; otherwise
 * per-viewer authorization when it is on (a JWT or the hook, action `playback`, per stream:
 * the listing shows the streams the token opens), else `http.token`/basic as on every route.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { Recordings } from '../record/recordings.js';
import { checkJoin, joinSegments, JoinError } from '../record/segment-join.js';
import type { SegmentEntry } from '../record/stream-recorder.js';
import type { AccessControl } from './access.js';
import { HttpError } from './body.js';
import { recordingsPage } from './recordings-page.js';
import type { ViewerAuthorizer } from './viewer-auth.js';

export interface RecordingsRouteContext {
  recordings: Recordings;
  adminToken?: string;
  access: AccessControl;
  viewerAuth: ViewerAuthorizer | undefined;
  log: Logger;
  /** Counts a refusal (the server's `unauthorized`). */
  refused(): void;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Answers a request under /recordings; false for any other path. */
export function createRecordingsRoute(ctx: RecordingsRouteContext) {
  const admin = ctx.adminToken !== undefined ? digest(ctx.adminToken) : undefined;
  const isAdmin = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization ?? '';
    return admin !== undefined && /^bearer /i.test(auth) && timingSafeEqual(digest(auth.slice(7).trim()), admin);
  };
  /** null: allowed; else the refusal. */
  const check = async (req: IncomingMessage, url: URL, stream: string): Promise<HttpError | null> => {
    if (isAdmin(req)) return null;
    if (ctx.viewerAuth) {
      const r = await ctx.viewerAuth.authorize(req, url, stream, 'playback');
      return r.ok ? null : new HttpError(r.status, r.code, `not authorized to play back ${stream}`);
    }
    return ctx.access.allows(req, url) ? null : new HttpError(401, 'UNAUTHORIZED', 'this camwire needs a token or password');
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, err: HttpError, stream?: string): never => {
    ctx.refused();
    ctx.log.warn('auth.refused', { address: req.socket.remoteAddress, route: 'recordings', stream, code: err.code });
    if (err.status === 401 && !ctx.viewerAuth) res.setHeader('www-authenticate', ctx.access.challenge());
    throw err;
  };

  return async (req: IncomingMessage, res: ServerResponse, method: string, parts: readonly string[], url: URL): Promise<boolean> => {
    if (parts[0] !== 'recordings' || parts.length > 3) return false;
    req.resume();
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'recordings are read with GET');
    const html = wantsHtml(req);
    if (parts.length === 1) {
      const names = [...(await ctx.recordings.streams()).keys()].sort();
      const allowed: string[] = [];
      let firstRefusal: HttpError | undefined;
      for (const name of names) {
        const err = await check(req, url, name);
        if (!err) allowed.push(name);
        else firstRefusal ??= err;
      }
      if (allowed.length === 0 && firstRefusal) refuse(req, res, firstRefusal);
      if (names.length === 0 && !isAdmin(req) && !ctx.viewerAuth && !ctx.access.allows(req, url)) {
        refuse(req, res, new HttpError(401, 'UNAUTHORIZED', 'this camwire needs a token or password'));
      }
      const streams = await Promise.all(allowed.map(async (name) => ({ name, recording: ctx.recordings.stats(name), segments: (await ctx.recordings.segments(name)) ?? [] })));
      return answer(res, method, html, { streams }, url);
    }
    const stream = parts[1];
    const err = await check(req, url, stream);
    if (err) refuse(req, res, err, stream);
    if (parts.length === 2) {
      const segments = await ctx.recordings.segments(stream);
      if (!segments) throw new HttpError(404, 'NOT_FOUND', `no recordings of ${stream}`);
      if (url.searchParams.has('start')) return serveRange(req, res, method, stream, segments, url, ctx.recordings);
      return answer(res, method, html, { streams: [{ name: stream, recording: ctx.recordings.stats(stream), segments }] }, url);
    }
    const path = await ctx.recordings.file(stream, parts[2]);
    const st = path ? await stat(path).catch(() => undefined) : undefined;
    if (!path || !st?.isFile()) throw new HttpError(404, 'NOT_FOUND', `no segment ${parts[2]} of ${stream}`);
    serveFile(req, res, method, path, st.size);
    return true;
  };
}

/** Most a time range may span (s): a day of segments. */
const MAX_RANGE_SECONDS = 86_400;

/**
 * `?start=<RFC 3339>&duration=<seconds>`: the closed segments that overlap the range, joined
 * into one MP4 (whole segments: the first begins at or before `start`). Chunked: its length is
 * known only as it is written.
 */
async function serveRange(req: IncomingMessage, res: ServerResponse, method: string, stream: string, segments: SegmentEntry[], url: URL, recordings: Recordings): Promise<true> {
  const from = Date.parse(url.searchParams.get('start') ?? '');
  const seconds = Number(url.searchParams.get('duration') ?? '');
  if (!Number.isFinite(from) || !(seconds > 0 && seconds <= MAX_RANGE_SECONDS)) {
    throw new HttpError(400, 'BAD_RANGE', `start must be a date (2026-12-07T05:00:00Z) and duration seconds in (0, ${MAX_RANGE_SECONDS}]`);
  }
  const writing = recordings.stats(stream)?.currentSegment;
  const chosen = segments.filter((g) => g.name !== writing && Date.parse(g.start) < from + seconds * 1000 && Date.parse(g.start) + g.durationMs > from);
  if (chosen.length === 0) throw new HttpError(404, 'NOT_FOUND', `no closed segment of ${stream} in that range`);
  const paths = (await Promise.all(chosen.map((g) => recordings.file(stream, g.name)))).filter((p): p is string => p !== undefined);
  try {
    await checkJoin(paths);
  } catch (err) {
    if (err instanceof JoinError) throw new HttpError(409, err.code, err.message);
    throw err;
  }
  res.writeHead(200, {
    'content-type': 'video/mp4', 'cache-control': 'no-store',
    'content-disposition': `attachment; filename="${stream}-${chosen[0].name}"`,
  });
  if (method === 'HEAD') {
    res.end();
    return true;
  }
  await joinSegments(paths, (chunk) => new Promise<void>((resolve, reject) => {
    if (res.destroyed) return reject(new Error('client gone'));
    if (res.write(chunk)) resolve();
    else res.once('drain', resolve);
  })).then(() => res.end(), () => res.destroy());
  return true;
}

function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return /text\/html/.test(accept) && !/application\/json/.test(accept);
}

function answer(res: ServerResponse, method: string, html: boolean, body: { streams: unknown[] }, url: URL): true {
  const text = html ? recordingsPage(body.streams as Parameters<typeof recordingsPage>[0], url.searchParams.get('token')) : JSON.stringify(body, null, 1);
  res.writeHead(200, { 'content-type': html ? 'text/html; charset=utf-8' : 'application/json', 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : text);
  return true;
}

/** The file, whole or the one byte range asked (RFC 9110 14.2); several ranges get the whole file. */
function serveFile(req: IncomingMessage, res: ServerResponse, method: string, path: string, size: number): void {
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' });
    return void res.end();
  }
  const [start, end] = range ?? [0, size - 1];
  const headers = {
    'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': String(Math.max(0, end - start + 1)), 'cache-control': 'no-store',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  };
  res.writeHead(range ? 206 : 200, headers);
  if (method === 'HEAD' || size === 0) return void res.end();
  const file = createReadStream(path, { start, end });
  file.on('error', () => res.destroy());
  res.on('close', () => file.destroy());
  file.pipe(res);
}

/** One `bytes=a-b`, `a-` or `-n` range clipped to the file; undefined for none or a form served whole. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  return start >= size ? 'unsatisfiable' : [start, end];
}
