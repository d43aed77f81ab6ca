/**
 * Writes ISO BMFF boxes (ISO/IEC 14496-12) into a buffer sized by the caller: a box is opened
 * with its type, its content written, and its 32-bit size patched in when it is closed.
 * Box types are numbers (see `fourcc`), so writing a box builds no string.
 */

/** A four-character code as the 32-bit number written on the wire. */
export function fourcc(code: string): number {
  return ((code.charCodeAt(0) << 24) | (code.charCodeAt(1) << 16) | (code.charCodeAt(2) << 8) | code.charCodeAt(3)) >>> 0;
}

export class BoxWriter {
  private readonly view: DataView;
  /** Next byte to write. */
  pos: number;

  constructor(readonly buf: Uint8Array, offset = 0) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = offset;
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  u24(v: number): void {
    this.buf[this.pos] = v >>> 16;
    this.buf[this.pos + 1] = v >>> 8;
    this.buf[this.pos + 2] = v;
    this.pos += 3;
  }

  u32(v: number): void {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** An unsigned integer up to 2^53 as 64 bits. */
  u64(v: number): void {
    this.view.setUint32(this.pos, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  zeros(n: number): void {
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Opens a box: returns its start, to be passed to `end`. */
  begin(type: number): number {
    const start = this.pos;
    this.view.setUint32(start + 4, type);
    this.pos += 8;
    return start;
  }

  /** Opens a full box (a box with version and flags). */
  beginFull(type: number, version: number, flags: number): number {
    const start = this.begin(type);
    this.u32(((version << 24) | flags) >>> 0);
    return start;
  }

  /** Closes the box opened at `start`: writes its size. */
  end(start: number): void {
    this.view.setUint32(start, this.pos - start);
  }

  /** The 3x3 unity transformation matrix of mvhd and tkhd (16.16 and 2.30 fixed point). */
  unityMatrix(): void {
    this.u32(0x0001_0000); this.u32(0); this.u32(0);
    this.u32(0); this.u32(0x0001_0000); this.u32(0);
    this.u32(0); this.u32(0); this.u32(0x4000_0000);
  }
}
