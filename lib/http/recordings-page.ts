/**
 * The recordings page (`/recordings` or `/recordings/<stream>` opened in a browser): each
 * stream's segments with start, length and size, a link to download each, and a <video> that
 * plays the one clicked (the browser reads the fragmented MP4 with Range requests). The page's
 * `?token=` (a viewer's JWT, or http.token) is carried into its links.
 */
import type { RecordingStats, SegmentEntry } from '../record/stream-recorder.js';

export interface PageStream {
  name: string;
  recording: RecordingStats | undefined;
  segments: SegmentEntry[];
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

export function recordingsPage(streams: readonly PageStream[], token: string | null): string {
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const sections = streams.map((s) => {
    const state = s.recording ? ` <small>(${escapeHtml(s.recording.state)}${s.recording.currentSegment ? `, writing ${escapeHtml(s.recording.currentSegment)}` : ''})</small>` : '';
    const rows = s.segments.map((g) => {
      const href = `/recordings/${encodeURIComponent(s.name)}/${encodeURIComponent(g.name)}${query}`;
      return `<tr><td>${escapeHtml(g.start)}</td><td>${(g.durationMs / 1000).toFixed(1)} s</td><td>${size(g.bytes)}</td>`
        + `<td><a class="play" href="${escapeHtml(href)}">play</a> <a href="${escapeHtml(href)}" download>download</a></td></tr>`;
    }).join('\n');
    return `<h2>${escapeHtml(s.name)}${state}</h2>\n<table><tr><th>start (UTC)</th><th>length</th><th>size</th><th></th></tr>\n${rows}\n</table>`;
  }).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>camwire recordings</title>
<style>body{font:14px system-ui,sans-serif;margin:1em}video{width:100%;max-width:960px;background:#000}td,th{padding:2px 10px;text-align:left}</style>
</head><body><h1>Recordings</h1>
<video id="player" controls playsinline></video>
${sections || '<p>No recordings.</p>'}
<script>
const player = document.getElementById('player');
for (const a of document.querySelectorAll('a.play')) {
  a.addEventListener('click', (e) => { e.preventDefault(); player.src = a.href; void player.play(); });
}
</script></body></html>`;
}
