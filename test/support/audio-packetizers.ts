/**
 * Senders for the audio tests and benchmarks: RFC 3640 (AAC-hbr) and MP4A-LATM packetizers
 * written from the RFCs, independent of the depacketizers they exercise.
 */
import { BitWriter } from '../../lib/audio/bits.js';
import { writeStreamMuxConfig, type StreamMuxConfig } from '../../lib/audio/stream-mux-config.js';

export interface SentPacket {
  payload: Uint8Array;
  seq: number;
  ts: number;
  marker: boolean;
}

export interface Rfc3640SendOptions {
  seq0?: number;
  ts0?: number;
  frameTicks?: number;
  /** Largest payload; an AU that does not fit alone is fragmented. */
  mtu?: number;
  /** Most AUs aggregated into one packet. */
  perPacket?: number;
  /** AU-size of a fragment: the whole AU's (RFC 3640) or the fragment's own (some senders). */
  fragmentSizes?: 'au' | 'fragment';
}

/** AAC-hbr headers (13-bit AU-size, 3-bit AU-index/-delta, all zero). */
function hbrPayload(sizes: number[], chunks: Uint8Array[]): Uint8Array {
  const headerBytes = sizes.length * 2;
  let dataLen = 0;
  for (const c of chunks) dataLen += c.length;
  const out = new Uint8Array(2 + headerBytes + dataLen);
  out[0] = (sizes.length * 16) >> 8;
  out[1] = (sizes.length * 16) & 0xff;
  sizes.forEach((s, i) => {
    out[2 + 2 * i] = s >> 5;
    out[3 + 2 * i] = (s & 0x1f) << 3;
  });
  let o = 2 + headerBytes;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function packetizeRfc3640(aus: readonly Uint8Array[], o: Rfc3640SendOptions = {}): SentPacket[] {
  const mtu = o.mtu ?? 1188;
  const perPacket = o.perPacket ?? 1;
  const frameTicks = o.frameTicks ?? 1024;
  let seq = o.seq0 ?? 0;
  const ts0 = o.ts0 ?? 0;
  const out: SentPacket[] = [];
  const send = (payload: Uint8Array, ts: number, marker: boolean) => {
    out.push({ payload, seq, ts: ts >>> 0, marker });
    seq = (seq + 1) & 0xffff;
  };
  let i = 0;
  while (i < aus.length) {
    const ts = ts0 + i * frameTicks;
    // aggregate while the next AU fits (4 bytes of header room per AU is plenty)
    let n = 0;
    let bytes = 2;
    while (i + n < aus.length && n < perPacket && bytes + 2 + aus[i + n].length <= mtu) {
      bytes += 2 + aus[i + n].length;
      n++;
    }
    if (n > 0) {
      const group = aus.slice(i, i + n);
      send(hbrPayload(group.map((a) => a.length), group), ts, true);
      i += n;
      continue;
    }
    const au = aus[i];
    const room = mtu - 4;
    for (let off = 0; off < au.length; off += room) {
      const chunk = au.subarray(off, Math.min(au.length, off + room));
      send(hbrPayload([o.fragmentSizes === 'fragment' ? chunk.length : au.length], [chunk]), ts, off + room >= au.length);
    }
    i++;
  }
  return out;
}

export interface LatmSendOptions {
  seq0?: number;
  ts0?: number;
  frameTicks?: number;
  mtu?: number;
  /** The config: its numSubFrames decides how many frames share an element. */
  config: StreamMuxConfig;
  /** cpresent=1: every element starts with useSameStreamMux; the first carries the config. */
  inBand?: boolean;
}

function lengthBytes(w: BitWriter, len: number): void {
  let left = len;
  while (left >= 255) {
    w.writeBits(255, 8);
    left -= 255;
  }
  w.writeBits(left, 8);
}

/** One AudioMuxElement per packet (fragmented over packets when larger than the MTU). */
export function packetizeLatm(frames: readonly Uint8Array[], o: LatmSendOptions): SentPacket[] {
  const mtu = o.mtu ?? 1188;
  const frameTicks = o.frameTicks ?? 1024;
  const per = o.config.numSubFrames + 1;
  let seq = o.seq0 ?? 0;
  const out: SentPacket[] = [];
  for (let i = 0; i + per <= frames.length; i += per) {
    const w = new BitWriter();
    if (o.inBand) {
      w.writeBit(i > 0);
      if (i === 0) writeStreamMuxConfig(w, o.config);
    }
    for (let k = 0; k < per; k++) {
      const f = frames[i + k];
      lengthBytes(w, f.length);
      w.appendBits(f, f.length * 8);
    }
    if (o.config.otherDataLenBits !== undefined) w.writeBits(0, o.config.otherDataLenBits);
    const element = w.toBytes();
    const ts = ((o.ts0 ?? 0) + i * frameTicks) >>> 0;
    for (let off = 0; off < element.length; off += mtu) {
      out.push({ payload: element.subarray(off, Math.min(element.length, off + mtu)), seq, ts, marker: off + mtu >= element.length });
      seq = (seq + 1) & 0xffff;
    }
  }
  return out;
}
