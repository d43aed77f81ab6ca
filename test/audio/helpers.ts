/** Shared by the depacketizer tests: frames copied out of the reused AudioFrame, and a lossy network. */
import type { AudioFrame } from '../../lib/audio/frame.js';
import type { SentPacket } from '../support/audio-packetizers.js';

export interface Got {
  data: Uint8Array;
  timestamp: number;
  sequenceNumber: number;
  discontinuity: boolean;
}

/** A sink that copies each frame (the depacketizer reuses the object and its bytes). */
export function frameCollector(): { frames: Got[]; sink: (f: AudioFrame) => void } {
  const frames: Got[] = [];
  return { frames, sink: (f) => frames.push({ data: f.data.slice(), timestamp: f.timestamp, sequenceNumber: f.sequenceNumber, discontinuity: f.discontinuity }) };
}

export interface NetworkFaults {
  /** Index pattern, repeated: true drops the packet. */
  loss: boolean[];
  dup: boolean[];
  /** true swaps the packet with the next one. */
  swap: boolean[];
}

/** The packets as a lossy, duplicating, reordering network delivers them. */
export function throughNetwork(packets: readonly SentPacket[], f: NetworkFaults): SentPacket[] {
  const at = (p: boolean[], i: number) => p.length > 0 && p[i % p.length];
  const out: SentPacket[] = [];
  packets.forEach((p, i) => {
    if (at(f.loss, i)) return;
    out.push(p);
    if (at(f.dup, i)) out.push(p);
  });
  for (let i = 0; i + 1 < out.length; i++) {
    if (at(f.swap, i)) {
      [out[i], out[i + 1]] = [out[i + 1], out[i]];
      i++;
    }
  }
  return out;
}
