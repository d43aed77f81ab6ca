/**
 * FU-A fragments re-cut to the egress MTU (RFC 6184 5.8), one camera fragment at a time: a
 * fragment larger than an egress packet (TCP-interleaved cameras send 10 KB+ packets) becomes
 * several pieces, and the tail of a fragment too short to fill a piece waits for the NAL unit's
 * next fragment (`carry`), so a NAL unit takes as many egress packets as frame forwarding gives
 * it: cutting each 1400-byte camera packet on its own would make two egress packets of every
 * one. The wait is the gap to the camera's next packet of the same NAL unit, which a camera
 * sends in one burst.
 *
 * The pieces are not numbered (sequence number 0): whoever sends them numbers them.
 */
import { H264Error } from './errors.js';
import { NalType } from './nal.js';
import { RTP_HEADER_SIZE, writeRtpFixedHeader } from '../rtp/packet.js';

/** Header fields of the egress packets, read when each piece is written. */
export interface FuACutterHeader {
  readonly mtu: number;
  readonly payloadType: number;
  readonly ssrc: number;
}

export interface FuACutterStats {
  /** Fragment tails that waited for the NAL unit's next fragment, and those dropped when it never came. */
  carried: number;
  carryDropped: number;
}

const FU_HEADER = 2;

export class FuACutter {
  private readonly maxPayload: number;
  // the camera fragment being cut: its payload, where the next piece starts in it, its header fields
  private data: Uint8Array | undefined;
  private offset = 0;
  private indicator = 0;
  private type = 0;
  private start = false;
  private end = false;
  private marker = false;
  private timestamp = 0;
  /** The fragment starts its unit's first slice: its first piece goes out at once, with the held units. */
  private opensUnit = false;
  // the tail of the NAL unit's last fragment, not yet sent: it opens the next piece
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private carryHasStart = false;

  constructor(private readonly header: FuACutterHeader, private readonly coalesce: boolean, private readonly stats: FuACutterStats) {
    this.maxPayload = header.mtu - RTP_HEADER_SIZE;
    this.carry = new Uint8Array(Math.max(0, this.maxPayload));
  }

  /** True while `writeNext` has pieces of the current fragment left. */
  get pending(): boolean {
    return this.data !== undefined;
  }

  /** A tail waits for its NAL unit's next fragment. */
  get carrying(): boolean {
    return this.carryLen > 0;
  }

  /**
   * Takes one camera FU-A payload (read, not copied, until the next `take` or `discard`).
   * `marker`: its last piece ends the access unit. `opensUnit`: it starts the unit's first slice.
   */
  take(payload: Uint8Array, marker: boolean, timestamp: number, opensUnit: boolean): void {
    const fu = payload[1];
    this.start = (fu & 0x80) !== 0;
    if (this.start) this.dropCarry(); // a NAL unit that never got its end fragment
    this.data = payload;
    this.offset = FU_HEADER;
    this.indicator = payload[0] & 0xe0;
    this.type = fu & 0x1f;
    this.end = (fu & 0x40) !== 0;
    this.marker = marker;
    this.timestamp = timestamp;
    this.opensUnit = opensUnit;
  }

  /** Forgets the current fragment's unwritten pieces (a carried tail stays). */
  discard(): void {
    this.data = undefined;
  }

  /** Forgets everything, the carried tail too (its unit was abandoned: not counted as dropped). */
  abort(): void {
    this.data = undefined;
    this.carryLen = 0;
  }

  /** Drops a carried tail whose NAL unit will not be continued, counting it. */
  dropCarry(): void {
    if (this.carryLen === 0) return;
    this.carryLen = 0;
    this.stats.carryDropped++;
  }

  /**
   * Writes the next piece into `out` (at least `mtu` bytes) and returns its length; 0 when the
   * fragment is done, or when its tail was carried to open the next piece.
   */
  writeNext(out: Uint8Array): number {
    const data = this.data;
    if (!data) return 0;
    const mtu = this.header.mtu;
    if (out.length < mtu) throw new H264Error('H264_BUFFER_TOO_SMALL', `need ${mtu} bytes, buffer has ${out.length}`);
    const room = this.maxPayload - FU_HEADER;
    const carried = this.carryLen;
    const left = data.length - this.offset;
    const opensUnit = this.opensUnit && this.offset === FU_HEADER;
    if (!this.end && !this.marker && !opensUnit && this.coalesce && carried + left < room) {
      // Too short for a full piece and more of this NAL unit follows: it opens the next piece.
      // Not the unit's first: a unit whose held parameter sets went out alone, then was
      // abandoned, would look to a lenient receiver like parameter sets for the next unit.
      if (carried === 0) this.carryHasStart = this.offset === FU_HEADER && this.start;
      this.carry.set(data.subarray(this.offset), carried);
      this.carryLen = carried + left;
      this.stats.carried++;
      this.data = undefined;
      return 0;
    }
    const chunk = Math.min(room - carried, left);
    const startBit = carried > 0 ? this.carryHasStart : this.offset === FU_HEADER && this.start;
    const last = this.offset + chunk >= data.length;
    const endBit = last && this.end;
    let n: number;
    if (startBit && endBit) {
      // The whole NAL unit fits one packet, and a FU-A must not carry both start and end (RFC 6184 5.8).
      out[RTP_HEADER_SIZE] = this.indicator | this.type;
      n = RTP_HEADER_SIZE + 1;
    } else {
      out[RTP_HEADER_SIZE] = this.indicator | NalType.FuA;
      out[RTP_HEADER_SIZE + 1] = (startBit ? 0x80 : 0) | (endBit ? 0x40 : 0) | this.type;
      n = RTP_HEADER_SIZE + FU_HEADER;
    }
    if (carried > 0) {
      out.set(this.carry.subarray(0, carried), n);
      n += carried;
      this.carryLen = 0;
    }
    out.set(data.subarray(this.offset, this.offset + chunk), n);
    n += chunk;
    this.offset += chunk;
    if (last) this.data = undefined;
    writeRtpFixedHeader(out, last && this.marker, this.header.payloadType, 0, this.timestamp, this.header.ssrc);
    return n;
  }
}
