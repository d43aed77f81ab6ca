/** THROWAWAY test glue until lib/h264 lands: single NAL or FU-A packets, pull-style like H264Packetizer. */
import { serializeRtp, type RtpPacket } from '../../../lib/rtp/index.js';
import type { EgressPacketizer } from '../../../lib/gateway/deps.js';

export function glueRtpPayloads(nalus: readonly Uint8Array[], maxPayload = 1188): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const nal of nalus) {
    if (nal.length <= maxPayload) {
      out.push(nal);
      continue;
    }
    const hdr = nal[0];
    let off = 1;
    while (off < nal.length) {
      const n = Math.min(maxPayload - 2, nal.length - off);
      const p = new Uint8Array(n + 2);
      p[0] = (hdr & 0xe0) | 28;
      p[1] = (hdr & 0x1f) | (off === 1 ? 0x80 : 0) | (off + n === nal.length ? 0x40 : 0);
      p.set(nal.subarray(off, off + n), 2);
      out.push(p);
      off += n;
    }
  }
  return out;
}

export class GluePacketizer implements EgressPacketizer {
  sequenceNumber = 0;
  ssrc = 0;
  payloadType = 96;
  readonly mtu = 1200;
  private payloads: Uint8Array[] = [];
  private i = 0;
  private ts = 0;

  start(nalus: readonly Uint8Array[], timestamp: number): void {
    this.payloads = glueRtpPayloads(nalus, this.mtu - 12);
    this.i = 0;
    this.ts = timestamp;
  }

  writeNext(out: Uint8Array): number {
    if (this.i >= this.payloads.length) return 0;
    const pkt: RtpPacket = {
      version: 2, padding: false, extension: false, marker: this.i === this.payloads.length - 1, payloadType: this.payloadType,
      sequenceNumber: this.sequenceNumber, timestamp: this.ts, ssrc: this.ssrc, csrc: [], headerExtension: undefined,
      payload: this.payloads[this.i++], paddingLength: 0,
    };
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    return serializeRtp(pkt, out).length;
  }
}
