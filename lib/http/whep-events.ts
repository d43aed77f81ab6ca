/**
 * The WHEP server-sent-events extension (`urn:ietf:params:whep:ext:core:server-sent-events`,
 * draft-ietf-wish-whep core extensions), as the `whip-whep` reference client uses it: the WHEP
 * answer links `<…/sse>` with the events it offers; the client POSTs the JSON list it wants and
 * gets a Location, then GETs that as an event stream (`event: <type>`, one `data:` line of JSON).
 * Events: `active`/`inactive` (the camera plays or not), `viewercount`, and `layers` (a stream's
 * renditions, in the draft's shape, keyed by the video m-line's index). The state is looked at
 * once a tick for all event streams (no per-packet hook), and an event is sent when it changed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Stream } from '../gateway/stream.js';
import type { Clock, TimerHandle } from '../clock.js';
import { HttpError, readBody } from './body.js';

/** The Link relation a WHEP answer advertises the event URL with. */
export const EVENTS_REL = 'urn:ietf:params:whep:ext:core:server-sent-events';

export type WhepEventType = 'layers' | 'active' | 'inactive' | 'viewercount';

export interface WhepEventsOptions {
  /** Event streams per camwire stream, created or open (a POST beyond it: 503 EVENTS_LIMIT). */
  maxPerStream: number;
  /** How often the state is looked at (ms). */
  tickMs: number;
  /** `layers` carries measured bitrates, which move every window: resent at most this often (ms) unless a layer's size or activity changed. */
  layersEveryMs: number;
  /** A comment line after this long without an event (ms), so proxies keep the connection. */
  keepAliveMs: number;
  /** Unsent bytes a slow reader may hold before its event stream is closed. */
  maxBufferedBytes: number;
}

export const WHEP_EVENTS_DEFAULTS = Object.freeze({
  maxPerStream: 64,
  tickMs: 1000,
  layersEveryMs: 5000,
  keepAliveMs: 15_000,
  maxBufferedBytes: 64 * 1024,
} as const satisfies WhepEventsOptions);

/** A POSTed event list is a few dozen bytes. */
const MAX_EVENTS_BODY = 1024;

