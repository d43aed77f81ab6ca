/** Writes PPS and slice-header NAL units from fields, independently of the parser. */
import { BitWriter } from './sps-writer.js';

/** A PPS naming its own id and its SPS's (the rest is CAVLC defaults). */
export function writePps(ppsId: number, spsId: number): Uint8Array {
  const w = new BitWriter();
  w.ue(ppsId); w.ue(spsId);
  w.u(1, 0); w.u(1, 0); w.ue(0); w.ue(0); w.ue(0); w.u(1, 0); w.u(2, 0); w.se(0); w.se(0); w.se(0); w.u(1, 1); w.u(1, 0); w.u(1, 0);
  return Uint8Array.from([0x68, ...w.finish()]);
}

/**
 * A coded slice: NAL header (type, nal_ref_idc), first_mb_in_slice, slice_type (I 7, P 5, B 6:
 * "all slices of the picture are this type"), pic_parameter_set_id, then filler bytes.
 */
export function writeSlice(o: { type: 1 | 5; refIdc: number; sliceType: number; ppsId: number; filler?: number }): Uint8Array {
  const w = new BitWriter();
  w.ue(0); w.ue(o.sliceType); w.ue(o.ppsId); w.u(8, 0x9a);
  for (let i = 0; i < (o.filler ?? 8); i++) w.u(8, (i * 37 + 11) & 0xff);
  return Uint8Array.from([(o.refIdc << 5) | o.type, ...w.finish()]);
}
