/**
 * The first fields of an SPS, a PPS or a slice header (H.264 7.3.2.1, 7.3.2.2, 7.3.3): which
 * parameter sets a slice uses and what kind of slice it is. Read straight from the NAL unit's
 * bytes, skipping emulation-prevention bytes as it goes: no copy, no allocation, so it runs on
 * every slice. Bad input gives -1, never a throw.
 */

/** MSB-first Exp-Golomb reader over escaped NAL bytes (0x000003 -> 0x0000), bounded by `end`. */
class EscapedBits {
  private i = 0;
  private bit = 0;
  private zeros = 0;
  private end = 0;
  private data: Uint8Array = new Uint8Array(0);

  reset(data: Uint8Array, from: number): this {
    this.data = data;
    this.i = from;
    this.bit = 0;
    this.zeros = 0;
    this.end = data.length;
    return this;
  }

  /** Next bit, or -1 past the end. */
  u1(): number {
    if (this.bit === 0) {
      if (this.i >= this.end) return -1;
      // an emulation-prevention byte after two zero bytes is not data
      if (this.zeros >= 2 && this.data[this.i] === 3) {
        this.i++;
        this.zeros = 0;
        if (this.i >= this.end) return -1;
      }
    }
    const byte = this.data[this.i];
    const b = (byte >> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.i++;
      this.zeros = byte === 0 ? this.zeros + 1 : 0;
    }
    return b;
  }

  u(bits: number): number {
    let v = 0;
    for (let k = 0; k < bits; k++) {
      const b = this.u1();
      if (b < 0) return -1;
      v = v * 2 + b;
    }
    return v;
  }

  /** ue(v), or -1 when cut short or longer than 31 bits. */
  ue(): number {
    let zeros = 0;
    for (;;) {
      const b = this.u1();
      if (b < 0 || zeros > 31) return -1;
      if (b === 1) break;
      zeros++;
    }
    const rest = this.u(zeros);
    return rest < 0 ? -1 : 2 ** zeros - 1 + rest;
  }
}

const bits = new EscapedBits();

/** seq_parameter_set_id of an SPS NAL unit (header byte included), or -1. */
export function spsIdOf(nal: Uint8Array): number {
  if (nal.length < 5) return -1;
  const id = bits.reset(nal, 1).u(24) < 0 ? -1 : bits.ue();
  return id > 31 ? -1 : id;
}

/** pic_parameter_set_id and seq_parameter_set_id of a PPS NAL unit (header byte included), or -1s. */
export function ppsIdsOf(nal: Uint8Array): { ppsId: number; spsId: number } {
  bits.reset(nal, 1);
  const ppsId = bits.ue();
  const spsId = ppsId < 0 || ppsId > 255 ? -1 : bits.ue();
  return spsId < 0 || spsId > 31 ? { ppsId: -1, spsId: -1 } : { ppsId, spsId };
}

/** Slice types (7.4.3, modulo 5). */
export const SliceType = Object.freeze({ P: 0, B: 1, I: 2, SP: 3, SI: 4 } as const);

/**
 * slice_type % 5 of a coded slice, `from` being the first byte after the NAL header (1 for a
 * whole NAL unit, 2 for the payload of an FU-A start fragment), or -1.
 */
export function sliceTypeOf(data: Uint8Array, from: number): number {
  bits.reset(data, from);
  if (bits.ue() < 0) return -1; // first_mb_in_slice
  const t = bits.ue();
  return t < 0 || t > 9 ? -1 : t % 5;
}

/** pic_parameter_set_id of a coded slice (`from` as for sliceTypeOf), or -1. */
export function slicePpsIdOf(data: Uint8Array, from: number): number {
  bits.reset(data, from);
  if (bits.ue() < 0 || bits.ue() < 0) return -1;
  const id = bits.ue();
  return id > 255 ? -1 : id;
}
