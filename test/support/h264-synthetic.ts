/**
 * Hand-made H.264 NAL units for server tests: real headers, filler bodies. Each slice body
 * starts with its frame number so a test can tell which frame of the clip it received.
 */
export const SPS = Uint8Array.of(0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04);
export const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const AUD = Uint8Array.of(0x09, 0xf0);

function slice(type: 1 | 5, frame: number, size: number): Uint8Array {
  const nal = new Uint8Array(size);
  nal[0] = type === 5 ? 0x65 : 0x41;
  nal[1] = 0x88; // first_mb_in_slice = 0
  nal[2] = frame >> 8;
  nal[3] = frame & 0xff;
  for (let i = 4; i < size; i++) nal[i] = (i * 7 + frame) & 0xff || 1;
  return nal;
}

export interface SyntheticClipOptions {
  frames: number;
  gop: number;
  idrBytes?: number;
  sliceBytes?: number;
  /** Start with this many P-frames before the first IDR (an undecodable lead-in). */
  leadIn?: number;
  aud?: boolean;
}

/** NAL units of a clip: SPS, PPS, then frames; IDR every `gop` frames. */
export function syntheticNalus(o: SyntheticClipOptions): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < (o.leadIn ?? 0); i++) out.push(slice(1, 60000 + i, o.sliceBytes ?? 300));
  out.push(SPS, PPS);
  for (let f = 0; f < o.frames; f++) {
    if (o.aud) out.push(AUD);
    out.push(f % o.gop === 0 ? slice(5, f, o.idrBytes ?? 3000) : slice(1, f, o.sliceBytes ?? 300));
  }
  return out;
}

/** Annex-B bytes of NAL units (4-byte start codes). */
export function annexB(nalus: readonly Uint8Array[]): Uint8Array {
  const size = nalus.reduce((n, u) => n + 4 + u.length, 0);
  const out = new Uint8Array(size);
  let o = 0;
  for (const u of nalus) {
    out.set([0, 0, 0, 1], o);
    out.set(u, o + 4);
    o += 4 + u.length;
  }
  return out;
}

export interface RtpFrameStart {
  keyframe: boolean;
  /** Frame number written into the slice, when the first packet shows it. */
  frame: number | undefined;
}

/** What the first packet of a frame says: keyframe (SPS, STAP-A with SPS, IDR) and frame number. */
export function describeFirstPacket(rtp: Uint8Array): RtpFrameStart {
  const p = rtp.subarray(12);
  const type = p[0] & 0x1f;
  if (type === 24) return { keyframe: (p[3] & 0x1f) === 7, frame: undefined };
  if (type === 7) return { keyframe: true, frame: undefined };
  if (type === 28) return { keyframe: (p[1] & 0x1f) === 5, frame: (p[1] & 0x80) ? (p[3] << 8) | p[4] : undefined };
  return { keyframe: type === 5, frame: (p[2] << 8) | p[3] };
}

/** The frame number of an FU-A start or single-NAL slice packet, if it is one. */
export function sliceFrameNumber(rtp: Uint8Array): { frame: number; keyframe: boolean } | undefined {
  const p = rtp.subarray(12);
  const type = p[0] & 0x1f;
  if (type === 28 && (p[1] & 0x80) && ((p[1] & 0x1f) === 5 || (p[1] & 0x1f) === 1)) return { frame: (p[3] << 8) | p[4], keyframe: (p[1] & 0x1f) === 5 };
  if (type === 1 || type === 5) return { frame: (p[2] << 8) | p[3], keyframe: type === 5 };
  return undefined;
}

/**
 * Whether an RTP packet carries the start of an IDR slice: single NAL, FU-A start, or any unit
 * of a STAP-A. Unlike describeFirstPacket it does not rely on SPS leading the frame (GStreamer's
 * x264 streams may start a keyframe with an access unit delimiter or SEI).
 */
export function carriesIdr(rtp: Uint8Array): boolean {
  const p = rtp.subarray(12);
  const type = p[0] & 0x1f;
  if (type === 5) return true;
  if (type === 28) return (p[1] & 0x80) !== 0 && (p[1] & 0x1f) === 5;
  if (type !== 24) return false;
  for (let i = 1; i + 2 < p.length;) {
    const size = (p[i] << 8) | p[i + 1];
    if (size > 0 && (p[i + 2] & 0x1f) === 5) return true;
    i += 2 + size;
  }
  return false;
}
