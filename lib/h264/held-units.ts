/**
 * Non-slice units (SPS, PPS, SEI, AUD) that open an access unit, held until its first slice
 * arrives: only then is it known whether the unit is a keyframe, so its first egress packet can
 * say so and an IDR that came without SPS/PPS can get the known ones in front. A non-slice unit
 * too big for one camera packet comes in FU-A pieces and is reassembled first. Bounded by
 * `maxBytes` (held and being reassembled together); what does not fit is dropped and counted.
 */
import { NalType } from './nal.js';

export interface HeldUnitsStats {
  /** Non-slice units held for their unit's first slice, and those dropped for the bound. */
  held: number;
  heldDropped: number;
}

const FU_HEADER = 2;

export class HeldUnits {
  /** The held units, in arrival order (copies). */
  readonly units: Uint8Array[] = [];
  private bytes = 0;
  /** Reassembling a fragmented non-slice unit: its pieces so far (copies). */
  private assemblingValue = false;
  private readonly pieces: Uint8Array[] = [];
  private piecesBytes = 0;

  constructor(private readonly maxBytes: number, private readonly stats: HeldUnitsStats) {}

  /** A fragmented non-slice unit is being reassembled: its next fragments belong here. */
  get assembling(): boolean {
    return this.assemblingValue;
  }

  /** Holds a complete unit (copied). */
  hold(nal: Uint8Array): void {
    if (this.bytes + nal.length > this.maxBytes) {
      this.stats.heldDropped++;
      return;
    }
    this.units.push(nal.slice());
    this.bytes += nal.length;
    this.stats.held++;
  }

  /**
   * One FU-A piece of a non-slice unit: returns the whole unit (NAL header rebuilt) once its end
   * fragment came, for the caller to hold (or split, when it holds start codes).
   */
  fragment(payload: Uint8Array, start: boolean, end: boolean): Uint8Array | undefined {
    const data = payload.subarray(FU_HEADER);
    if (start) {
      this.assemblingValue = true;
      this.pieces.length = 0;
      this.piecesBytes = 1;
      this.pieces.push(Uint8Array.of((payload[0] & 0xe0) | (payload[1] & 0x1f)));
    }
    if (this.bytes + this.piecesBytes + data.length > this.maxBytes) {
      this.stats.heldDropped++;
      this.assemblingValue = false;
      return undefined;
    }
    this.pieces.push(data.slice());
    this.piecesBytes += data.length;
    if (!end) return undefined;
    this.assemblingValue = false;
    const nal = new Uint8Array(this.piecesBytes);
    let o = 0;
    for (const piece of this.pieces) {
      nal.set(piece, o);
      o += piece.length;
    }
    this.pieces.length = 0;
    return nal;
  }

  /** Abandons a reassembly in progress (its unit ended or was abandoned). */
  stopAssembling(): void {
    this.assemblingValue = false;
  }

  /** The held units include both an SPS and a PPS. */
  hasParameterSets(): boolean {
    let sps = false;
    let pps = false;
    for (const h of this.units) {
      const t = h[0] & 0x1f;
      if (t === NalType.Sps) sps = true;
      else if (t === NalType.Pps) pps = true;
    }
    return sps && pps;
  }

  /** Forgets the held units (handed to the packetizer, which reads them until done, or dropped). */
  clear(): void {
    this.units.length = 0;
    this.bytes = 0;
  }
}
