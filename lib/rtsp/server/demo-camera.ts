/**
 * The built-in demo camera: camwire's RTSP server looping a short H.264 clip shipped with
 * the package (assets/demo.h264), with a beep on every second of its clock as a G.711 audio
 * track beside it (made in code: lib/rtsp/server/beep-audio.ts), so everything plays, with
 * sound, with no real camera. Timestamps and
 * sequence numbers continue across loops, as from a camera that never stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitAnnexB } from '../../h264/nal.js';
import { parseSps } from '../../h264/sps.js';
import { loadH264Clip } from './h264-clip.js';
import { LoopingClipSource } from './media-source.js';
import { RtspServer, type RtspServerOptions } from './server.js';
import { RtspServerError } from './errors.js';
import { BeepAudio } from './beep-audio.js';

export const DEMO_PATH = '/demo';
/** The demo camera's second profile, as a camera's sub stream: the same picture at 640x360. */
export const DEMO_SUB_PATH = '/demo-360p';

/** assets/demo.h264 (or another of its clips) of the installed package (searched upwards from this module). */
export function demoClipPath(file = 'demo.h264'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'assets', file);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new RtspServerError('RTSP_SERVER_BAD_CLIP', `assets/${file} not found next to the camwire package`);
    dir = up;
  }
}

/**
 * A looping source for an Annex-B H.264 file. The frame rate comes from `frameRate`, else
 * the SPS timing info, else 25.
 */
export function clipSource(file: string, frameRate?: number): LoopingClipSource {
  const clip = loadH264Clip(splitAnnexB(readFileSync(file)));
  let fps = frameRate;
  if (fps === undefined) {
    try {
      fps = parseSps(clip.sps).frameRate;
    } catch {
      fps = undefined;
    }
  }
  return new LoopingClipSource(clip, fps && fps > 0 && fps <= 240 ? fps : 25);
}

export interface DemoCameraOptions extends RtspServerOptions {
  /** Annex-B file to loop. Default: the packaged assets/demo.h264. */
  clip?: string;
  /** Path the stream is served at. Default /demo. */
  path?: string;
  /**
   * Also serve assets/demo-360p.h264 at /demo-360p, the camera's smaller second profile
   * (default true with the packaged clip, false with `clip`).
   */
  subStream?: boolean;
  frameRate?: number;
  /** The demo's sound (a beep on every second of the clip's clock), G.711 mu-law or A-law, or none. Default 'pcmu'. */
  audio?: DemoAudio;
}

export type DemoAudio = 'pcmu' | 'pcma' | 'none';

export interface DemoCamera {
  readonly server: RtspServer;
  /** rtsp://host:port/demo */
  readonly url: string;
  /** rtsp://host:port/demo-360p, when the sub stream is served. */
  readonly subUrl: string | undefined;
  close(): Promise<void>;
}

/** Starts the demo camera (port 8554 on 127.0.0.1 unless told otherwise; port 0 = any). */
export async function startDemoCamera(opts: DemoCameraOptions = {}): Promise<DemoCamera> {
  const path = opts.path ?? DEMO_PATH;
  const server = new RtspServer(opts);
  const clip = clipSource(opts.clip ?? demoClipPath(), opts.frameRate);
  const audio = opts.audio ?? 'pcmu';
  if (audio !== 'pcmu' && audio !== 'pcma' && audio !== 'none') throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `audio ${String(audio)} is not pcmu, pcma or none`);
  server.addStream(path, clip, audio === 'none' ? undefined : new BeepAudio(clip.frameRate, { law: audio === 'pcmu' ? 'ulaw' : 'alaw' }));
  const sub = opts.subStream ?? opts.clip === undefined;
  if (sub) server.addStream(DEMO_SUB_PATH, clipSource(demoClipPath('demo-360p.h264'), opts.frameRate));
  await server.listen();
  return { server, url: server.url(path), subUrl: sub ? server.url(DEMO_SUB_PATH) : undefined, close: () => server.close() };
}
