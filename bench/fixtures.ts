/** Realistic packets for benchmarks: a 1080p-like H.264 stream cut into 1200-byte RTP packets. */
import { serializeRtp, type RtpPacket } from '../lib/rtp/packet.js';

/** Deterministic pseudo-random bytes (xorshift32), so every run measures the same input. */
export function pseudoRandomBytes(n: number, seed = 0x1234567): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** `count` serialized RTP packets of `size` bytes total each (header + payload), seq from `seq0`. */
export function rtpPackets(count: number, size = 1200, seq0 = 65000): Uint8Array[] {
  const payload = pseudoRandomBytes(size - 12);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const p: RtpPacket = {
      version: 2, padding: false, extension: false, marker: i % 10 === 9, payloadType: 96,
      sequenceNumber: (seq0 + i) & 0xffff, timestamp: (90000 + Math.floor(i / 10) * 3000) >>> 0,
      ssrc: 0x11223344, csrc: [], headerExtension: undefined, payload, paddingLength: 0,
    };
    out.push(serializeRtp(p));
  }
  return out;
}
