/**
 * Captures on running streams, behind the stream API's token: `POST /api/streams/<name>/capture`
 * `{ "maxBytes"?, "seconds"? }` starts a bounded capture (201; 409 CAPTURE_RUNNING when one
 * runs), `DELETE /api/streams/<name>/capture` ends it and answers its file, `GET /api/captures`
 * lists the capture directory's files and `GET /api/captures/<file>` downloads one. What a
 * capture holds is lib/capture's; the slot's state shows in /api/streams.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CaptureSlot } from '../capture/capture-slot.js';
import { CaptureError } from '../capture/capture-slot.js';
import type { Logger } from '../log/logger.js';
import { HttpError } from './body.js';

/** What the capture routes reach (the composition root wires the gateway's streams). */
export interface CaptureControl {
  /** The stream's slot: undefined for no such stream, null for a stream that is not captured. */
  slot(stream: string): CaptureSlot | null | undefined;
  /** The capture directory (`capture.dir`), when set. */
  readonly dir: string | undefined;
}

/** A capture file's name as camwire writes them: `<stream>-<UTC start>[-n].pcapng`, no path. */
const CAPTURE_FILE = /^[A-Za-z0-9._-]{1,100}\.pcapng$/;

type JsonBody = (req: IncomingMessage) => Promise<Record<string, unknown>>;

/** POST or DELETE /api/streams/<name>/capture (the token already checked). */
export async function captureRoute(c: CaptureControl, req: IncomingMessage, res: ServerResponse, method: string, name: string, by: string, o: { log: Logger; body: JsonBody }): Promise<void> {
  const slot = c.slot(name);
  if (slot === undefined) {
    req.resume();
    throw new HttpError(404, 'STREAM_UNKNOWN', `no stream named ${name}`);
  }
  if (slot === null) {
    req.resume();
    throw new CaptureError('CAPTURE_OFF', c.dir === undefined ? 'no capture directory: set capture.dir (or --capture DIR)' : `stream ${name} has "capture": false`);
  }
  if (method === 'POST') {
    const body = hasBody(req) ? await o.body(req) : (req.resume(), {});
    const bounds = { maxBytes: numberOrUndefined(body.maxBytes, 'maxBytes'), seconds: numberOrUndefined(body.seconds, 'seconds') };
    for (const key of Object.keys(body)) if (key !== 'maxBytes' && key !== 'seconds') throw new HttpError(400, 'BAD_JSON', `unknown field ${key}: a capture takes maxBytes and seconds`);
    slot.start(bounds);
    const s = slot.stats();
    o.log.info('capture.started', { stream: name, maxBytes: s.maxBytes, seconds: s.seconds, by });
    res.writeHead(201, { 'content-type': 'application/json', location: `/api/streams/${encodeURIComponent(name)}/capture` });
    return void res.end(JSON.stringify({ stream: name, ...s }));
  }
  req.resume();
  if (!slot.current) throw new CaptureError('CAPTURE_NOT_RUNNING', `no capture of stream ${name} is running`);
  await slot.stop('stopped');
  const s = slot.stats();
  o.log.info('capture.stopped', { stream: name, file: s.file, bytes: s.bytesWritten, by });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ stream: name, ...s, ...(s.file ? { url: `/api/captures/${encodeURIComponent(s.file)}` } : {}) }));
}

/** GET /api/captures (the files, oldest first) or /api/captures/<file> (the token already checked). */
export async function capturesRoute(c: CaptureControl, res: ServerResponse, file: string | undefined): Promise<void> {
  if (c.dir === undefined) throw new CaptureError('CAPTURE_OFF', 'no capture directory: set capture.dir (or --capture DIR)');
  if (file === undefined) {
    const names = await readdir(c.dir).catch(() => [] as string[]);
    const files: { file: string; bytes: number; modified: string }[] = [];
    for (const n of names.filter((x) => CAPTURE_FILE.test(x))) {
      const st = await stat(join(c.dir, n)).catch(() => undefined);
      if (st?.isFile()) files.push({ file: n, bytes: st.size, modified: st.mtime.toISOString() });
    }
    files.sort((a, b) => a.modified.localeCompare(b.modified));
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    return void res.end(JSON.stringify({ files }, null, 1));
  }
  const path = join(c.dir, file);
  const st = CAPTURE_FILE.test(file) ? await stat(path).catch(() => undefined) : undefined;
  if (!st?.isFile()) throw new CaptureError('CAPTURE_NOT_FOUND', `no capture file ${file}`);
  res.writeHead(200, {
    'content-type': 'application/x-pcapng', 'content-length': String(st.size), 'cache-control': 'no-store',
    'content-disposition': `attachment; filename="${file}"`,
  });
  if (st.size === 0) return void res.end();
  // a file still being written is served as far as it was when asked (whole blocks: tshark reads it)
  const body = createReadStream(path, { start: 0, end: st.size - 1 });
  body.on('error', () => res.destroy());
  body.pipe(res);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function numberOrUndefined(v: unknown, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new HttpError(400, 'BAD_JSON', `${key} must be a number`);
  return v;
}
