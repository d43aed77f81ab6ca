/**
 * An ffmpeg-made H.264 clip (any size, frame rate and GOP) split into access units at the
 * access unit delimiters ffmpeg is told to insert.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NalType, nalType, splitAnnexB } from '../../lib/h264/index.js';

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
  const units: ClipAccessUnit[] = [];
  let cur: ClipAccessUnit | undefined;
  for (const nal of splitAnnexB(buf)) {
    const type = nalType(nal[0]);
    if (type === NalType.Aud) {
      cur = { nalus: [], keyframe: false };
      units.push(cur);
      continue;
    }
    if (!cur) continue;
    cur.nalus.push(nal);
    if (type === NalType.Idr) cur.keyframe = true;
  }
  return units.filter((u) => u.nalus.length > 0);
}
