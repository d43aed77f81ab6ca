/**
 * Sequence parameter set parser (H.264 7.3.2.1.1): enough to answer a browser's
 * profile-level-id honestly and to know the picture size. Throws H264Error('H264_BAD_SPS')
 * on anything malformed, never anything else.
 */
import { BitReader } from './bit-reader.js';
import { H264Error } from './errors.js';
import { NalType, removeEmulationPrevention } from './nal.js';

export interface ScalingList {
  /** useDefaultScalingMatrixFlag: the list signalled "use the default matrix". */
  useDefault: boolean;
  values: number[];
}

export interface Sps {
  profileIdc: number;
  /** The whole constraint byte: constraint_set0_flag is 0x80 ... constraint_set5_flag is 0x04. */
  constraintFlags: number;
  levelIdc: number;
  id: number;
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  qpprimeYZeroTransformBypass: boolean;
  /** Per list index (0-5 4x4, 6-11 8x8): the list when signalled, else undefined (fall-back rule). */
  scalingLists: (ScalingList | undefined)[] | undefined;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  maxNumRefFrames: number;
  frameMbsOnly: boolean;
  crop: { left: number; right: number; top: number; bottom: number };
  /** Displayed size in luma samples, cropping applied. */
  width: number;
  height: number;
  /** From the VUI when present: frames per second (time_scale / (2 * num_units_in_tick)). */
  frameRate: number | undefined;
  /**
   * VUI bitstream_restriction's max_num_reorder_frames when present: above 0, pictures come out
   * of display order (B-frames); a decoder holds that many frames back.
   */
  maxNumReorderFrames: number | undefined;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an SPS NAL unit (with its 1-byte header, emulation prevention still in place). */
export function parseSps(nal: Uint8Array): Sps {
  if (nal.length < 4) throw new H264Error('H264_BAD_SPS', `SPS of ${nal.length} bytes is too short`);
  if ((nal[0] & 0x1f) !== NalType.Sps) throw new H264Error('H264_BAD_SPS', `NAL type ${nal[0] & 0x1f} is not an SPS`);
  const r = new BitReader(removeEmulationPrevention(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const id = r.ue();
  if (id > 31) throw new H264Error('H264_BAD_SPS', `seq_parameter_set_id ${id} > 31`);
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  let qpprimeYZeroTransformBypass = false;
  let scalingLists: (ScalingList | undefined)[] | undefined;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) throw new H264Error('H264_BAD_SPS', `chroma_format_idc ${chromaFormatIdc} > 3`);
    if (chromaFormatIdc === 3) separateColourPlane = r.u1() === 1;
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    if (bitDepthLuma > 14 || bitDepthChroma > 14) throw new H264Error('H264_BAD_SPS', 'bit depth above 14');
    qpprimeYZeroTransformBypass = r.u1() === 1;
    if (r.u1()) {
      scalingLists = [];
      const count = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < count; i++) scalingLists.push(r.u1() ? readScalingList(r, i < 6 ? 16 : 64) : undefined);
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  if (log2MaxFrameNum > 16) throw new H264Error('H264_BAD_SPS', `log2_max_frame_num ${log2MaxFrameNum} > 16`);
  const picOrderCntType = r.ue();
  if (picOrderCntType === 0) {
    if (r.ue() > 12) throw new H264Error('H264_BAD_SPS', 'log2_max_pic_order_cnt_lsb_minus4 > 12');
  } else if (picOrderCntType === 1) {
    r.u1();
    r.se();
    r.se();
    const cycle = r.ue();
    if (cycle > 255) throw new H264Error('H264_BAD_SPS', `num_ref_frames_in_pic_order_cnt_cycle ${cycle} > 255`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (picOrderCntType !== 2) {
    throw new H264Error('H264_BAD_SPS', `pic_order_cnt_type ${picOrderCntType} > 2`);
  }
  const maxNumRefFrames = r.ue();
  r.u1(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.u1() === 1;
  if (!frameMbsOnly) r.u1(); // mb_adaptive_frame_field_flag
  r.u1(); // direct_8x8_inference_flag
  const crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.u1()) {
    crop.left = r.ue();
    crop.right = r.ue();
    crop.top = r.ue();
    crop.bottom = r.ue();
  }
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaFormatIdc === 3 ? 1 : 2;
  const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * fieldFactor;
  const width = widthMbs * 16 - cropUnitX * (crop.left + crop.right);
  const height = fieldFactor * heightMapUnits * 16 - cropUnitY * (crop.top + crop.bottom);
  if (width <= 0 || height <= 0) throw new H264Error('H264_BAD_SPS', `cropping leaves a ${width}x${height} picture`);
  const vui: Vui = { frameRate: undefined, maxNumReorderFrames: undefined };
  if (r.bitsLeft > 0 && r.u1()) {
    try { readVui(r, vui); } catch { /* VUI is optional detail: what was read before the error stands */ }
  }
  const { frameRate, maxNumReorderFrames } = vui;
  return {
    profileIdc, constraintFlags, levelIdc, id, chromaFormatIdc, separateColourPlane, bitDepthLuma,
    bitDepthChroma, qpprimeYZeroTransformBypass, scalingLists, log2MaxFrameNum, picOrderCntType,
    maxNumRefFrames, frameMbsOnly, crop, width, height, frameRate, maxNumReorderFrames,
  };
}

function readScalingList(r: BitReader, size: number): ScalingList {
  const values: number[] = new Array(size);
  let last = 8;
  let next = 8;
  let useDefault = false;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) throw new H264Error('H264_BAD_SPS', `delta_scale ${delta} out of range`);
      next = (last + delta + 256) % 256;
      useDefault = j === 0 && next === 0;
    }
    values[j] = next === 0 ? last : next;
    last = values[j];
  }
  return { useDefault, values };
}

type Vui = Pick<Sps, 'frameRate' | 'maxNumReorderFrames'>;

/** VUI (E.1.1): the frame rate from timing_info, the reorder depth from bitstream_restriction. */
function readVui(r: BitReader, out: Vui): void {
  if (r.u1()) { // aspect_ratio_info_present_flag
    if (r.u(8) === 255) r.u(32); // Extended_SAR
  }
  if (r.u1()) r.u1(); // overscan
  if (r.u1()) { // video_signal_type
    r.u(4);
    if (r.u1()) r.u(24);
  }
  if (r.u1()) { r.ue(); r.ue(); } // chroma_loc_info
  if (r.u1()) { // timing_info_present_flag
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    out.frameRate = numUnitsInTick > 0 ? timeScale / (2 * numUnitsInTick) : undefined;
    r.u1(); // fixed_frame_rate_flag
  }
  const nalHrd = r.u1() === 1;
  if (nalHrd) skipHrd(r);
  const vclHrd = r.u1() === 1;
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.u1(); // low_delay_hrd_flag
  r.u1(); // pic_struct_present_flag
  if (!r.u1()) return; // bitstream_restriction_flag
  r.u1(); // motion_vectors_over_pic_boundaries_flag
  r.ue(); r.ue(); r.ue(); r.ue(); // max_bytes_per_pic_denom, max_bits_per_mb_denom, log2_max_mv_length h/v
  out.maxNumReorderFrames = r.ue();
}

function skipHrd(r: BitReader): void {
  const cpbCount = r.ue() + 1;
  if (cpbCount > 32) throw new H264Error('H264_BAD_SPS', `cpb_cnt ${cpbCount} > 32`);
  r.u(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < cpbCount; i++) { r.ue(); r.ue(); r.u1(); }
  r.u(20); // four 5-bit lengths
}

/** The SDP profile-level-id (6 hex digits) this SPS actually is. */
export function profileLevelId(sps: Pick<Sps, 'profileIdc' | 'constraintFlags' | 'levelIdc'>): string {
  return [sps.profileIdc, sps.constraintFlags, sps.levelIdc].map((b) => b.toString(16).padStart(2, '0')).join('');
}
