/** Starts and stops spec/support/gst-rtsp-server.py (GStreamer's RTSP server) for interop tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, inCI } from '../../test/support/env.js';

export interface GstServerOptions {
  port?: number;
  address?: string;
  path?: string;
  protocols?: string;
  auth?: 'none' | 'basic' | 'digest';
  user?: string;
  password?: string;
  keyInt?: number;
  /** RTPMediaFactory retransmission time (ms): > 0 answers NACKs with RTX (RFC 4588). Default 0 (off). */
  rtxTimeMs?: number;
  /** RTSPS: PEM certificate and key files (the URL becomes rtsps://). */
  tls?: { cert: string; key: string };
  /** The media factory's launch line instead of the default 640x360 baseline camera. */
  launch?: string;
  /** An audio track beside the video (default none). */
  audio?: 'none' | 'pcmu' | 'pcma' | 'opus' | 'aac' | 'g722';
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** What the camera encodes: 'h264' (default, x264enc) or 'h265' (x265enc ! rtph265pay). */
  codec?: 'h264' | 'h265';
}

export interface GstServer {
  port: number;
  url(credentials?: string): string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const SCRIPT = join(repoRoot, 'spec', 'support', 'gst-rtsp-server.py');

/**
 * Skip reason when GStreamer's RTSP server (python3-gi + gir1.2-gst-rtsp-server-1.0 + x264, or
 * for 'h265' x265 from gstreamer1.0-plugins-bad) is missing; throws in CI.
 */
export function missingGstRtspServer(codec: 'h264' | 'h265' = 'h264'): string | false {
  const [enc, pay] = codec === 'h265' ? ['x265enc', 'rtph265pay'] : ['x264enc', 'rtph264pay'];
  const r = spawnSync('/usr/bin/python3', ['-c', [
    'import gi',
    "gi.require_version('Gst', '1.0')",
    "gi.require_version('GstRtspServer', '1.0')",
    'from gi.repository import Gst, GstRtspServer',
    'Gst.init(None)',
    `assert Gst.ElementFactory.find('${enc}') and Gst.ElementFactory.find('${pay}')`,
  ].join('\n')], { stdio: 'ignore', timeout: 20_000 });
  if (r.status === 0) return false;
  if (inCI) throw new Error(`GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-ugly/bad) with ${enc} is required in CI`);
  return 'GStreamer RTSP server (python3-gi) not available';
}

export async function startGstServer(o: GstServerOptions = {}): Promise<GstServer> {
  const args = [SCRIPT, '--port', String(o.port ?? 0), '--address', o.address ?? '127.0.0.1', '--path', o.path ?? '/test',
    '--protocols', o.protocols ?? 'udp,tcp', '--auth', o.auth ?? 'none', '--user', o.user ?? 'user', '--password', o.password ?? 'pass',
    '--key-int', String(o.keyInt ?? 60), '--rtx-time', String(o.rtxTimeMs ?? 0), '--codec', o.codec ?? 'h264', '--audio', o.audio ?? 'none',
    ...(o.tls ? ['--tls-cert', o.tls.cert, '--tls-key', o.tls.key] : []), ...(o.launch ? ['--launch', o.launch] : [])];
  const child = o.netns ? spawn('ip', ['netns', 'exec', o.netns, '/usr/bin/python3', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`GStreamer RTSP server did not start: ${stderr.slice(-500)}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`GStreamer RTSP server exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
  const host = o.address ?? '127.0.0.1';
  return {
    port,
    process: child,
    url: (cred) => `${o.tls ? 'rtsps' : 'rtsp'}://${cred ? cred + '@' : ''}${host}:${port}${o.path ?? '/test'}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
