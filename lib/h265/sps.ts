/**
 * H.265 sequence parameter set (ITU-T H.265 7.3.2.2), read as far as the picture size: profile,
 * tier and level (profile_tier_level), chroma format, coded size, conformance window, bit depths.
 * Enough for `camwire probe`, the source's facts and the SDP answer; the rest is not read.
 */
import { BitReader } from '../h264/bit-reader.js';
import { H264Error } from '../h264/errors.js';
import { removeEmulationPrevention } from '../h264/nal.js';
import { H265Error } from './errors.js';
import { H265NalType, parseH265NalHeader } from './nal.js';

export interface H265Sps {
  vpsId: number;
  spsId: number;
  maxSubLayers: number;
  /** general_profile_space, general_tier_flag (0 Main, 1 High), general_profile_idc (1 Main, 2 Main 10, ...). */
  profileSpace: number;
  tier: number;
  profileIdc: number;
  /** general_level_idc: 30 x the level (93 = level 3.1). */
  levelIdc: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  codedWidth: number;
  codedHeight: number;
  /** Displayed size: coded size minus the conformance window. */
  width: number;
  height: number;
}

/** Parses an SPS NAL unit (2-byte header included). Throws H265_BAD_SPS on anything malformed. */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  let header;
  try { header = parseH265NalHeader(nal); } catch (err) { throw new H265Error('H265_BAD_SPS', (err as Error).message); }
  if (header.type !== H265NalType.Sps) throw new H265Error('H265_BAD_SPS', `NAL type ${header.type} is not an SPS (33)`);
  try {
    return readSps(new BitReader(removeEmulationPrevention(nal).subarray(2)));
  } catch (err) {
    if (err instanceof H264Error) throw new H265Error('H265_BAD_SPS', err.message);
    throw err;
  }
}

function readSps(r: BitReader): H265Sps {
  const vpsId = r.u(4);
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > 6) throw new H265Error('H265_BAD_SPS', `sps_max_sub_layers_minus1 ${maxSubLayersMinus1} is above 6`);
  r.u1(); // temporal_id_nesting
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.ue();
  if (spsId > 15) throw new H265Error('H265_BAD_SPS', `sps_seq_parameter_set_id ${spsId} is above 15`);
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw new H265Error('H265_BAD_SPS', `chroma_format_idc ${chromaFormatIdc} is above 3`);
  const separateColourPlanes = chromaFormatIdc === 3 && r.u1() === 1;
  const codedWidth = r.ue();
  const codedHeight = r.ue();
  if (codedWidth === 0 || codedHeight === 0 || codedWidth > 16888 || codedHeight > 16888) {
    throw new H265Error('H265_BAD_SPS', `picture size ${codedWidth}x${codedHeight} is out of range`);
  }
  let width = codedWidth;
  let height = codedHeight;
  if (r.u1()) {
    const chromaArrayType = separateColourPlanes ? 0 : chromaFormatIdc;
    const subWidth = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeight = chromaArrayType === 1 ? 2 : 1;
    const left = r.ue(), right = r.ue(), top = r.ue(), bottom = r.ue();
    width -= subWidth * (left + right);
    height -= subHeight * (top + bottom);
    if (width <= 0 || height <= 0) throw new H265Error('H265_BAD_SPS', `conformance window leaves ${width}x${height}`);
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  if (bitDepthLuma > 16 || bitDepthChroma > 16) throw new H265Error('H265_BAD_SPS', `bit depth ${bitDepthLuma}/${bitDepthChroma} is above 16`);
  return {
    vpsId, spsId, maxSubLayers: maxSubLayersMinus1 + 1, ...ptl, chromaFormatIdc, bitDepthLuma, bitDepthChroma,
    codedWidth, codedHeight, width, height,
  };
}

/** profile_tier_level(1, maxSubLayersMinus1) (7.3.3): the general part is kept, sub-layer parts skipped. */
function readProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): Pick<H265Sps, 'profileSpace' | 'tier' | 'profileIdc' | 'levelIdc'> {
  const profileSpace = r.u(2);
  const tier = r.u1();
  const profileIdc = r.u(5);
  r.u(32); // general_profile_compatibility_flag[32]
  r.u(48); // progressive/interlaced/non-packed/frame-only + 44 constraint and reserved bits
  const levelIdc = r.u(8);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.u1() === 1);
    levelPresent.push(r.u1() === 1);
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.u(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.u(88);
    if (levelPresent[i]) r.u(8);
  }
  return { profileSpace, tier, profileIdc, levelIdc };
}
