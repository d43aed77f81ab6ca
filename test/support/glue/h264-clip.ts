/**
 * THROWAWAY test glue until lib/h264 lands: an ffmpeg-made H.264 clip split into access
 * units by its access unit delimiters. Not a parser anyone should reuse.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClipAccessUnit {
  nalus: Uint8Array[];
  keyframe: boolean;
}

export interface ClipOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  /** Frames between IDRs. */
  gop?: number;
  profile?: 'baseline' | 'main' | 'high';
}

export function makeClip(opts: ClipOptions = {}): { units: ClipAccessUnit[]; fps: number; width: number; height: number } {
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const fps = opts.fps ?? 30;
  const seconds = opts.seconds ?? 4;
  const gop = opts.gop ?? fps;
  const dir = mkdtempSync(join(tmpdir(), 'camwire-clip-'));
  const out = join(dir, 'clip.h264');
  try {
    const r = spawnSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi',
      '-i', `testsrc2=size=${width}x${height}:rate=${fps}`, '-t', String(seconds),
      '-c:v', 'libx264', '-profile:v', opts.profile ?? 'baseline', '-pix_fmt', 'yuv420p',
      '-tune', 'zerolatency', '-preset', 'ultrafast', '-threads', '1',
      '-x264-params', `keyint=${gop}:min-keyint=${gop}:scenecut=0:repeat-headers=1`,
      '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', out,
    ]);
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
    return { units: splitAccessUnits(readFileSync(out)), fps, width, height };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function splitAccessUnits(buf: Uint8Array): ClipAccessUnit[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  const units: ClipAccessUnit[] = [];
  let cur: ClipAccessUnit | undefined;
  for (let k = 0; k < starts.length; k++) {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : buf.length;
    while (end > starts[k] && buf[end - 1] === 0) end--;
    const nal = buf.subarray(starts[k], end);
    const type = nal[0] & 0x1f;
    if (type === 9) {
      cur = { nalus: [], keyframe: false };
      units.push(cur);
      continue;
    }
    if (!cur) continue;
    cur.nalus.push(nal);
    if (type === 5) cur.keyframe = true;
  }
  return units.filter((u) => u.nalus.length > 0);
}
