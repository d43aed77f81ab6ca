/**
 * Turns a frame's NAL units into RTP packets (RFC 6184: single NAL unit packets, FU-A for
 * units larger than the packet budget; non-interleaved mode). Each packet is a fresh buffer
 * because it is handed to several sockets that write it asynchronously: nobody may mutate
 * it afterwards.
 */
import { seqAdd } from '../rtp/seq.js';
import { writeU32 } from '../rtp/packet.js';
import { RtspServerError } from './server-errors.js';

export interface FramePacketizerOptions {
  ssrc: number;
  payloadType?: number;
  /** Whole RTP packet size limit, header included. Default 1200 (fits any tunnel and WebRTC). */
  maxPacketSize?: number;
  initialSequenceNumber?: number;
}

const HEADER = 12;
const FU_A = 28;

export class FramePacketizer {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly maxPacketSize: number;
  private seq: number;

  constructor(opts: FramePacketizerOptions) {
    this.ssrc = opts.ssrc >>> 0;
    this.payloadType = opts.payloadType ?? 96;
    this.maxPacketSize = opts.maxPacketSize ?? 1200;
    if (this.maxPacketSize < HEADER + 3 || this.maxPacketSize > 65535) {
      throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `maxPacketSize ${this.maxPacketSize} is outside [15, 65535]`);
    }
    this.seq = (opts.initialSequenceNumber ?? 0) & 0xffff;
  }

  /** Sequence number the next packet will carry. */
  get nextSequenceNumber(): number {
    return this.seq;
  }

  /** Appends the frame's packets to `out` (cleared first); the last one has the marker bit. */
  packetize(nalus: readonly Uint8Array[], timestamp: number, out: Uint8Array[]): void {
    out.length = 0;
    const budget = this.maxPacketSize - HEADER;
    for (const nal of nalus) {
      if (nal.length === 0) continue;
      if (nal.length <= budget) {
        const pkt = this.header(HEADER + nal.length, timestamp);
        pkt.set(nal, HEADER);
        out.push(pkt);
        continue;
      }
      const indicator = (nal[0] & 0xe0) | FU_A;
      const type = nal[0] & 0x1f;
      const chunk = budget - 2;
      for (let o = 1; o < nal.length; o += chunk) {
        const end = Math.min(o + chunk, nal.length);
        const pkt = this.header(HEADER + 2 + end - o, timestamp);
        pkt[HEADER] = indicator;
        pkt[HEADER + 1] = (o === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
        pkt.set(nal.subarray(o, end), HEADER + 2);
        out.push(pkt);
      }
    }
    if (out.length > 0) out[out.length - 1][1] |= 0x80;
  }

  private header(size: number, timestamp: number): Uint8Array {
    const pkt = new Uint8Array(size);
    pkt[0] = 0x80;
    pkt[1] = this.payloadType & 0x7f;
    pkt[2] = this.seq >> 8;
    pkt[3] = this.seq & 0xff;
    writeU32(pkt, 4, timestamp);
    writeU32(pkt, 8, this.ssrc);
    this.seq = seqAdd(this.seq, 1);
    return pkt;
  }
}
