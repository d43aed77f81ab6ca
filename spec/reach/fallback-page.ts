/** Shared by the fallback specs: what the player page's MSE path shows, read inside the page. */

export interface FallbackState {
  path: string | undefined;
  reason: string | undefined;
  /** Frames the <video> has presented (getVideoPlaybackQuality), and its clock. */
  frames: number;
  currentTime: number;
  /** Seconds from currentTime to the end of the buffered range it plays in (the live edge). */
  lag: number;
  width: number;
  paused: boolean;
  wsState: number;
}

/** Runs in the page (plain JavaScript after compilation; no DOM types here). */
export function fallbackState(): FallbackState {
  const g = globalThis as any;
  const p = g.camwirePlayer ?? {};
  const video = g.document.getElementById('video');
  const r = video.buffered;
  const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
  return {
    path: p.path, reason: p.reason, frames: q.totalVideoFrames, currentTime: video.currentTime,
    lag: r.length ? r.end(r.length - 1) - video.currentTime : -1,
    width: video.videoWidth, paused: video.paused, wsState: p.ws ? p.ws.readyState : -1,
  };
}

export interface FallbackRun {
  /** ms from page load until the page chose the fallback, and until its first frame. */
  fallbackAtMs: number;
  firstFrameMs: number;
  samples: FallbackState[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` (every 100 ms) until the fallback has played `seconds` past its first frame. */
export async function watchFallback(read: () => Promise<FallbackState>, seconds: number, timeoutMs = 20_000): Promise<FallbackRun> {
  const t0 = Date.now();
  let fallbackAtMs = -1;
  let firstFrameMs = -1;
  const samples: FallbackState[] = [];
  while (Date.now() - t0 < timeoutMs) {
    const s = await read();
    const at = Date.now() - t0;
    if (fallbackAtMs < 0 && s.path === 'websocket') fallbackAtMs = at;
    if (firstFrameMs < 0 && s.path === 'websocket' && s.frames > 0) firstFrameMs = at;
    if (firstFrameMs >= 0) {
      samples.push(s);
      if (at - firstFrameMs >= seconds * 1000) break;
    }
    await sleep(100);
  }
  return { fallbackAtMs, firstFrameMs, samples };
}

/** Mean and largest lag (ms) of the samples in their second half (after the start settled). */
export function lagSummary(samples: readonly FallbackState[]): { meanMs: number; maxMs: number; p95Ms: number } {
  const settled = samples.slice(Math.floor(samples.length / 2)).map((s) => s.lag * 1000).sort((a, b) => a - b);
  if (settled.length === 0) return { meanMs: -1, maxMs: -1, p95Ms: -1 };
  const mean = settled.reduce((a, b) => a + b, 0) / settled.length;
  return { meanMs: Math.round(mean), maxMs: Math.round(settled.at(-1)!), p95Ms: Math.round(settled[Math.floor(settled.length * 0.95)] ?? settled.at(-1)!) };
}
