/** The latest VPS, SPS and PPS known for an H.265 stream: from the SDP (sprop-vps/sps/pps) or in-band. */
import { splitAnnexB } from '../h264/nal.js';
import { H265NalType, h265NalType } from './nal.js';

export class H265ParameterSets {
  vps: Uint8Array | undefined;
  sps: Uint8Array | undefined;
  pps: Uint8Array | undefined;

  /**
   * Accepts NAL units as given (decoded sprop-vps/sps/pps, Annex-B prefixes tolerated); other
   * types and units shorter than a header are ignored. Returns how many were taken. Copied.
   */
  set(units: readonly Uint8Array[]): number {
    let taken = 0;
    for (const unit of units) {
      for (const nal of splitAnnexB(unit)) {
        if (nal.length >= 3 && this.keep(nal)) taken++;
      }
    }
    return taken;
  }

  /** Remembers an in-band VPS, SPS or PPS (copied, and only when it changed). */
  learn(nal: Uint8Array): void {
    if (nal.length >= 3) this.keep(nal);
  }

  /** All three known: an IRAP picture can be decoded with them. */
  get complete(): boolean {
    return this.vps !== undefined && this.sps !== undefined && this.pps !== undefined;
  }

  /** The three in decoding order (VPS, SPS, PPS), those known. */
  list(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.vps) out.push(this.vps);
    if (this.sps) out.push(this.sps);
    if (this.pps) out.push(this.pps);
    return out;
  }

  private keep(nal: Uint8Array): boolean {
    switch (h265NalType(nal[0])) {
      case H265NalType.Vps: if (!sameBytes(this.vps, nal)) this.vps = nal.slice(); return true;
      case H265NalType.Sps: if (!sameBytes(this.sps, nal)) this.sps = nal.slice(); return true;
      case H265NalType.Pps: if (!sameBytes(this.pps, nal)) this.pps = nal.slice(); return true;
      default: return false;
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
