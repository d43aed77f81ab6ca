/**
 * RFC 7798 packetizer: access unit -> RTP packets of at most `mtu` bytes, no DONL (the
 * answer's sprop-max-don-diff is 0). Small NAL units that fit together (VPS + SPS + PPS above
 * all) share an aggregation packet (AP), a unit too big for one packet is cut into FUs, a unit
 * that fits alone goes as a single NAL unit packet; the marker is set on the last packet of the
 * access unit. An IRAP picture without VPS/SPS/PPS in front of it gets the last known ones.
 *
 * Pull-style and allocation-free, like lib/h264's packetizer: `start(nalus, timestamp)` then
 * `writeNext(out)` until it returns 0, each call writing one whole RTP packet into `out`.
 */
import { writeRtpFixedHeader } from '../rtp/packet.js';
import { PACKETIZER_DEFAULTS } from '../h264/packetizer.js';
import { H265Error } from './errors.js';
import { H265NalType, h265NalType, isH265ParameterSet, isIrap } from './nal.js';
import { H265ParameterSets } from './parameter-sets.js';

export interface H265PacketizerOptions {
  /** Largest RTP packet written, header included. Default 1200 (WebRTC-safe). */
  mtu?: number;
  payloadType?: number;
  ssrc?: number;
  /** First sequence number used. Default 0. */
  sequenceNumber?: number;
  /** Out-of-band VPS/SPS/PPS (the camera's sprop-vps/sps/pps). */
  parameterSets?: readonly Uint8Array[];
  /** Insert the known VPS/SPS/PPS before an IRAP picture that lacks them. Default true. */
  insertParameterSets?: boolean;
  /** Aggregate small NAL units into APs. Default true. */
  aggregate?: boolean;
}

export interface H265PacketizerStats {
  accessUnits: number;
  packets: number;
  /** Bytes written, RTP headers included. */
  bytes: number;
  singleNalPackets: number;
  apPackets: number;
  fuPackets: number;
  parameterSetsInserted: number;
  /** IRAP access units sent without VPS/SPS/PPS because not all three were known yet. */
  irapWithoutParameterSets: number;
  /** NAL units shorter than their 2-byte header: skipped. */
  emptyNalUnits: number;
}

/** The same defaults as the H.264 packetizer; out-of-band parameter sets have none. */
export const H265_PACKETIZER_DEFAULTS = Object.freeze({
  mtu: PACKETIZER_DEFAULTS.mtu,
  payloadType: PACKETIZER_DEFAULTS.payloadType,
  ssrc: 0,
  sequenceNumber: 0,
  insertParameterSets: true,
  aggregate: true,
} as const satisfies Required<Omit<H265PacketizerOptions, 'parameterSets'>>);

const RTP_HEADER = 12;
/** Payload header (2) + FU header (1). */
const FU_HEAD = 3;

export class H265Packetizer {
  readonly stats: H265PacketizerStats = {
    accessUnits: 0, packets: 0, bytes: 0, singleNalPackets: 0, apPackets: 0, fuPackets: 0,
    parameterSetsInserted: 0, irapWithoutParameterSets: 0, emptyNalUnits: 0,
  };
  readonly parameterSets = new H265ParameterSets();
  readonly mtu: number;
  payloadType: number;
  ssrc: number;
  /** Sequence number of the next packet written. */
  sequenceNumber: number;
  private readonly maxPayload: number;
  private readonly insert: boolean;
  private readonly aggregate: boolean;

  private readonly list: Uint8Array[] = [];
  private count = 0;
  private index = 0;
  private offset = 0;
  private timestamp = 0;
  private markLast = true;

  constructor(options: H265PacketizerOptions = {}) {
    const d = H265_PACKETIZER_DEFAULTS;
    this.mtu = options.mtu ?? d.mtu;
    if (!Number.isInteger(this.mtu) || this.mtu < RTP_HEADER + FU_HEAD + 1 || this.mtu > 65535) {
      throw new H265Error('H265_BAD_OPTION', `mtu ${this.mtu} must be an integer from ${RTP_HEADER + FU_HEAD + 1} to 65535`);
    }
    this.maxPayload = this.mtu - RTP_HEADER;
    this.payloadType = options.payloadType ?? d.payloadType;
    this.ssrc = options.ssrc ?? d.ssrc;
    this.sequenceNumber = (options.sequenceNumber ?? d.sequenceNumber) & 0xffff;
    this.insert = options.insertParameterSets ?? d.insertParameterSets;
    this.aggregate = options.aggregate ?? d.aggregate;
    if (options.parameterSets) this.parameterSets.set(options.parameterSets);
  }

  setParameterSets(units: readonly Uint8Array[]): void {
    this.parameterSets.set(units);
  }

