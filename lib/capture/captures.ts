/**
 * The capture setting (`--capture DIR`, the config's `capture` block) made real: one
 * CaptureDirectory (the byte budget all streams share) and a StreamCapture per stream that
 * asks for one. A directory that cannot be made or written is found out by the first write:
 * that stream's capture stops with one log line and its state in /api/streams says so.
 */
import type { Clock } from '../clock.js';
import { CaptureDirectory } from './capture-dir.js';
import { CAPTURE_QUEUE_DEFAULTS } from './capture-queue.js';
import { StreamCapture } from './stream-capture.js';

export interface CaptureConfig {
  /** Directory of the `.pcapng` files; no capture without one. */
  dir?: string;
  /** A stream's file is closed and the next begun before it would pass this (default 256 MiB). */
  maxBytesPerFile?: number;
  /** The directory's `.pcapng` files together; the oldest finished ones are deleted above it (default 2 GiB). */
  maxBytesTotal?: number;
  /** Records waiting for the disk, per stream (default 8 MiB); more are dropped and counted, never the media. */
  queueBytes?: number;
}

export const CAPTURE_DEFAULTS = Object.freeze({
  maxBytesPerFile: 256 * 1024 * 1024,
  maxBytesTotal: 2 * 1024 * 1024 * 1024,
  queueBytes: CAPTURE_QUEUE_DEFAULTS.queueBytes,
} as const satisfies Required<Omit<CaptureConfig, 'dir'>>);

export class Captures {
  private readonly dir: CaptureDirectory;
  private readonly open = new Set<StreamCapture>();

  constructor(private readonly cfg: CaptureConfig & { dir: string }, private readonly clock: Clock, private readonly log: (line: string) => void) {
    this.dir = new CaptureDirectory(cfg.dir, cfg.maxBytesTotal ?? CAPTURE_DEFAULTS.maxBytesTotal);
  }

  /** A new capture of `stream` (a file `<stream>-<UTC start>.pcapng` begins with its first records). */
  start(stream: string): StreamCapture {
    const c = new StreamCapture({
      stream, dir: this.dir, clock: this.clock, log: this.log,
      maxBytesPerFile: this.cfg.maxBytesPerFile ?? CAPTURE_DEFAULTS.maxBytesPerFile,
      queueBytes: this.cfg.queueBytes ?? CAPTURE_DEFAULTS.queueBytes,
    });
    this.open.add(c);
    return c;
  }

  /** Closes a capture started here. */
  async stop(c: StreamCapture): Promise<void> {
    this.open.delete(c);
    await c.close();
  }

  /** Closes every capture still open. */
  async close(): Promise<void> {
    await Promise.all([...this.open].map((c) => this.stop(c)));
  }
}
