/** Writes SPS NAL units from fields, independently of the parser, for round-trip tests. */
export class BitWriter {
  private bits: number[] = [];
  u(n: number, v: number): void { for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) & 1); }
  ue(v: number): void {
    const x = v + 1;
    const len = Math.floor(Math.log2(x)) + 1;
    this.u(len - 1, 0);
    this.u(len, x);
  }
  se(v: number): void { this.ue(v <= 0 ? -2 * v : 2 * v - 1); }
  /** RBSP trailing bits, then emulation prevention; returns the NAL payload bytes. */
  finish(): number[] {
    this.bits.push(1);
    while (this.bits.length % 8) this.bits.push(0);
    const raw: number[] = [];
    for (let i = 0; i < this.bits.length; i += 8) raw.push(parseInt(this.bits.slice(i, i + 8).join(''), 2));
    const out: number[] = [];
    let zeros = 0;
    for (const b of raw) {
      if (zeros >= 2 && b <= 3) { out.push(3); zeros = 0; }
      out.push(b);
      zeros = b === 0 ? zeros + 1 : 0;
    }
    return out;
  }
}

export interface SpsFields {
  profileIdc: number;
  constraintFlags: number;
  levelIdc: number;
  id: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  /** deltas per list (undefined = not present); all lists absent = no matrix */
  scalingDeltas: (number[] | undefined)[] | undefined;
  picOrderCntType: number;
  widthMbs: number;
  heightMapUnits: number;
  frameMbsOnly: boolean;
  crop: [number, number, number, number] | undefined;
}

export function writeSps(f: SpsFields): Uint8Array {
  const w = new BitWriter();
  w.u(8, f.profileIdc); w.u(8, f.constraintFlags); w.u(8, f.levelIdc); w.ue(f.id);
  if ([100, 110, 122, 244].includes(f.profileIdc)) {
    w.ue(f.chromaFormatIdc);
    if (f.chromaFormatIdc === 3) w.u(1, 0);
    w.ue(f.bitDepthLuma - 8); w.ue(f.bitDepthLuma - 8); w.u(1, 0);
    w.u(1, f.scalingDeltas ? 1 : 0);
    if (f.scalingDeltas) {
      const count = f.chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < count; i++) {
        const d = f.scalingDeltas[i];
        w.u(1, d ? 1 : 0);
        if (d) for (const x of d) w.se(x);
      }
    }
  }
  w.ue(0); // log2_max_frame_num_minus4
  w.ue(f.picOrderCntType);
  if (f.picOrderCntType === 0) w.ue(2);
  else if (f.picOrderCntType === 1) { w.u(1, 0); w.se(-1); w.se(2); w.ue(2); w.se(1); w.se(-3); }
  w.ue(1); w.u(1, 0);
  w.ue(f.widthMbs - 1); w.ue(f.heightMapUnits - 1);
  w.u(1, f.frameMbsOnly ? 1 : 0);
  if (!f.frameMbsOnly) w.u(1, 0);
  w.u(1, 1);
  w.u(1, f.crop ? 1 : 0);
  if (f.crop) for (const c of f.crop) w.ue(c);
  w.u(1, 0); // no VUI
  return Uint8Array.from([0x67, ...w.finish()]);
}
