/** MSB-first bit reader over an RBSP with Exp-Golomb codes (H.264 7.2, 9.1). */
import { H264Error } from './errors.js';

export class BitReader {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  get bitsLeft(): number {
    return this.data.length * 8 - this.pos;
  }

  u1(): number {
    if (this.pos >= this.data.length * 8) throw new H264Error('H264_BAD_SPS', 'SPS ends early');
    const bit = (this.data[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  u(bits: number): number {
    let v = 0;
    for (let i = 0; i < bits; i++) v = v * 2 + this.u1();
    return v;
  }

  ue(): number {
    let zeros = 0;
    while (this.u1() === 0) {
      if (++zeros > 31) throw new H264Error('H264_BAD_SPS', 'Exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }
}
