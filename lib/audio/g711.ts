/**
 * G.711 A-law and mu-law (ITU-T G.711) to and from 16-bit linear PCM: for level meters and
 * tests, not for the media path (G.711 goes to browsers as it is). Decoding is a table; the
 * encoders are the segment search of the ITU reference (Sun's g711.c).
 */
import { AudioPayloadError } from './errors.js';

export type G711Law = 'alaw' | 'ulaw';

function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (seg === 0) t += 8;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function table(decode: (code: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) t[i] = decode(i);
  return t;
}

/** Linear sample of every A-law code. */
export const ALAW_TO_PCM: Readonly<Int16Array> = table(alawToLinear);
/** Linear sample of every mu-law code. */
export const ULAW_TO_PCM: Readonly<Int16Array> = table(ulawToLinear);

const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
const ULAW_SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ULAW_BIAS = 0x84 >> 2;
const ULAW_CLIP = 8159;

function segment(v: number, ends: readonly number[]): number {
  let s = 0;
  while (s < 8 && v > ends[s]) s++;
  return s;
}

/** A-law code of a 16-bit sample (clamped to the int16 range). */
export function linearToAlaw(sample: number): number {
  let v = clamp16(sample) >> 3;
  let mask = 0xd5;
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  const seg = segment(v, ALAW_SEGMENT_ENDS);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((seg < 2 ? v >> 1 : v >> seg) & 0x0f)) ^ mask;
}

/** mu-law code of a 16-bit sample (clamped to the int16 range). */
export function linearToUlaw(sample: number): number {
  let v = clamp16(sample) >> 2;
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > ULAW_CLIP) v = ULAW_CLIP;
  v += ULAW_BIAS;
  const seg = segment(v, ULAW_SEGMENT_ENDS);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask;
}

function clamp16(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x | 0;
}

function tooSmall(need: number, have: number): AudioPayloadError {
  return new AudioPayloadError('AUDIO_BUFFER_TOO_SMALL', `need ${need} samples of room, buffer has ${have}`);
}

/** Decodes `codes` into `out` (a new array when absent); returns the written part. */
export function decodeG711(law: G711Law, codes: Uint8Array, out?: Int16Array): Int16Array {
  const n = codes.length;
  const pcm = out ?? new Int16Array(n);
  if (pcm.length < n) throw tooSmall(n, pcm.length);
  const t = law === 'alaw' ? ALAW_TO_PCM : ULAW_TO_PCM;
  for (let i = 0; i < n; i++) pcm[i] = t[codes[i]];
  return pcm.length === n ? pcm : pcm.subarray(0, n);
}

/** Encodes `pcm` into `out` (a new array when absent); returns the written part. */
export function encodeG711(law: G711Law, pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const n = pcm.length;
  const codes = out ?? new Uint8Array(n);
  if (codes.length < n) throw tooSmall(n, codes.length);
  const encode = law === 'alaw' ? linearToAlaw : linearToUlaw;
  for (let i = 0; i < n; i++) codes[i] = encode(pcm[i]);
  return codes.length === n ? codes : codes.subarray(0, n);
}
