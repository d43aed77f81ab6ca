/**
 * GStreamer as an audio sender for the specs: gst-launch-1.0 streams RTP to a UDP socket this
 * process listens on, and its verbose output gives the payloader's caps (the fmtp a camera
 * would announce).
 */
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { inCI } from './env.js';
import { runTool, type ToolResult } from './spawn-tool.js';

/** Skip reason when gst-launch-1.0 or one of the elements is missing (throws in CI, where .ci/run installs them). */
export function missingGstElements(elements: readonly string[]): string | false {
  for (const el of elements) {
    const r = spawnSync('gst-inspect-1.0', ['--exists', el], { stdio: 'ignore' });
    if (r.error || r.status !== 0) {
      const why = `GStreamer element ${el} not available${el === 'voaacenc' ? ' (gstreamer1.0-plugins-bad)' : ''}`;
      if (inCI) throw new Error(`${why}: required in CI`);
      return why;
    }
  }
  return false;
}

export interface UdpSink {
  port: number;
  datagrams: Uint8Array[];
  close(): Promise<void>;
}

/** A UDP socket on 127.0.0.1 that keeps every datagram it gets. */
export async function listenUdp(): Promise<UdpSink> {
  const socket: Socket = createSocket('udp4');
  const datagrams: Uint8Array[] = [];
  socket.on('message', (m) => datagrams.push(new Uint8Array(m)));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, datagrams, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** Runs `source ! ... ! udpsink host=127.0.0.1 port=<port>` verbosely to its end. */
export async function gstToUdp(pipeline: string, port: number, timeoutMs = 30_000): Promise<ToolResult> {
  const args = ['-v', ...`${pipeline} ! udpsink host=127.0.0.1 port=${port} sync=false`.split(/\s+/)];
  const r = await runTool('gst-launch-1.0', args, timeoutMs);
  // datagrams sent just before the exit are still in the socket's queue: let the loop read them
  await new Promise((resolve) => setTimeout(resolve, 300));
  return r;
}

/** The value of `name=(type)value` in the last RTP caps gst-launch printed. */
export function capsField(output: string, name: string): string | undefined {
  const caps = output.split('\n').filter((l) => l.includes('application/x-rtp')).pop() ?? '';
  const m = new RegExp(`[ ,]${name}=\\(\\w+\\)("?)([^,"]*)\\1`).exec(caps);
  return m?.[2];
}
