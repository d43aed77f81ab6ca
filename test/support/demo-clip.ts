/**
 * The H.264 clip spec tests serve: the repository's assets/demo.h264 when present, else one
 * made once per run with ffmpeg in a temp dir (same recipe idea: small, baseline, 1 s GOP).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, missingTool } from './env.js';
import { runTool } from './spawn-tool.js';

let made: string | undefined;

export async function demoClip(): Promise<{ path?: string; skip?: string }> {
  const shipped = join(repoRoot, 'assets', 'demo.h264');
  if (existsSync(shipped)) return { path: shipped };
  if (made) return { path: made };
  const why = missingTool('ffmpeg');
  if (why) return { skip: why };
  const out = join(mkdtempSync(join(tmpdir(), 'camwire-clip-')), 'clip.h264');
  const r = await runTool('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '4',
    '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast',
    '-x264-params', 'keyint=25:min-keyint=25:scenecut=0:threads=1', '-pix_fmt', 'yuv420p', '-f', 'h264', out,
  ], 60000);
  if (r.code !== 0) throw new Error(`ffmpeg could not make a test clip: ${r.stderr.slice(0, 300)}`);
  made = out;
  return { path: out };
}
