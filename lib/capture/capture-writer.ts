/**
 * Drains a stream's CaptureQueue to disk, asynchronously and never on the packet path: one
 * chunk at a time, each a run of whole blocks, so a file cut short (kill -9, full disk) is valid
 * pcapng up to its last complete block. A file begins with the Section Header and the
 * Interface Description Blocks; the next file (`<stream>-<UTC start>.pcapng`) begins when one
 * would pass `maxBytesPerFile`. Any write error stops the capture for good: one log line,
 * state 'failed', and the queue is no longer fed; media never waits for it. A capture with
 * `maxBytes` (one started through the stream API) stops taking records before its files
 * would pass it: state 'full', and only the closing statistics are written after that.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureDirectory } from './capture-dir.js';
import type { CaptureQueue, SealedChunk } from './capture-queue.js';
import { sectionHeaderBlock } from './pcapng.js';

export type CaptureState = 'writing' | 'full' | 'failed' | 'closed';

export interface CaptureWriterOptions {
  dir: CaptureDirectory;
  stream: string;
  queue: CaptureQueue;
  /** The IDB of each interface, by id (grows as viewers join). */
  interfaceBlocks: readonly Uint8Array[];
  maxBytesPerFile: number;
  /** The capture's files together stay below this (default: no limit). */
  maxBytes?: number;
  /** Milliseconds since the epoch, for file names. */
  wallClock(): number;
  /** One line when the capture fails (no secrets: paths and error codes only). */
  log(line: string): void;
}

/** Room kept for a file's Section Header Block when checking maxBytes (camwire's is 48 bytes). */
const SHB_ALLOWANCE = 64;

export class CaptureWriter {
  private fh: FileHandle | undefined;
  private path = '';
  private fileBytes = 0;
  private fileInterfaces = 0;
  private busy: Promise<void> | undefined;
  private stateValue: CaptureState = 'writing';
  private lastName = '';
  private suffix = 0;
  readonly c = { files: 0, bytesWritten: 0, chunksWritten: 0 };
  error = '';

  constructor(private readonly o: CaptureWriterOptions) {}

  get state(): CaptureState {
    return this.stateValue;
  }

  get file(): string {
    return this.path;
  }

  /** Starts draining if not already (called after a chunk was sealed). */
  kick(): void {
    if (this.busy || this.stateValue !== 'writing' || this.o.queue.pending === 0) return;
    this.busy = this.drain().finally(() => {
      this.busy = undefined;
      this.kick();
    });
  }

  /** Writes `extra` (the closing statistics) after everything queued, then closes the file. */
  async close(extra?: Uint8Array): Promise<void> {
    while (this.busy) await this.busy;
    if (this.stateValue === 'writing' || this.stateValue === 'full') {
      await this.drain();
      if (extra && this.fh) await this.write(extra, 0, extra.length).catch((err: NodeJS.ErrnoException) => this.fail(err));
    }
    await this.closeFile();
    if (this.stateValue === 'writing' || this.stateValue === 'full') this.stateValue = 'closed';
  }

  private async drain(): Promise<void> {
    let chunk: SealedChunk | undefined;
    while (this.stateValue === 'writing' && (chunk = this.o.queue.take())) {
      try {
        await this.writeChunk(chunk);
      } catch (err) {
        this.fail(err as NodeJS.ErrnoException);
      } finally {
        this.o.queue.release(chunk);
      }
    }
  }

  private async writeChunk(chunk: SealedChunk): Promise<void> {
    if (this.o.maxBytes !== undefined && this.c.bytesWritten + chunk.length + this.unwrittenInterfaceBytes(chunk) > this.o.maxBytes) {
      this.stateValue = 'full';
      return;
    }
    if (!this.fh || (this.fileBytes + chunk.length > this.o.maxBytesPerFile && this.fileBytes > 0)) await this.nextFile();
    const idbs = this.o.interfaceBlocks;
    while (this.fileInterfaces < chunk.interfaces) {
      const b = idbs[this.fileInterfaces++];
      await this.write(b, 0, b.length);
    }
    await this.write(chunk.bytes, 0, chunk.length);
    this.c.chunksWritten++;
    // A file whose directory was removed takes writes without error, into nothing: say so.
    if ((await this.fh!.stat()).nlink === 0) throw Object.assign(new Error('capture file removed'), { code: 'ENOENT' });
  }

  /** The IDBs (and, for a first file, the SHB allowance) that go before `chunk`. */
  private unwrittenInterfaceBytes(chunk: SealedChunk): number {
    let n = this.fh ? 0 : SHB_ALLOWANCE;
    for (let i = this.fh ? this.fileInterfaces : 0; i < chunk.interfaces; i++) n += this.o.interfaceBlocks[i].length;
    return n;
  }

  private async nextFile(): Promise<void> {
    await this.closeFile();
    await mkdir(this.o.dir.dir, { recursive: true });
    const name = this.fileName();
    this.path = join(this.o.dir.dir, name);
    this.fh = await open(this.path, 'wx');
    this.o.dir.opened(this.path);
    this.fileBytes = 0;
    this.fileInterfaces = 0;
    this.c.files++;
    const shb = sectionHeaderBlock('camwire');
    await this.write(shb, 0, shb.length);
  }

  private fileName(): string {
    const stamp = new Date(this.o.wallClock()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const base = `${this.o.stream}-${stamp}`;
    this.suffix = base === this.lastName ? this.suffix + 1 : 0;
    this.lastName = base;
    return this.suffix === 0 ? `${base}.pcapng` : `${base}-${this.suffix}.pcapng`;
  }

  private async write(b: Uint8Array, off: number, len: number): Promise<void> {
    let done = 0;
    while (done < len) {
      const { bytesWritten } = await this.fh!.write(b, off + done, len - done);
      if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      done += bytesWritten;
    }
    this.fileBytes += len;
    this.c.bytesWritten += len;
    this.o.dir.grew(this.path, len);
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return;
    this.o.dir.closed(this.path);
    await fh.close().catch(() => {});
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.stateValue !== 'writing') return;
    this.stateValue = 'failed';
    this.error = `${err.code ?? 'EIO'}`;
    this.o.log(`capture of stream ${this.o.stream} stopped: ${err.code ?? err.message} writing ${this.path || this.o.dir.dir}; streaming goes on`);
    void this.closeFile();
  }
}
