/** The latest SPS and PPS known for a stream: from the SDP (sprop-parameter-sets) or in-band. */
import { NalType, splitAnnexB } from './nal.js';

export class ParameterSets {
  sps: Uint8Array | undefined;
  pps: Uint8Array | undefined;

  /**
   * Accepts NAL units as given by the caller (typically decoded sprop-parameter-sets). Each input
   * may carry Annex-B start codes (some cameras prefix or suffix them); non-SPS/PPS units and
   * empty ones are ignored. Returns how many units were taken. Inputs are copied.
   */
  set(units: readonly Uint8Array[]): number {
    let taken = 0;
    for (const unit of units) {
      for (const nal of splitAnnexB(unit)) {
        const type = nal[0] & 0x1f;
        if (type === NalType.Sps && nal.length >= 4) { this.sps = nal.slice(); taken++; }
        else if (type === NalType.Pps && nal.length >= 2) { this.pps = nal.slice(); taken++; }
      }
    }
    return taken;
  }

  /** Remembers an in-band SPS or PPS (copied, and only when it changed). */
  learn(nal: Uint8Array): void {
    const type = nal[0] & 0x1f;
    if (type === NalType.Sps) { if (!sameBytes(this.sps, nal)) this.sps = nal.slice(); }
    else if (type === NalType.Pps) { if (!sameBytes(this.pps, nal)) this.pps = nal.slice(); }
  }

  get complete(): boolean {
    return this.sps !== undefined && this.pps !== undefined;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
