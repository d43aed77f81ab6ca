/**
 * B-frames in a camera's H.264: seen from the slice types of each access unit and announced by
 * the SPS's VUI (max_num_reorder_frames > 0). Browsers' WebRTC receivers expect pictures in
 * display order: Chromium relays them as a slideshow (each B-frame carries an older timestamp
 * than the P-frame before it; its receiver drops it, and then every frame after it as
 * undecodable, until the next keyframe). What the gateway does about it is `classify`'s caller's.
 */
import { isVcl, NalType } from './nal.js';
import { sliceTypeOf, SliceType } from './header-bits.js';
import { parseSps } from './sps.js';

/** One access unit, as far as B-frames go. */
export type PictureKind = 'b' | 'b-reference' | 'other';

export interface BFrameStats {
  /** B pictures seen (nal_ref_idc 0: nothing refers to them). */
  bPictures: number;
  /** B pictures other pictures refer to (B-pyramid). */
  referenceBPictures: number;
  /** The SPS's max_num_reorder_frames, -1 until an SPS with bitstream_restriction is seen. */
  reorderFrames: number;
}

export class BFrameDetector {
  readonly stats: BFrameStats = { bPictures: 0, referenceBPictures: 0, reorderFrames: -1 };
  private lastSps: Uint8Array | undefined;

  /** True once B-frames were seen or announced. */
  get detected(): boolean {
    return this.stats.bPictures > 0 || this.stats.referenceBPictures > 0 || this.stats.reorderFrames > 0;
  }

  /** True when some B picture is a reference (B-pyramid): dropping it breaks the pictures that use it. */
  get pyramid(): boolean {
    return this.stats.referenceBPictures > 0;
  }

  /** Looks at a unit's first slice (every slice of a picture is B when the first is, as encoders write them) and its SPS. */
  classify(nalus: readonly Uint8Array[]): PictureKind {
    for (const nal of nalus) {
      const type = nal[0] & 0x1f;
      if (type === NalType.Sps) this.noteSps(nal);
      else if (isVcl(type)) {
        if (type !== 1 || sliceTypeOf(nal, 1) !== SliceType.B) return 'other';
        if ((nal[0] & 0x60) === 0) {
          this.stats.bPictures++;
          return 'b';
        }
        this.stats.referenceBPictures++;
        return 'b-reference';
      }
    }
    return 'other';
  }

  /** The SDP's or an in-band SPS: its reorder depth (parsed again only when it changed). */
  noteSps(nal: Uint8Array): void {
    if (this.lastSps && this.lastSps.length === nal.length && this.lastSps.every((b, i) => b === nal[i])) return;
    this.lastSps = nal.slice();
    try {
      const reorder = parseSps(nal).maxNumReorderFrames;
      if (reorder !== undefined) this.stats.reorderFrames = reorder;
    } catch {
      /* a bad SPS says nothing about B-frames */
    }
  }
}

/** The one log line: what was seen, what camwire does, and the remedy. */
export function bFramesMessage(stream: string, dropping: boolean, pyramid: boolean): string {
  const doing = dropping
    ? `forwarding only the reference pictures (${pyramid ? 'all B-frames dropped; with B-pyramid some P-frames then show artifacts' : 'every B-frame dropped'}), so browsers play it at a lower frame rate`
    : 'forwarding them as they are (bFrames: forward): browsers show a slideshow';
  return `stream "${stream}": the camera sends H.264 with B-frames, which WebRTC browsers cannot play in order; ${doing}. Remedy: turn B-frames off in the camera's encoder settings (GOP structure / "B-frames: 0", or profile Baseline)`;
}
