/**
 * The WHEP layer-selection extension (`urn:ietf:params:whep:ext:core:layer`) over a stream's
 * renditions: POST `{"encodingId": "<rendition>"}` to the session's layer URL pins it, POST `{}`
 * or DELETE returns to Auto (what the `whip-whep` reference client's selectLayer and
 * unselectLayer send). camwire's own player page uses the same URL for its quality menu.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Stream } from '../gateway/stream.js';
import { HttpError, readBody } from './body.js';

/** The Link relation a WHEP answer advertises the layer URL with. */
export const LAYER_REL = 'urn:ietf:params:whep:ext:core:layer';

/** A layer selection is a few dozen bytes of JSON. */
const MAX_LAYER_BODY = 4096;

/** The layer URL of viewer `id` of `stream`, for its Link header. */
export function layerPath(stream: string, id: string): string {
  return `/whep/${encodeURIComponent(stream)}/${encodeURIComponent(id)}/layer`;
}

export async function handleLayer(stream: Stream | undefined, id: string, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!stream || stream.renditionNames === undefined || !stream.getViewer(id)) {
    req.resume();
    throw new HttpError(404, 'NOT_FOUND', 'no such WHEP session with renditions');
  }
  let name: string | undefined;
  if (method === 'POST') {
    name = encodingId(await readBody(req, MAX_LAYER_BODY));
  } else if (method !== 'DELETE') {
    req.resume();
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on a layer URL (POST or DELETE)`);
  }
  if (!stream.selectRendition(id, name)) {
    throw new HttpError(400, 'LAYER_UNKNOWN', `no rendition ${JSON.stringify(name)} (have ${stream.renditionNames.join(', ')})`);
  }
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ encodingId: name ?? null }));
}

/** The rendition asked for, or undefined for Auto (`{}` or a null/absent encodingId). */
function encodingId(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new HttpError(400, 'LAYER_UNKNOWN', 'the layer selection must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'LAYER_UNKNOWN', 'the layer selection must be a JSON object');
  }
  const id = (parsed as { encodingId?: unknown }).encodingId;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string') throw new HttpError(400, 'LAYER_UNKNOWN', 'encodingId must be a string');
  return id;
}
