/**
 * NAL unit helpers (ITU-T H.264 7.3.1, Annex B; ISO/IEC 14496-15 length-prefixed "AVC" form).
 * Everything returns views into the input unless it has to build a new buffer.
 */
import { H264Error } from './errors.js';

export const NalType = {
  Unspecified: 0,
  Slice: 1,
  SliceA: 2,
  SliceB: 3,
  SliceC: 4,
  Idr: 5,
  Sei: 6,
  Sps: 7,
  Pps: 8,
  Aud: 9,
  EndOfSequence: 10,
  EndOfStream: 11,
  Filler: 12,
  /** RFC 6184 payload structures (not NAL units of the bitstream). */
  StapA: 24,
  StapB: 25,
  Mtap16: 26,
  Mtap24: 27,
  FuA: 28,
  FuB: 29,
} as const;

/** nal_unit_type of a NAL header byte. */
export function nalType(header: number): number {
  return header & 0x1f;
}

/** nal_ref_idc (NRI) of a NAL header byte. */
export function nalRefIdc(header: number): number {
  return (header >> 5) & 0x03;
}

/** True for coded slices (types 1-5): the units that make a picture. */
export function isVcl(type: number): boolean {
  return type >= 1 && type <= 5;
}

/**
 * Index of the next Annex-B start code (00 00 01) at or after `from`, or -1. Skips three bytes
 * at a time when the third byte cannot end a start code, so random slice data costs ~n/3 reads.
 */
export function findStartCode(buf: Uint8Array, from: number, end = buf.length): number {
  let i = from;
  while (i + 2 < end) {
    const b2 = buf[i + 2];
    if (b2 > 1) { i += 3; continue; }
    if (b2 === 1) {
      if (buf[i + 1] === 0 && buf[i] === 0) return i;
      i += 3;
      continue;
    }
    // b2 === 0: a start code may begin at i+1 or i+2
    i += 1;
  }
  return -1;
}

/**
 * Splits an Annex-B byte stream into NAL units (views). Leading bytes before the first start
 * code are treated as a NAL unit too (some cameras omit the first start code); zero bytes
 * before a start code or at the end (trailing_zero_8bits, the 1st byte of 00 00 00 01) are not
 * part of a NAL unit (a NAL unit never ends in 00).
 * Empty units are skipped.
 */
export function splitAnnexB(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const sc = findStartCode(buf, start);
    const end = sc < 0 ? buf.length : sc;
    let e = end;
    while (e > start && buf[e - 1] === 0) e--;
    if (e > start) out.push(buf.subarray(start, e));
    if (sc < 0) return out;
    start = sc + 3;
  }
}

const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** Joins NAL units into an Annex-B stream with 4-byte start codes. */
export function joinAnnexB(nalus: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const n of nalus) size += 4 + n.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const n of nalus) {
    out.set(START_CODE, o);
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

/** Splits length-prefixed (AVC) data into NAL units (views). Throws H264_BAD_AVC on a bad length. */
export function splitAvc(buf: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < buf.length) {
    if (i + lengthSize > buf.length) throw new H264Error('H264_BAD_AVC', `truncated ${lengthSize}-byte length at offset ${i}`);
    let len = 0;
    for (let k = 0; k < lengthSize; k++) len = len * 256 + buf[i + k];
    i += lengthSize;
    if (len > buf.length - i) throw new H264Error('H264_BAD_AVC', `NAL length ${len} at offset ${i} runs past the end`);
    out.push(buf.subarray(i, i + len));
    i += len;
  }
  return out;
}

/** Joins NAL units into length-prefixed (AVC) form. */
export function joinAvc(nalus: readonly Uint8Array[], lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  let size = 0;
  const max = lengthSize === 4 ? 0xffffffff : (1 << (8 * lengthSize)) - 1;
  for (const n of nalus) {
    if (n.length > max) throw new H264Error('H264_BAD_AVC', `NAL of ${n.length} bytes does not fit a ${lengthSize}-byte length`);
    size += lengthSize + n.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const n of nalus) {
    for (let k = lengthSize - 1; k >= 0; k--) out[o + lengthSize - 1 - k] = Math.floor(n.length / 2 ** (8 * k)) & 0xff;
    out.set(n, o + lengthSize);
    o += lengthSize + n.length;
  }
  return out;
}

export function annexBToAvc(buf: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  return joinAvc(splitAnnexB(buf), lengthSize);
}

export function avcToAnnexB(buf: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array {
  return joinAnnexB(splitAvc(buf, lengthSize));
}

/**
 * Removes emulation prevention bytes (00 00 03 -> 00 00), giving the RBSP. Returns the
 * input itself when there is nothing to remove.
 */
export function removeEmulationPrevention(nal: Uint8Array): Uint8Array {
  let first = -1;
  for (let i = 2; i < nal.length; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) { first = i; break; }
  }
  if (first < 0) return nal;
  const out = new Uint8Array(nal.length);
  out.set(nal.subarray(0, first));
  let o = first;
  let zeros = 0;
  for (let i = first + 1; i < nal.length; i++) {
    const b = nal[i];
    if (zeros >= 2 && b === 3) { zeros = 0; continue; }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}
