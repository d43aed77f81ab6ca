/**
 * Camera stand-ins for the lab: camwire's own demo camera (its RTSP server looping an H.264
 * clip) and GStreamer's RTSP server (Python GI, the pipeline from TESTING.md). Each run gets a
 * fresh camera so every strategy sees the same picture from the same starting point.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { clipSource, demoClipPath, startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import type { SourceKind } from './scenario.js';

export interface LabCamera {
  kind: SourceKind;
  host: string;
  port: number;
  path: string;
  /** The camera's profiles, best first, when it serves several (the 'renditions' camera). */
  renditions?: { name: string; path: string }[];
  /** Process id when the camera is a child process. */
  pid?: number;
  close(): Promise<void>;
}

/**
 * The clip the demo camera loops in the lab. The packaged assets/demo.h264 is kept small
 * (about 0.5 Mbit/s, two packets a frame), which hides what loss does to a camera's stream, so
 * the lab makes its own once with ffmpeg (720p30 test pattern, baseline, one slice, keyframe every 2 s, about
 * 6 Mbit/s, about 20 packets a frame: a 1080p camera's bit rate, so a frame spans many packets as in the study).
 */
export function labClip(cacheDir: string, shape: ClipShape = LAB_CLIP): string {
  const gop = Math.round((shape.gopSeconds ?? 2) * shape.rate);
  const quality = shape.kbps ? `${shape.kbps}k` : String(shape.crf);
  const file = join(cacheDir, `lab-${shape.size}-${shape.rate}-${quality}-g${gop}-v3.h264`);
  // A camera's profile runs at a set bitrate (constant bitrate, a buffer of half a second); the loss lab's clip at a set quality.
  const rateControl = shape.kbps ? ['-b:v', `${shape.kbps}k`, '-minrate', `${shape.kbps}k`, '-maxrate', `${shape.kbps}k`, '-bufsize', `${shape.kbps >> 1}k`] : ['-crf', String(shape.crf)];
  if (existsSync(file)) return file;
  mkdirSync(cacheDir, { recursive: true });
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${shape.size}:rate=${shape.rate}`, '-t', String(Math.max(10, 2 * (shape.gopSeconds ?? 2))),
    '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency', '-preset', 'ultrafast', '-g', String(gop),
    '-x264-params', 'threads=1:sliced-threads=0:scenecut=0', ...rateControl, '-pix_fmt', 'yuv420p', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', file,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status === 0) return file;
  try {
    return demoClipPath();
  } catch {
    throw new Error(`ffmpeg could not make the lab clip (${r.error?.message ?? r.stderr?.toString()}) and assets/demo.h264 is absent`);
  }
}

export interface ClipShape {
  size: string;
  rate: number;
  crf: number;
  /** Seconds between keyframes (default 2). */
  gopSeconds?: number;
  /** Encode at this bitrate (kbit/s) instead of at `crf`. */
  kbps?: number;
}

export const LAB_CLIP: ClipShape = Object.freeze({ size: '1280x720', rate: 30, crf: 27 });
/** The reference measurement's camera (issue 18): 640x360 at 25 fps, a few packets a frame. */
export const SMALL_CLIP: ClipShape = Object.freeze({ size: '640x360', rate: 25, crf: 23 });

/**
 * The bandwidth scenarios' camera profiles (issue 22): about 2.6 and 0.42 Mbit/s on the wire
 * once RTP headers are counted, 30 fps, a keyframe every 2 s like a camera's default GOP.
 */
export const RENDITION_CLIPS: readonly { name: string; path: string; shape: ClipShape }[] = Object.freeze([
  { name: '720p', path: '/main', shape: Object.freeze({ size: '1280x720', rate: 30, crf: 0, kbps: 2550 }) },
  { name: '360p', path: '/sub', shape: Object.freeze({ size: '640x360', rate: 30, crf: 0, kbps: 410 }) },
]);

export async function startCamera(kind: SourceKind, cacheDir: string, audio = false): Promise<LabCamera> {
  if (kind === 'gstreamer') return startGStreamer();
  if (kind === 'renditions') return startRenditionCamera(cacheDir);
  return startClipCamera(cacheDir, kind === 'demo-360p' ? SMALL_CLIP : LAB_CLIP, audio);
}

/** The demo camera looping an ffmpeg-made clip of that shape. */
export async function startClipCamera(cacheDir: string, shape: ClipShape, audio = false): Promise<LabCamera> {
  // video only unless the run measures audio (--audio): the camera-leg counts are the video's
  const cam = await startDemoCamera({ port: 0, clip: labClip(cacheDir, shape), frameRate: shape.rate, audio: audio ? 'pcmu' : 'none' });
  const u = new URL(cam.url);
  return { kind: shape === LAB_CLIP ? 'demo' : 'demo-360p', host: u.hostname, port: Number(u.port), path: u.pathname, close: () => cam.close() };
}

/** camwire's demo camera serving the two profiles of RENDITION_CLIPS on two paths, as a camera's main and sub stream. */
async function startRenditionCamera(cacheDir: string): Promise<LabCamera> {
  const [main, ...rest] = RENDITION_CLIPS;
  const cam = await startDemoCamera({ port: 0, clip: labClip(cacheDir, main.shape), path: main.path, frameRate: main.shape.rate, audio: 'none', subStream: false });
  for (const r of rest) cam.server.addStream(r.path, clipSource(labClip(cacheDir, r.shape), r.shape.rate));
  const u = new URL(cam.url);
  return {
    kind: 'renditions', host: u.hostname, port: Number(u.port), path: main.path,
    renditions: RENDITION_CLIPS.map((r) => ({ name: r.name, path: r.path })),
    close: () => cam.close(),
  };
}

const GST_SCRIPT = `
import sys, gi
gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); gi.require_version('GstRtsp', '1.0')
from gi.repository import Gst, GstRtspServer, GstRtsp, GLib
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(sys.argv[1])
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch('( videotestsrc is-live=true pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1 ! timeoverlay ! '
  'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 threads=1 ! video/x-h264,profile=constrained-baseline ! '
  'rtph264pay name=pay0 pt=96 config-interval=-1 )')
factory.set_shared(True)
factory.set_protocols(GstRtsp.RTSPLowerTrans(0) | GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.TCP)
server.get_mount_points().add_factory('/cam', factory)
server.attach(None)
print('ready', flush=True)
GLib.MainLoop().run()
`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startGStreamer(): Promise<LabCamera> {
  const port = await freePort();
  const child: ChildProcess = spawn('/usr/bin/python3', ['-c', GST_SCRIPT, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`GStreamer RTSP server did not start: ${err}`)), 10000);
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(); } });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`GStreamer RTSP server exited (${code}): ${err}`)); });
  });
  return {
    kind: 'gstreamer', host: '127.0.0.1', port, path: '/cam', pid: child.pid,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** Why a camera kind cannot run here, or undefined when it can. */
export function cameraMissing(kind: SourceKind): string | undefined {
  if (kind !== 'gstreamer') {
    const r = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    if (!r.error) return undefined;
    try { demoClipPath(); return undefined; } catch { /* neither */ }
    return 'ffmpeg is needed to make the lab clip (and assets/demo.h264 is absent)';
  }
  const r = spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], { stdio: 'ignore' });
  return r.status === 0 ? undefined : 'GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0) not available';
}
