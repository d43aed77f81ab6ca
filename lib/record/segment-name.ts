/**
 * A segment's file name is its UTC start, to the millisecond, in ISO 8601 basic form:
 * `20261207T053256.123Z.mp4`. It sorts as time does, needs no escaping in a URL or a shell,
 * and is the only name the download route serves (nothing else in the directory is reachable).
 */
const NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z(?:-(\d{1,4}))?\.mp4$/;

/** The file name of a segment starting at `wallMs` (ms since the epoch); `suffix` > 0 when that name was taken. */
export function segmentName(wallMs: number, suffix = 0): string {
  const iso = new Date(wallMs).toISOString(); // 2026-12-07T05:32:56.123Z
  const basic = iso.replace(/[-:]/g, '');
  return suffix > 0 ? `${basic.slice(0, -1)}Z-${suffix}.mp4` : `${basic.slice(0, -1)}Z.mp4`;
}

/** The start (ms since the epoch) a segment's name says, or undefined when it is not a segment's name. */
export function segmentStart(name: string): number | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
  return Number.isFinite(ms) && segmentName(ms, m[8] ? +m[8] : 0) === name ? ms : undefined;
}
