/** The `avc1` sample entry with its `avcC` (ISO/IEC 14496-15 5.3.3), built from one SPS and one PPS. */
import { BoxWriter, fourcc } from './box-writer.js';
import type { Sps } from '../h264/sps.js';

const AVC1 = fourcc('avc1');
const AVCC = fourcc('avcC');

/** profile_idc values whose avcC carries the chroma and bit depth fields (14496-15 5.3.3.1.1). */
const HIGH_PROFILE_FIELDS = new Set([100, 110, 122, 144]);

export function writeAvc1Entry(w: BoxWriter, sps: Uint8Array, pps: Uint8Array, info: Sps): void {
  const entry = w.begin(AVC1);
  w.zeros(6); // reserved
  w.u16(1); // data_reference_index
  w.zeros(16); // pre_defined, reserved, pre_defined[3]
  w.u16(info.width);
  w.u16(info.height);
  w.u32(0x0048_0000); // horizresolution 72 dpi
  w.u32(0x0048_0000); // vertresolution
  w.u32(0); // reserved
  w.u16(1); // frame_count
  w.zeros(32); // compressorname
  w.u16(0x0018); // depth
  w.u16(0xffff); // pre_defined = -1
  const avcc = w.begin(AVCC);
  w.u8(1); // configurationVersion
  w.u8(sps[1]); // AVCProfileIndication
  w.u8(sps[2]); // profile_compatibility
  w.u8(sps[3]); // AVCLevelIndication
  w.u8(0xfc | 3); // lengthSizeMinusOne: 4-byte NAL lengths
  w.u8(0xe0 | 1); // one SPS
  w.u16(sps.length);
  w.bytes(sps);
  w.u8(1); // one PPS
  w.u16(pps.length);
  w.bytes(pps);
  if (HIGH_PROFILE_FIELDS.has(info.profileIdc)) {
    w.u8(0xfc | info.chromaFormatIdc);
    w.u8(0xf8 | (info.bitDepthLuma - 8));
    w.u8(0xf8 | (info.bitDepthChroma - 8));
    w.u8(0); // no SPS extensions
  }
  w.end(avcc);
  w.end(entry);
}
