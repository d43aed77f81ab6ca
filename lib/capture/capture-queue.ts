/**
 * The bounded queue between the packet path and the capture's file writer, pure (no I/O):
 * each captured packet is encoded at once into the current chunk as a whole Enhanced Packet
 * Block (one copy, no allocation), full chunks wait for the writer, and when every chunk of
 * the bound is full the record is dropped and counted, never the packet. The writer takes
 * chunks in order and gives them back; chunks are allocated on first need, so an idle
 * capture holds one.
 */
import { addEpbComment, epbSize, optionSize, writeEnhancedPacket } from './pcapng.js';
import type { UdpFlow } from './ip-udp.js';

export interface CaptureQueueOptions {
  /** Bytes of encoded records waiting for the disk at most (default 8 MiB); more are dropped. */
  queueBytes?: number;
  /** Bytes per chunk, the unit written to disk (default 256 KiB); a record larger than this is dropped. */
  chunkBytes?: number;
}

export const CAPTURE_QUEUE_DEFAULTS = Object.freeze({
  queueBytes: 8 * 1024 * 1024,
  chunkBytes: 256 * 1024,
} as const satisfies Required<CaptureQueueOptions>);

/** A chunk of whole blocks ready for the file; `interfaces`: how many interfaces its records may name. */
export interface SealedChunk {
  readonly bytes: Uint8Array;
  readonly length: number;
  readonly interfaces: number;
}

export class CaptureQueue {
  private readonly chunkBytes: number;
  private readonly maxChunks: number;
  private readonly free: Uint8Array[] = [];
  private readonly ready: SealedChunk[] = [];
  private allocated = 0;
  private cur: Uint8Array | undefined;
  private curLen = 0;
  /** Start of the last block written into `cur` (-1: none), its interface, and whether it was outgoing RTCP. */
  private lastOff = -1;
  private lastIface = -1;
  private lastTag = 0;
  private interfaceCount = 0;
  /** Per interface: records queued and records dropped. */
  readonly recorded: number[] = [];
  readonly dropped: number[] = [];
  bytesQueued = 0;

  constructor(o: CaptureQueueOptions = {}) {
    this.chunkBytes = o.chunkBytes ?? CAPTURE_QUEUE_DEFAULTS.chunkBytes;
    this.maxChunks = Math.max(1, Math.floor((o.queueBytes ?? CAPTURE_QUEUE_DEFAULTS.queueBytes) / this.chunkBytes));
  }

  /** A new interface id (its IDB is the writer's to put in each file before the first chunk that may name it). */
  addInterface(): number {
    this.recorded.push(0);
    this.dropped.push(0);
    return this.interfaceCount++;
  }

  get interfaces(): number {
    return this.interfaceCount;
  }

  /**
   * Encodes one packet; false when it was dropped (queue full, or larger than a chunk).
   * `tag` is the caller's label for the record (what `annotateLast` checks).
   */
  record(iface: number, timestampUs: number, flow: UdpFlow, payload: Uint8Array, tag: number, comment?: Uint8Array): boolean {
    const size = epbSize(flow, payload.length, comment ? comment.length : 0);
    if (!this.room(size)) {
      this.dropped[iface]++;
      this.lastOff = -1;
      return false;
    }
    const cur = this.cur!;
    this.lastOff = this.curLen;
    this.lastIface = iface;
    this.lastTag = tag;
    this.curLen = writeEnhancedPacket(cur, this.curLen, iface, timestampUs, flow, payload, comment);
    this.recorded[iface]++;
    return true;
  }

  /**
   * Adds `comment` to the record just written, if it is still the last one, on `iface`, with
   * `tag`, and without a comment yet. True when done.
   */
  annotateLast(iface: number, tag: number, comment: Uint8Array): boolean {
    const cur = this.cur;
    if (!cur || this.lastOff < 0 || this.lastIface !== iface || this.lastTag !== tag) return false;
    if (this.curLen + optionSize(comment.length) + 4 > cur.length) return false;
    this.curLen = addEpbComment(cur, this.lastOff, comment);
    this.lastOff = -1;
    return true;
  }

  /** Closes the current chunk so the writer can take it (the periodic flush, and the end). */
  seal(): void {
    const cur = this.cur;
    if (!cur || this.curLen === 0) return;
    this.ready.push({ bytes: cur, length: this.curLen, interfaces: this.interfaceCount });
    this.bytesQueued += this.curLen;
    this.cur = undefined;
    this.curLen = 0;
    this.lastOff = -1;
  }

  /** The oldest sealed chunk, for the writer; give it back with `release` once written. */
  take(): SealedChunk | undefined {
    const c = this.ready.shift();
    if (c) this.bytesQueued -= c.length;
    return c;
  }

  release(chunk: SealedChunk): void {
    this.free.push(chunk.bytes);
  }

  get pending(): number {
    return this.ready.length;
  }

  get totalDropped(): number {
    let n = 0;
    for (const d of this.dropped) n += d;
    return n;
  }

  private room(size: number): boolean {
    if (size > this.chunkBytes) return false;
    if (this.cur && this.curLen + size <= this.cur.length) return true;
    this.seal();
    let next = this.free.pop();
    if (!next && this.allocated < this.maxChunks) {
      next = new Uint8Array(this.chunkBytes);
      this.allocated++;
    }
    if (!next) return false;
    this.cur = next;
    return true;
  }
}
