/**
 * Drains a stream's RecordQueue to disk, asynchronously and never on the packet path: a
 * segment's file is opened (`<dir>/<stream>/<UTC start>.mp4`, made exclusively: an existing
 * name gets a `-N` suffix), each fragment appended as it comes (a crash leaves every fragment
 * written before it), closed at the segment's end. Any write error (disk full, directory not
 * writable) stops the recording for good: state 'failed' with the error's code, one log line;
 * the media never waits for it.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordOp, RecordQueue } from './record-queue.js';
import { segmentName } from './segment-name.js';
import type { SegmentInfo } from './segmenter.js';

export type RecordState = 'recording' | 'failed' | 'stopped';

export interface SegmentWriterOptions {
  /** `<dir>/<stream>`: the stream's segments. */
  dir: string;
  queue: RecordQueue;
  /** A segment's file was closed: its name, what it holds, its size. */
  closed(name: string, info: SegmentInfo, bytes: number): void;
  /** One line when the recording fails (paths and error codes only). */
  log(fields: { code: string; error: string }): void;
}

export class SegmentWriter {
  private fh: FileHandle | undefined;
  private name = '';
  private fileBytes = 0;
  private busy: Promise<void> | undefined;
  private stateValue: RecordState = 'recording';
  readonly c = { files: 0, bytesWritten: 0 };
  /** The failure's code (ENOSPC, EACCES...), '' while none. */
  errorCode = '';
  error = '';

  constructor(private readonly o: SegmentWriterOptions) {}

  get state(): RecordState {
    return this.stateValue;
  }

  /** The segment being written, '' between segments. */
  get current(): string {
    return this.fh ? this.name : '';
  }

  /** Starts draining if not already (called after ops were queued). */
  kick(): void {
    if (this.busy || this.stateValue !== 'recording' || this.o.queue.pending === 0) return;
    this.busy = this.drain().finally(() => {
      this.busy = undefined;
      this.kick();
    });
  }

  /** Writes what is queued, closes the file; the writer takes nothing more. */
  async close(): Promise<void> {
    while (this.busy) await this.busy;
    if (this.stateValue === 'recording') await this.drain();
    await this.closeFile(undefined);
    if (this.stateValue === 'recording') this.stateValue = 'stopped';
  }

  private async drain(): Promise<void> {
    let op: RecordOp | undefined;
    while (this.stateValue === 'recording' && (op = this.o.queue.take())) {
      try {
        await this.apply(op);
      } catch (err) {
        this.fail(err as NodeJS.ErrnoException);
      }
    }
    // after a failure the queue is emptied, so it holds no memory for nothing
    if (this.stateValue === 'failed') while (this.o.queue.take());
  }

  private async apply(op: RecordOp): Promise<void> {
    if (op.kind === 'open') {
      await this.closeFile(undefined);
      await mkdir(this.o.dir, { recursive: true });
      for (let suffix = 0; ; suffix++) {
        const name = segmentName(op.startMs, suffix);
        try {
          this.fh = await open(join(this.o.dir, name), 'wx');
          this.name = name;
          this.fileBytes = 0;
          this.c.files++;
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || suffix >= 100) throw err;
        }
      }
    }
    if (op.kind === 'close') return this.closeFile(op.segment);
    if (!this.fh) return; // a fragment of a segment whose open failed: never reached (a failure stops all)
    let off = 0;
    while (off < op.bytes.length) {
      const { bytesWritten } = await this.fh.write(op.bytes, off, op.bytes.length - off);
      off += bytesWritten;
    }
    this.fileBytes += op.bytes.length;
    this.c.bytesWritten += op.bytes.length;
  }

  private async closeFile(info: SegmentInfo | undefined): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    this.fh = undefined;
    await fh.close().catch(() => undefined);
    if (info) this.o.closed(this.name, info, this.fileBytes);
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.stateValue !== 'recording') return;
    this.stateValue = 'failed';
    this.errorCode = err.code ?? 'EIO';
    this.error = err.message;
    this.o.log({ code: this.errorCode, error: err.message });
    void this.closeFile(undefined);
  }
}
