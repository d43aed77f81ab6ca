/**
 * `camwire probe --renditions`: probes the main URL, then each sub-stream URL the vendors'
 * patterns derive from it (one at a time: cameras limit their sessions), and proposes the
 * `renditions` block of the ones that play the same codec at a smaller size.
 */
import { probe, type ProbeOptions, type ProbeResult, type ProbeTrack } from './probe.js';
import { renditionCandidates } from './rendition-candidates.js';
import { redactUrl } from '../rtsp/protocol/url.js';

/** Each candidate is played for `seconds` and gets `timeoutMs` per connect and per request. */
export const PROBE_RENDITIONS_DEFAULTS = Object.freeze({
  seconds: 2,
  timeoutMs: 3000,
} as const);

export interface RenditionProbe {
  pattern: string;
  /** Without credentials. */
  url: string;
  result: ProbeResult;
  /** Why it is not in the block, or null when it is. */
  skipped: string | null;
}

export interface RenditionsReport {
  main: ProbeResult;
  candidates: RenditionProbe[];
  /** Ready for the config file: the URLs as given, credentials included. Main first, then best first. */
  renditions: { name: string; url: string }[];
}

function video(r: ProbeResult): ProbeTrack | undefined {
  return r.tracks.find((t) => t.mediaType === 'video' && t.codec !== null);
}

function pixels(t: ProbeTrack | undefined): number | null {
  return t?.width && t.height ? t.width * t.height : null;
}

function skipReason(main: ProbeResult, r: ProbeResult): string | null {
  if (!r.ok) return r.error?.code ?? 'FAILED';
  const [m, c] = [video(main), video(r)];
  if (!c) return 'no video';
  if (c.codec !== m?.codec) return `codec ${c.codec}, not ${m?.codec ?? 'none'}`;
  const [mp, cp] = [pixels(m), pixels(c)];
  // A camera that ignores the pattern (Axis without that resolution) serves the main profile again.
  if (mp !== null && cp !== null ? cp >= mp : r.bitrate >= main.bitrate) return 'not smaller than the main stream';
  return null;
}

function nameOf(r: ProbeResult, fallback: string, taken: Set<string>): string {
  const h = video(r)?.height;
  const base = h ? `${h}p` : fallback;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

export async function probeRenditions(o: ProbeOptions): Promise<RenditionsReport> {
  const seconds = o.seconds ?? PROBE_RENDITIONS_DEFAULTS.seconds;
  const t = PROBE_RENDITIONS_DEFAULTS.timeoutMs;
  const run = (url: string) => probe({ ...o, url, seconds, client: { connectTimeoutMs: t, requestTimeoutMs: t, ...o.client } });
  const main = await run(o.url);
  const candidates: RenditionProbe[] = [];
  const typed = new Map<RenditionProbe, string>();
  if (main.ok) {
    for (const c of renditionCandidates(o.url)) {
      const result = await run(c.url);
      const tried = { pattern: c.pattern, url: redactUrl(c.url), result, skipped: skipReason(main, result) };
      candidates.push(tried);
      typed.set(tried, c.url);
    }
  }
  const kept = candidates.filter((c) => c.skipped === null)
    .sort((a, b) => (pixels(video(b.result)) ?? 0) - (pixels(video(a.result)) ?? 0) || b.result.bitrate - a.result.bitrate);
  const taken = new Set<string>();
  const renditions = main.ok ? [{ name: nameOf(main, 'main', taken), url: o.url }] : [];
  for (const c of kept) renditions.push({ name: nameOf(c.result, 'sub', taken), url: typed.get(c) ?? c.url });
  return { main, candidates, renditions };
}

function line(r: ProbeResult, note: string): string {
  const v = video(r);
  const size = v?.width ? ` ${v.width}x${v.height}` : '';
  const what = r.ok ? `ok  ${v?.codec ?? 'no video'}${size}, ${(r.bitrate / 1000).toFixed(0)} kbit/s` : `--  ${r.error?.code ?? 'FAILED'}`;
  return `${what}  ${r.url}${note}`;
}

/** One line per URL tried, then the block to paste into the stream's config. */
export function formatRenditions(report: RenditionsReport): string {
  const lines = [line(report.main, '  (main)')];
  for (const c of report.candidates) lines.push(line(c.result, `  (${c.pattern}${c.skipped && c.result.ok ? `: skipped, ${c.skipped}` : ''})`));
  if (report.renditions.length === 0) return lines.join('\n') + '\n';
  const entries = report.renditions.map((r) => `  { "name": ${JSON.stringify(r.name)}, "url": ${JSON.stringify(r.url)} }`);
  return `${lines.join('\n')}\n\n"renditions": [\n${entries.join(',\n')}\n]\n`;
}
