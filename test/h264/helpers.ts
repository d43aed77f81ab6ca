/** Shared builders for the H.264 tests. */
import type { RtpPacket } from '../../lib/rtp/packet.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { H264Depacketizer, type AccessUnit, type DepacketizerOptions } from '../../lib/h264/depacketizer.js';

export const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

export function rtp(seq: number, ts: number, marker: boolean, payload: Uint8Array | string): RtpPacket {
  return {
    version: 2, padding: false, extension: false, marker, payloadType: 96,
    sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, ssrc: 1, csrc: [], headerExtension: undefined,
    payload: typeof payload === 'string' ? hex(payload) : payload, paddingLength: 0,
  };
}

/** A depacketizer that collects what it emits. */
export function collector(options?: DepacketizerOptions): { d: H264Depacketizer; aus: AccessUnit[] } {
  const aus: AccessUnit[] = [];
  const d = new H264Depacketizer((au) => aus.push(au), options);
  return { d, aus };
}

export const toHex = (nalus: readonly Uint8Array[]) => nalus.map((n) => Buffer.from(n).toString('hex'));

/** Parses serialized packets for the depacketizer. */
export const parsed = (packets: readonly Uint8Array[]) => packets.map((p) => parseRtp(p));
