/**
 * The bounded queue between the packet path and a recording's file writer, pure (no I/O):
 * segment opens, fragments and closes in order. Fragments past `maxBytes` waiting are refused
 * (the recorder counts them and ends the segment: a file with a fragment missing would not
 * decode past it); opens and closes are never refused, each counted as OP_BYTES so even a run
 * of them stays bounded.
 */
import type { SegmentInfo } from './segmenter.js';

export type RecordOp =
  | { kind: 'open'; startMs: number }
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'close'; segment: SegmentInfo };

/** What an open or close counts against the bound. */
const OP_BYTES = 64;

export class RecordQueue {
  private readonly ops: RecordOp[] = [];
  private head = 0;
  /** Bytes waiting now. */
  bytes = 0;
  /** Fragments refused because the queue was full. */
  dropped = 0;
  peakBytes = 0;

  constructor(readonly maxBytes: number) {}

  get pending(): number {
    return this.ops.length - this.head;
  }

  /** Queues an open or close; always taken (the bound is kept by the fragments it refuses). */
  mark(op: Exclude<RecordOp, { kind: 'data' }>): void {
    this.enqueue(op, OP_BYTES);
  }

  /** Queues a fragment; false (counted) when it would pass the bound. */
  data(bytes: Uint8Array): boolean {
    if (this.bytes + bytes.length > this.maxBytes) {
      this.dropped++;
      return false;
    }
    this.enqueue({ kind: 'data', bytes }, bytes.length);
    return true;
  }

  take(): RecordOp | undefined {
    if (this.head >= this.ops.length) return undefined;
    const op = this.ops[this.head];
    this.ops[this.head++] = undefined as unknown as RecordOp;
    if (this.head === this.ops.length || this.head >= 1024) {
      this.ops.splice(0, this.head);
      this.head = 0;
    }
    this.bytes -= op.kind === 'data' ? op.bytes.length : OP_BYTES;
    return op;
  }

  private enqueue(op: RecordOp, size: number): void {
    this.ops.push(op);
    this.bytes += size;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
  }
}
