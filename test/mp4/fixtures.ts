/** Parameter sets and access units for the muxer tests. */
import { hex } from '../h264/helpers.js';

// x264 (ffmpeg 5.1, testsrc2), the vectors of test/h264/sps.test.ts
export const SPS_1080P_BASELINE = hex('6742c028d900780227e5ffc000c00104000003000400000300c83c60c920');
export const SPS_1366X768_HIGH = hex('67640020acd94056061e6fff020002ab1000000300100000030320f1831960');
export const PPS = hex('68ce3c80');

/** A coded slice NAL unit of `size` bytes: IDR (type 5) or non-IDR (type 1). */
export function slice(idr: boolean, size: number, fill = 0xab): Uint8Array {
  const nal = new Uint8Array(size).fill(fill);
  nal[0] = idr ? 0x65 : 0x41;
  return nal;
}

export function keyframe(timestamp: number, size = 1000): { nalus: Uint8Array[]; timestamp: number; keyframe: boolean } {
  return { nalus: [SPS_1080P_BASELINE, PPS, slice(true, size)], timestamp: timestamp >>> 0, keyframe: true };
}

export function pframe(timestamp: number, size = 200): { nalus: Uint8Array[]; timestamp: number; keyframe: boolean } {
  return { nalus: [slice(false, size)], timestamp: timestamp >>> 0, keyframe: false };
}

/** AudioSpecificConfig: AAC-LC, 48 kHz, stereo. */
export const ASC_LC_48K_STEREO = hex('1190');
/** AAC-LC, 16 kHz, mono (Axis cameras). */
export const ASC_LC_16K_MONO = hex('1408');