/** One event, framed: the draft wants its JSON on a single `data:` line (JSON.stringify writes no newline). */
export function sseEvent(type: WhepEventType, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function offered(stream: Stream): WhepEventType[] {
  return stream.renditionNames === undefined ? ['active', 'inactive', 'viewercount'] : ['layers', 'active', 'inactive', 'viewercount'];
}

function sessionPath(stream: string, id: string): string {
  return `/whep/${encodeURIComponent(stream)}/${encodeURIComponent(id)}/sse`;
}

/** The Link header value for viewer `id` of `stream`. */
export function eventsLink(stream: Stream, id: string): string {
  return `<${sessionPath(stream.name, id)}>; rel="${EVENTS_REL}"; events="${offered(stream).join(',')}"`;
}

/** A rendition in the draft's `active`/`inactive` lists (rid, simulcast order: 0 is the smallest, as in the draft's example). */
export interface SimulcastEncoding {
  id: string;
  simulcastIdx: number;
  /** Measured (bit/s); absent for an inactive one. */
  bitrate?: number;
  width: number;
  height: number;
}

/** A rendition in the draft's `layers` list: what a layer selection may name by its encodingId. */
export interface SelectableLayer {
  encodingId: string;
  simulcastIdx: number;
  /** Camera profiles are whole encodings: no spatial or temporal layers inside them. */
  spatialLayerId: 0;
  temporalLayerId: 0;
  bitrate: number;
  width: number;
  height: number;
}

export interface MediaLayers {
  active: SimulcastEncoding[];
  inactive: SimulcastEncoding[];
  layers: SelectableLayer[];
}

/**
 * The draft's `layers` data: under the index of the video m-line, the renditions whose camera
 * plays (`active`, and `layers` to select from, best first) and those whose camera does not
 * (`inactive`).
 */
export function layersData(stream: Stream, answerSdp: string): Record<string, MediaLayers> {
  const mline = answerSdp.split(/\r?\n/).filter((l) => l.startsWith('m=')).findIndex((l) => l.startsWith('m=video'));
  const renditions = stream.stats().renditions ?? [];
  const media: MediaLayers = { active: [], inactive: [], layers: [] };
  renditions.forEach((r, i) => {
    const simulcastIdx = renditions.length - 1 - i;
    if (r.sourceState !== 'playing') {
      media.inactive.push({ id: r.name, simulcastIdx, width: r.width, height: r.height });
      return;
    }
    media.active.push({ id: r.name, simulcastIdx, bitrate: r.bitrateBps, width: r.width, height: r.height });
    media.layers.push({ encodingId: r.name, simulcastIdx, spatialLayerId: 0, temporalLayerId: 0, bitrate: r.bitrateBps, width: r.width, height: r.height });
  });
  return { [String(Math.max(0, mline))]: media };
}

interface EventStream {
  readonly id: string;
  readonly stream: string;
  readonly viewer: string;
  readonly types: ReadonlySet<WhepEventType>;
  res: ServerResponse | undefined;
  active: boolean | undefined;
  viewers: number | undefined;
  layersShape: string;
  layersAt: number;
  lastWriteAt: number;
}

export interface WhepEventsStats {
  open: number;
  created: number;
  refused: number;
  slowReadersClosed: number;
}

/** The event streams of every WHEP session of one HTTP handler. */
export class WhepEvents {
  private readonly o: WhepEventsOptions;
  private readonly streams = new Map<string, EventStream>();
  private timer: TimerHandle | undefined;
  private readonly c = { created: 0, refused: 0, slowReadersClosed: 0 };

  /** `lookup` finds a camwire stream by name (the gateway's). */
  constructor(private readonly clock: Clock, private readonly lookup: (name: string) => Stream | undefined, opts: Partial<WhepEventsOptions> = {}) {
    this.o = { ...WHEP_EVENTS_DEFAULTS, ...opts };
  }

  stats(): WhepEventsStats {
    return { open: this.streams.size, ...this.c };
  }

  /** `/whep/<stream>/<viewer>/sse` (POST) and `/whep/<stream>/<viewer>/sse/<id>` (GET, DELETE). */
  async handle(parts: readonly string[], method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stream = this.lookup(parts[1]);
    if (!stream?.getViewer(parts[2])) {
      req.resume();
      throw new HttpError(404, 'NOT_FOUND', 'no such WHEP session');
    }
    if (parts.length === 4 && method === 'POST') return this.create(stream, parts[2], req, res);
    req.resume();
    const es = parts.length === 5 ? this.streams.get(parts[4]) : undefined;
    if (!es || es.stream !== stream.name || es.viewer !== parts[2]) throw new HttpError(404, 'NOT_FOUND', 'no such event stream');
    if (method === 'GET') return this.open(es, stream, res);
    if (method === 'DELETE') {
      this.close(es);
      res.writeHead(200);
      return void res.end();
    }
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on an event stream (GET or DELETE)`);
  }

  /** Ends every event stream of a WHEP session (its DELETE). */
  endSession(stream: string, viewer: string): void {
    for (const es of [...this.streams.values()]) if (es.stream === stream && es.viewer === viewer) this.close(es);
  }

  private async create(stream: Stream, viewer: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const types = wanted(await readBody(req, MAX_EVENTS_BODY), offered(stream));
    let count = 0;
    for (const es of this.streams.values()) if (es.stream === stream.name) count++;
    if (count >= this.o.maxPerStream) {
      this.c.refused++;
      throw new HttpError(503, 'EVENTS_LIMIT', `stream ${stream.name} already has ${count} event streams`);
    }
    const id = randomUUID();
    this.streams.set(id, {
      id, stream: stream.name, viewer, types, res: undefined,
      active: undefined, viewers: undefined, layersShape: '', layersAt: -Infinity, lastWriteAt: this.clock.now(),
    });
    this.c.created++;
    this.arm();
    res.writeHead(201, { location: `${sessionPath(stream.name, viewer)}/${id}`, 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify([...types]));
  }

  private open(es: EventStream, stream: Stream, res: ServerResponse): void {
    // An EventSource reconnects on its own: the newer connection replaces the older one.
    es.res?.end();
    es.res = res;
    res.on('close', () => {
      if (es.res === res) es.res = undefined;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    // A fresh connection gets the current state again.
    es.active = undefined;
    es.viewers = undefined;
    es.layersShape = '';
    es.layersAt = -Infinity;
    this.update(es, stream);
    if (es.res === res && res.writableLength === 0) res.write(': camwire\n\n');
  }

  private close(es: EventStream): void {
    this.streams.delete(es.id);
    es.res?.end();
    es.res = undefined;
    if (this.streams.size === 0) {
      this.timer?.cancel();
      this.timer = undefined;
    }
  }

  private arm(): void {
    this.timer ??= this.clock.setTimer(this.o.tickMs, () => {
      this.timer = undefined;
      this.onTick();
      if (this.streams.size > 0) this.arm();
    });
  }

  private onTick(): void {
    for (const es of [...this.streams.values()]) {
      const stream = this.lookup(es.stream);
      if (!stream?.getViewer(es.viewer)) this.close(es);
      else if (es.res) this.update(es, stream);
    }
  }

  private update(es: EventStream, stream: Stream): void {
    const res = es.res;
    if (!res) return;
    const now = this.clock.now();
    let out = '';
    const active = stream.sourceState === 'playing';
    // The draft: no initial `inactive` when nothing plays at creation.
    if (active !== es.active && (es.active !== undefined || active)) out += this.pick(es, active ? 'active' : 'inactive', {});
    es.active = active;
    if (stream.viewerCount !== es.viewers) out += this.pick(es, 'viewercount', { viewercount: stream.viewerCount });
    es.viewers = stream.viewerCount;
    const viewer = stream.getViewer(es.viewer);
    if (es.types.has('layers') && viewer) {
      const data = layersData(stream, viewer.peer.answerSdp);
      const media = Object.values(data)[0];
      const shape = JSON.stringify([media.active.map((l) => [l.id, l.width, l.height]), media.inactive.map((l) => l.id)]);
      if (shape !== es.layersShape || now - es.layersAt >= this.o.layersEveryMs) {
        out += sseEvent('layers', data);
        es.layersShape = shape;
        es.layersAt = now;
      }
    }
    if (out === '' && now - es.lastWriteAt >= this.o.keepAliveMs) out = ': keep-alive\n\n';
    if (out === '') return;
    es.lastWriteAt = now;
    res.write(out);
    if (res.writableLength > this.o.maxBufferedBytes) {
      this.c.slowReadersClosed++;
      this.close(es);
    }
  }

  private pick(es: EventStream, type: WhepEventType, data: unknown): string {
    return es.types.has(type) ? sseEvent(type, data) : '';
  }
}

/** The POSTed JSON array of event types, kept to those offered; an empty body asks for all. Unknown names are ignored (the draft's clients must ignore what they do not know, and so does camwire). */
export function wanted(body: string, offer: readonly WhepEventType[]): ReadonlySet<WhepEventType> {
  if (body.trim() === '') return new Set(offer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === 'string')) {
    throw new HttpError(400, 'BAD_JSON', 'the event list must be a JSON array of event names');
  }
  return new Set(offer.filter((t) => (parsed as string[]).includes(t)));
}
