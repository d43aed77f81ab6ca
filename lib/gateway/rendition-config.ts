/**
 * A stream's renditions: the camera's own profiles of one picture (Axis `?resolution=640x360`,
 * Hikvision channel 102, Dahua `subtype=1`), listed in place of its `url`, best first. Each is
 * pulled while the stream has viewers, and each viewer is switched between them at keyframes.
 */

export interface RenditionConfig {
  /** Shown in the player's quality menu and the API, and what a WHEP client pins ([A-Za-z0-9._-], at most 32). */
  name: string;
  /** rtsp://[user:pass@]host[:port]/path of this profile. */
  url: string;
}

/** At most this many renditions per stream: each is a camera session while viewers watch. */
export const MAX_RENDITIONS = 8;

const RENDITION_NAME = /^[A-Za-z0-9._-]{1,32}$/;
const RTSP_URL = /^rtsps?:\/\/[^/\s]+/i;

/**
 * Why `v` is not a valid `renditions` list (the message names the field at `path`), or
 * undefined when it is: 1 to MAX_RENDITIONS objects of exactly { name, url }, names unique.
 */
export function renditionsProblem(v: unknown, path: string): string | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_RENDITIONS) {
    return `${path} must be an array of 1 to ${MAX_RENDITIONS} { "name", "url" } objects`;
  }
  const names = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const at = `${path}[${i}]`;
    const r = v[i] as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return `${at} must be an object { "name", "url" }`;
    for (const k of Object.keys(r)) if (k !== 'name' && k !== 'url') return `${at}.${k} is not a known setting (known: name, url)`;
    if (typeof r.name !== 'string' || !RENDITION_NAME.test(r.name)) return `${at}.name must be 1 to 32 of A-Z a-z 0-9 . _ -`;
    if (names.has(r.name)) return `${at}.name ${JSON.stringify(r.name)} is listed twice`;
    names.add(r.name);
    if (typeof r.url !== 'string' || !RTSP_URL.test(r.url)) return `${at}.url must be an rtsp:// URL`;
  }
  return undefined;
}
