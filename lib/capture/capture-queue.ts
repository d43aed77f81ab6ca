/**
 * The bounded queue between the packet path and the capture's file writer, pure (no I/O):
 * each captured packet is encoded at once into the current chunk as a whole Enhanced Packet
 * Block (one copy, no allocation), full chunks wait for the writer, and when every chunk of
 * the bound is full the record is dropped and counted, never the packet. The writer takes
 * chunks in order and gives them back; chunks are allocated on first need, so an idle
 * capture holds one.
 */
import { addEpbComment, epbSize, optionSize, writeEnhancedPacket } from './pcapng.js';
import { MAX_UDP_PAYLOAD, type UdpFlow } from './ip-udp.js';

export interface CaptureQueueOptions {
  /** Bytes of encoded records waiting for the disk at most (default 8 MiB); more are dropped. */
  queueBytes?: number;
  /** Bytes per chunk, the unit written to disk (default 256 KiB); a record larger than this is dropped. */
  chunkBytes?: number;
}

/**
 * The longest comment `annotateLast` takes (bytes). Each uncommented record is placed only where
 * one such comment still fits after it, so a note made right after its packet is never lost to
 * a full chunk (a lab run once missed one NACK comment in 628 that way).
 */
export const MAX_NOTE_BYTES = 96;
const NOTE_ROOM = optionSize(MAX_NOTE_BYTES) + 4;

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
  /** Per interface, the start of its last record in `cur` (-1: none there) and that record's tag. */
  private readonly marks: number[] = [];
  private readonly markTags: number[] = [];
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
    this.marks.push(-1);
    this.markTags.push(0);
    return this.interfaceCount++;
  }

  /**
   * Encodes one packet; false when it was dropped (queue full, or larger than a chunk or a UDP datagram).
   * `tag` is the caller's label for the record (what `annotateLast` checks).
   */
  record(iface: number, timestampUs: number, flow: UdpFlow, payload: Uint8Array, tag: number, comment?: Uint8Array): boolean {
    const size = epbSize(flow, payload.length, comment ? comment.length : 0);
    if (payload.length > MAX_UDP_PAYLOAD || !this.room(comment ? size : size + NOTE_ROOM)) {
      this.dropped[iface]++;
      this.marks[iface] = -1;
      return false;
    }
    const cur = this.cur!;
    this.marks[iface] = comment ? -1 : this.curLen;
    this.markTags[iface] = tag;
    this.curLen = writeEnhancedPacket(cur, this.curLen, iface, timestampUs, flow, payload, comment);
    this.recorded[iface]++;
    return true;
  }

  /**
   * Adds `comment` to the last record of `iface` if it is still in the chunk being filled, has
   * `tag` and no comment yet (records after it move up to make room). True when done.
   */
  annotateLast(iface: number, tag: number, comment: Uint8Array): boolean {
    const cur = this.cur;
    const off = this.marks[iface];
    if (!cur || off < 0 || this.markTags[iface] !== tag || comment.length > MAX_NOTE_BYTES) return false;
    const grow = optionSize(comment.length) + 4;
    if (this.curLen + grow > cur.length) return false;
    const end = off + readLength(cur, off);
    cur.copyWithin(end + grow, end, this.curLen);
    addEpbComment(cur, off, comment);
    this.curLen += grow;
    this.marks[iface] = -1;
    for (let i = 0; i < this.interfaceCount; i++) if (this.marks[i] > off) this.marks[i] += grow;
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
    this.marks.fill(-1);
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

function readLength(b: Uint8Array, off: number): number {
  return (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
}