  /**
   * Begins an access unit; its NAL units are read, not copied, until `writeNext` returns 0.
   * `marker` false writes a part of a unit (no marker on its last packet).
   */
  start(nalus: readonly Uint8Array[], timestamp: number, marker = true, insertParameterSets = this.insert): void {
    const list = this.list;
    const ps = this.parameterSets;
    let n = 0;
    let irapSeen = false;
    let present = 0;
    for (const nal of nalus) {
      if (nal.length < 2) { this.stats.emptyNalUnits++; continue; }
      const type = h265NalType(nal[0]);
      if (isH265ParameterSet(type)) { present |= 1 << (type - H265NalType.Vps); ps.learn(nal); }
      else if (isIrap(type) && !irapSeen) {
        irapSeen = true;
        if (present !== 7 && insertParameterSets) {
          if (ps.complete) {
            for (const u of ps.list()) n = putAt(list, n, u);
            this.stats.parameterSetsInserted++;
          } else {
            this.stats.irapWithoutParameterSets++;
          }
        }
      }
      n = putAt(list, n, nal);
    }
    this.count = n;
    this.index = 0;
    this.offset = 0;
    this.timestamp = timestamp >>> 0;
    this.markLast = marker;
    this.stats.accessUnits++;
  }

  /** True while `writeNext` has packets left for the current access unit. */
  get pending(): boolean {
    return this.index < this.count;
  }

  /** Writes the next RTP packet into `out` (which must hold `mtu` bytes); its length, or 0 when the unit is done. */
  writeNext(out: Uint8Array): number {
    if (this.index >= this.count) return 0;
    if (out.length < this.mtu) throw new H265Error('H265_BUFFER_TOO_SMALL', `need ${this.mtu} bytes, buffer has ${out.length}`);
    const nal = this.list[this.index];
    const end = this.offset === 0 && nal.length <= this.maxPayload ? this.writeWhole(out) : this.writeFragment(out, nal);
    const done = this.index >= this.count;
    const seq = this.sequenceNumber;
    writeRtpFixedHeader(out, done && this.markLast, this.payloadType, seq, this.timestamp, this.ssrc);
    this.sequenceNumber = (seq + 1) & 0xffff;
    this.stats.packets++;
    this.stats.bytes += end;
    if (done) this.list.fill(EMPTY, 0, this.count);
    return end;
  }

  /** Convenience: the whole access unit as freshly allocated RTP packets. */
  packetize(nalus: readonly Uint8Array[], timestamp: number): Uint8Array[] {
    const scratch = new Uint8Array(this.mtu);
    const out: Uint8Array[] = [];
    this.start(nalus, timestamp);
    for (let n = this.writeNext(scratch); n > 0; n = this.writeNext(scratch)) out.push(scratch.slice(0, n));
    return out;
  }

  /** The unit at `index` fits: alone, or in an AP with the ones after it that fit too. */
  private writeWhole(out: Uint8Array): number {
    const list = this.list;
    const first = this.index;
    let size = 2 + 2 + list[first].length;
    let last = first;
    if (this.aggregate) {
      while (last + 1 < this.count && size + 2 + list[last + 1].length <= this.maxPayload) size += 2 + list[++last].length;
    }
    this.index = last + 1;
    if (last === first) {
      out.set(list[first], RTP_HEADER);
      this.stats.singleNalPackets++;
      return RTP_HEADER + list[first].length;
    }
    // F: any unit's; LayerId and TID: the lowest of the units' (RFC 7798 4.4.2)
    let f = 0;
    let layer = 63;
    let tid = 7;
    let o = RTP_HEADER + 2;
    for (let i = first; i <= last; i++) {
      const u = list[i];
      f |= u[0] & 0x80;
      layer = Math.min(layer, ((u[0] & 1) << 5) | (u[1] >> 3));
      tid = Math.min(tid, u[1] & 7);
      out[o] = u.length >> 8;
      out[o + 1] = u.length & 0xff;
      out.set(u, o + 2);
      o += 2 + u.length;
    }
    out[RTP_HEADER] = f | (H265NalType.Ap << 1) | (layer >> 5);
    out[RTP_HEADER + 1] = ((layer & 0x1f) << 3) | tid;
    this.stats.apPackets++;
    return o;
  }

  private writeFragment(out: Uint8Array, nal: Uint8Array): number {
    const startBit = this.offset === 0;
    if (startBit) this.offset = 2;
    const chunk = Math.min(this.maxPayload - FU_HEAD, nal.length - this.offset);
    const endBit = this.offset + chunk === nal.length;
    out[RTP_HEADER] = (nal[0] & 0x81) | (H265NalType.Fu << 1);
    out[RTP_HEADER + 1] = nal[1];
    out[RTP_HEADER + 2] = (startBit ? 0x80 : 0) | (endBit ? 0x40 : 0) | h265NalType(nal[0]);
    out.set(nal.subarray(this.offset, this.offset + chunk), RTP_HEADER + FU_HEAD);
    if (endBit) { this.index++; this.offset = 0; }
    else this.offset += chunk;
    this.stats.fuPackets++;
    return RTP_HEADER + FU_HEAD + chunk;
  }
}

const EMPTY = new Uint8Array(0);

function putAt(list: Uint8Array[], n: number, nal: Uint8Array): number {
  if (n < list.length) list[n] = nal;
  else list.push(nal);
  return n + 1;
}
