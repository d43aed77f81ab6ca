/**
 * A stream's SPS and PPS, from the SDP (sprop-parameter-sets) or in-band: the latest of each,
 * and every id seen, so the ones an IDR's slice references can go before it (cameras that
 * switch between several ids, e.g. on a profile change). Bounded by H.264's own id ranges: at
 * most 32 SPS and 256 PPS.
 */
import { NalType, splitAnnexB } from './nal.js';
import { ppsIdsOf, slicePpsIdOf, spsIdOf } from './header-bits.js';

/** What an IDR needs in front of it. */
export interface ParameterSetPair {
  sps: Uint8Array;
  pps: Uint8Array;
}

interface KnownPps {
  nal: Uint8Array;
  spsId: number;
}

export class ParameterSets {
  /** The latest SPS and PPS (what DESCRIBE answers and profile checks use). */
  sps: Uint8Array | undefined;
  pps: Uint8Array | undefined;
  private readonly spsById = new Map<number, Uint8Array>();
  private readonly ppsById = new Map<number, KnownPps>();

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
        if ((type === NalType.Sps && nal.length >= 4) || (type === NalType.Pps && nal.length >= 2)) {
          this.keep(nal.slice());
          taken++;
        }
      }
    }
    return taken;
  }

  /** Remembers an in-band SPS or PPS (copied, and only when it changed). */
  learn(nal: Uint8Array): void {
    const type = nal[0] & 0x1f;
    if (type === NalType.Sps) {
      const id = spsIdOf(nal);
      const known = id >= 0 ? this.spsById.get(id) : this.sps;
      if (known && sameBytes(known, nal)) this.sps = known;
      else this.keep(nal.slice());
    } else if (type === NalType.Pps) {
      const id = ppsIdsOf(nal).ppsId;
      const known = id >= 0 ? this.ppsById.get(id)?.nal : this.pps;
      if (known && sameBytes(known, nal)) this.pps = known;
      else this.keep(nal.slice());
    }
  }

  private keep(nal: Uint8Array): void {
    if ((nal[0] & 0x1f) === NalType.Sps) {
      this.sps = nal;
      const id = spsIdOf(nal);
      if (id >= 0) this.spsById.set(id, nal);
    } else {
      this.pps = nal;
      const { ppsId, spsId } = ppsIdsOf(nal);
      if (ppsId >= 0) this.ppsById.set(ppsId, { nal, spsId });
    }
  }

  get complete(): boolean {
    return this.sps !== undefined && this.pps !== undefined;
  }

  /** How many distinct SPS and PPS ids are known. */
  get ids(): { sps: number; pps: number } {
    return { sps: this.spsById.size, pps: this.ppsById.size };
  }

  /**
   * The PPS an IDR slice references and the SPS that PPS names. `from` is the slice's first byte
   * after its NAL header (1 for a whole NAL unit, 2 in an FU-A start fragment's payload). Falls
   * back to the latest pair when the ids are unknown or unreadable; undefined when none is known.
   */
  forSlice(data: Uint8Array, from: number): ParameterSetPair | undefined {
    const ppsId = slicePpsIdOf(data, from);
    const pps = ppsId >= 0 ? this.ppsById.get(ppsId) : undefined;
    const sps = pps ? this.spsById.get(pps.spsId) : undefined;
    if (pps && sps) return { sps, pps: pps.nal };
    return this.sps && this.pps ? { sps: this.sps, pps: this.pps } : undefined;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
