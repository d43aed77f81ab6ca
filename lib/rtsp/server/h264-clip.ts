/**
 * An H.264 Annex-B clip cut into access units, ready to loop: every keyframe carries its
 * SPS and PPS in front (x264 writes them only once, at the start), so playback can start
 * or jump at any keyframe. Access unit delimiters are dropped (RTP marks frame ends itself).
 */
import { RtspServerError } from './errors.js';

export interface ClipFrame {
  /** NAL units of one picture, without start codes (views into the clip's bytes). */
  readonly nalus: readonly Uint8Array[];
  /** The frame holds an IDR slice (with SPS and PPS in front). */
  readonly keyframe: boolean;
}

export interface H264Clip {
  readonly frames: readonly ClipFrame[];
  readonly sps: Uint8Array;
  readonly pps: Uint8Array;
  /** Indices into `frames` of the keyframes, ascending. */
  readonly keyframes: readonly number[];
}

const SEI = 6;
const IDR = 5;
const SPS = 7;
const PPS = 8;
const AUD = 9;

function isVcl(type: number): boolean {
  return type >= 1 && type <= 5;
}

/** first_mb_in_slice == 0 (its ue(v) is the single bit 1): the slice opens a new picture. */
function startsPicture(nal: Uint8Array): boolean {
  return nal.length > 1 && (nal[1] & 0x80) !== 0;
}

/** Cuts NAL units into access units (H.264 7.4.1.2.3). Throws RTSP_SERVER_BAD_CLIP. */
export function loadH264Clip(nalus: readonly Uint8Array[]): H264Clip {
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  const frames: ClipFrame[] = [];
  let current: Uint8Array[] = [];
  let hasVcl = false;
  let keyframe = false;
  const flush = (): void => {
    if (hasVcl) frames.push({ nalus: current, keyframe });
    current = [];
    hasVcl = false;
    keyframe = false;
  };
  for (const nal of nalus) {
    if (nal.length === 0) continue;
    const type = nal[0] & 0x1f;
    if (type === AUD) {
      flush();
      continue;
    }
    if (type === SPS) { sps ??= nal; flush(); continue; }
    if (type === PPS) { pps ??= nal; flush(); continue; }
    if (type === SEI && hasVcl) flush();
    if (isVcl(type) && hasVcl && startsPicture(nal)) flush();
    if (isVcl(type)) hasVcl = true;
    if (type === IDR) keyframe = true;
    current.push(nal);
  }
  flush();
  if (!sps || !pps) throw new RtspServerError('RTSP_SERVER_BAD_CLIP', 'H.264 clip has no SPS or no PPS');
  if (sps.length < 4) throw new RtspServerError('RTSP_SERVER_BAD_CLIP', 'H.264 clip SPS is too short');
  const keyframes: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (!f.keyframe) continue;
    keyframes.push(i);
    frames[i] = { nalus: [sps, pps, ...f.nalus.filter((n) => (n[0] & 0x1f) !== SPS && (n[0] & 0x1f) !== PPS)], keyframe: true };
  }
  if (keyframes.length === 0) throw new RtspServerError('RTSP_SERVER_BAD_CLIP', 'H.264 clip has no IDR frame');
  // A loop must start on a keyframe: frames before the first IDR cannot be decoded.
  const first = keyframes[0];
  if (first > 0) {
    frames.splice(0, first);
    for (let i = 0; i < keyframes.length; i++) keyframes[i] -= first;
  }
  return { frames, sps, pps, keyframes };
}
