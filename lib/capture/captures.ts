/**
 * The capture setting (`--capture DIR`, the config's `capture` block) made real: one
 * CaptureDirectory (the byte budget all streams share) and a CaptureSlot per captured stream,
 * running a StreamCapture from the stream's start (`always`, the default) or only while the
 * stream API asks for one. A directory that cannot be made or written is found out by the
 * first write: that stream's capture stops with one log line and its state in /api/streams
 * says so.
 */
import type { Clock } from '../clock.js';
import { CaptureDirectory } from './capture-dir.js';
import { CAPTURE_QUEUE_DEFAULTS } from './capture-queue.js';
import { StreamCapture } from './stream-capture.js';
import { CaptureSlot, type CaptureFactory } from './capture-slot.js';

export interface CaptureConfig {
  /** Directory of the `.pcapng` files; no capture without one. */
  dir?: string;
  /** A stream's file is closed and the next begun before it would pass this (default 256 MiB). */
  maxBytesPerFile?: number;
  /** The directory's `.pcapng` files together; the oldest finished ones are deleted above it (default 2 GiB). */
  maxBytesTotal?: number;
  /** Records waiting for the disk, per stream (default 8 MiB); more are dropped and counted, never the media. */
  queueBytes?: number;
  /** Every stream captured from its start (default); false: only while the stream API runs a capture of it. */
  always?: boolean;
}

export const CAPTURE_DEFAULTS = Object.freeze({
  maxBytesPerFile: 256 * 1024 * 1024,
  maxBytesTotal: 2 * 1024 * 1024 * 1024,
  queueBytes: CAPTURE_QUEUE_DEFAULTS.queueBytes,
  always: true,
} as const satisfies Required<Omit<CaptureConfig, 'dir'>>);

export class Captures implements CaptureFactory {
  readonly dir: CaptureDirectory;
  readonly maxBytesPerFile: number;
  private readonly open = new Set<StreamCapture>();
  private readonly slots = new Set<CaptureSlot>();

  constructor(private readonly cfg: CaptureConfig & { dir: string }, private readonly clock: Clock, private readonly log: (line: string) => void) {
    this.dir = new CaptureDirectory(cfg.dir, cfg.maxBytesTotal ?? CAPTURE_DEFAULTS.maxBytesTotal);
    this.maxBytesPerFile = cfg.maxBytesPerFile ?? CAPTURE_DEFAULTS.maxBytesPerFile;
  }

  /** A stream's slot, its capture running from now on unless `always` is false. */
  slot(stream: string): CaptureSlot {
    const s = new CaptureSlot(stream, this, this.clock);
    this.slots.add(s);
    if (this.cfg.always ?? CAPTURE_DEFAULTS.always) s.start();
    return s;
  }

  /** The stream went away: its capture ends (its file complete). */
  async release(s: CaptureSlot): Promise<void> {
    this.slots.delete(s);
    await s.stop('stream-removed');
  }

  /** A new capture of `stream` (a file `<stream>-<UTC start>.pcapng` begins with its first records); `maxBytes` bounds it. */
  start(stream: string, maxBytes?: number): StreamCapture {
    const c = new StreamCapture({
      stream, dir: this.dir, clock: this.clock, log: this.log, maxBytes,
      maxBytesPerFile: this.maxBytesPerFile,
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
    await Promise.all([...this.slots].map((s) => this.release(s)));
    await Promise.all([...this.open].map((c) => this.stop(c)));
  }
}
