/**
 * A synthetic 1080p30 camera stream shaped like a real one: a 150 KB IDR (with SPS/PPS) every
 * 2 s, P frames of 12-18 KB, about 4.1 Mbit/s. The bytes are pseudo-random without zeros, so
 * no start code or emulation-prevention pattern appears inside a NAL unit (as in real slices).
 */
import { pseudoRandomBytes } from './fixtures.js';
import { H264Packetizer } from '../lib/h264/packetizer.js';

/** Hikvision DS-2CD 1920x1080 Main profile parameter sets (corpus: hikvision-ds-retina). */
export const SPS_1080P = Uint8Array.from(Buffer.from('Z00AKZpkA8ARPyzUBAQFAAADA+gAAOpgBA==', 'base64'));
export const PPS_1080P = Uint8Array.from(Buffer.from('aO48gA==', 'base64'));

export const FPS = 30;
export const GOP_FRAMES = 60;
export const IDR_BYTES = 150_000;
export const TS_STEP = 90000 / FPS;

export interface Frame {
  nalus: Uint8Array[];
  keyframe: boolean;
}

/** Pseudo-random bytes with no zero byte, so no start code appears inside a NAL unit. */
function nonZeroBytes(n: number, seed: number): Uint8Array {
  const out = pseudoRandomBytes(n, seed);
  for (let i = 0; i < n; i++) out[i] |= 1;
  return out;
}

/** One GOP (2 s): frame 0 is SPS + PPS + IDR, frames 1..59 are P slices of 12-18 KB. */
export function gop(seed = 0x9e3779b9): Frame[] {
  const frames: Frame[] = [];
  let x = seed >>> 0;
  for (let f = 0; f < GOP_FRAMES; f++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (f === 0) {
      const idr = nonZeroBytes(IDR_BYTES, x);
      idr[0] = 0x65;
      frames.push({ nalus: [SPS_1080P, PPS_1080P, idr], keyframe: true });
    } else {
      const p = nonZeroBytes(12_000 + (x % 6001), x);
      p[0] = 0x41;
      frames.push({ nalus: [p], keyframe: false });
    }
  }
  return frames;
}

/** Bits per second of a GOP played at FPS. */
export function gopBitrate(frames: Frame[]): number {
  let bytes = 0;
  for (const f of frames) for (const n of f.nalus) bytes += n.length;
  return (bytes * 8 * FPS) / frames.length;
}

export interface CameraTrace {
  /** Serialized RTP packets as a camera sends them (MTU 1400, payload type 96). */
  packets: Uint8Array[];
  /** Index of each frame's first packet, plus packets.length at the end. */
  frameStart: number[];
  frames: number;
  payloadBytes: number;
}

/** `gops` GOPs packetized like a camera (MTU 1400), sequence numbers from `seq0`. */
export function cameraTrace(gops: number, seq0 = 65000, mtu = 1400): CameraTrace {
  const g = gop();
  const pz = new H264Packetizer({ mtu, payloadType: 96, ssrc: 0xcafe0001, sequenceNumber: seq0 });
  const packets: Uint8Array[] = [];
  const frameStart: number[] = [];
  let ts = 123456;
  let payloadBytes = 0;
  for (let k = 0; k < gops; k++) {
    for (const f of g) {
      frameStart.push(packets.length);
      for (const p of pz.packetize(f.nalus, ts)) {
        packets.push(p);
        payloadBytes += p.length - 12;
      }
      ts = (ts + TS_STEP) >>> 0;
    }
  }
  frameStart.push(packets.length);
  return { packets, frameStart, frames: gops * g.length, payloadBytes };
}
