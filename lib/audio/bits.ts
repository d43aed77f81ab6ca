/**
 * MSB-first bit reader and writer for the MPEG-4 audio syntax (AudioSpecificConfig,
 * StreamMuxConfig, RFC 3640 AU headers). The reader is resettable so a depacketizer keeps one
 * for its lifetime, and it throws the caller's typed error when the bits run out.
 */
import type { CamwireError } from '../errors.js';

const EMPTY = new Uint8Array(0);

export class BitReader {
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;

  /** `exhausted` makes the error thrown when a read runs past the end (it is called only then). */
  constructor(private readonly exhausted: () => CamwireError) {}

  /** Reads `buf` from bit `startBit` up to (not including) bit `endBit`. */
  reset(buf: Uint8Array, startBit = 0, endBit = buf.length * 8): this {
    this.buf = buf;
    this.pos = startBit;
    this.end = Math.min(endBit, buf.length * 8);
    return this;
  }

  /** Bit index from the start of the buffer. */
  get position(): number {
    return this.pos;
  }

  get bitsLeft(): number {
    return this.end - this.pos;
  }

  /** Moves the end (to read a field of known length, as LATM's ascLen); returns the old end. */
  setEnd(endBit: number): number {
    const old = this.end;
    this.end = Math.min(endBit, this.buf.length * 8);
    return old;
  }

  /** An unsigned field of 0..32 bits. */
  readBits(n: number): number {
    if (n === 0) return 0;
    if (this.pos + n > this.end) throw this.exhausted();
    const buf = this.buf;
    let pos = this.pos;
    let left = n;
    let v = 0;
    while (left > 0) {
      const avail = 8 - (pos & 7);
      const take = avail < left ? avail : left;
      // multiply, not shift: a 32-bit field must not turn negative
      v = v * (1 << take) + ((buf[pos >> 3] >> (avail - take)) & ((1 << take) - 1));
      pos += take;
      left -= take;
    }
    this.pos = pos;
    return v;
  }

  readBit(): boolean {
    if (this.pos >= this.end) throw this.exhausted();
    const bit = (this.buf[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit === 1;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw this.exhausted();
    this.pos += n;
  }

  /** Skips to the next byte boundary (no-op when aligned). */
  byteAlign(): void {
    this.pos = Math.min(this.end, (this.pos + 7) & ~7);
  }

  /** Copies `count` bytes from the current position (aligned or not) into `out` at `offset`. */
  copyBytes(out: Uint8Array, offset: number, count: number): void {
    if (this.pos + count * 8 > this.end) throw this.exhausted();
    if ((this.pos & 7) === 0) {
      const start = this.pos >> 3;
      out.set(this.buf.subarray(start, start + count), offset);
      this.pos += count * 8;
      return;
    }
    for (let i = 0; i < count; i++) out[offset + i] = this.readBits(8);
  }
}

/** Grows as needed; configs are a few bytes, so this is not a hot path. */
export class BitWriter {
  private buf = new Uint8Array(16);
  private pos = 0;

  get bitLength(): number {
    return this.pos;
  }

  /** Writes the low `n` (0..32) bits of `value`, most significant first. */
  writeBits(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.writeBit(Math.floor(value / 2 ** i) % 2 === 1);
  }

  writeBit(bit: boolean): void {
    const byte = this.pos >> 3;
    if (byte >= this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    if (bit) this.buf[byte] |= 0x80 >> (this.pos & 7);
    this.pos++;
  }

  /** The first `bitLength` bits of `src`. */
  appendBits(src: Uint8Array, bitLength: number): void {
    for (let i = 0; i < bitLength; i++) this.writeBit(((src[i >> 3] >> (7 - (i & 7))) & 1) === 1);
  }

  /** The bytes written so far, the last one padded with zero bits. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, (this.pos + 7) >> 3);
  }
}
