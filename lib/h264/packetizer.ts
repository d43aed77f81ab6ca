/**
 * RFC 6184 packetizer (packetization-mode 1): access unit -> RTP packets of at most `mtu` bytes.
 * Small NAL units that fit together (SPS + PPS, small slices) share a STAP-A, a unit too big for
 * one packet is cut into FU-A fragments, a unit that fits alone goes as a single NAL unit packet;
 * the marker is set on the last packet of the access unit. An IDR without SPS/PPS in front of it
 * gets the last known ones (from the SDP or seen in-band) inserted.
 *
 * Writing is pull-style and allocation-free: `start(nalus, timestamp)` then `writeNext(out)`
 * until it returns 0, each call writing one whole RTP packet (12-byte header + payload) into the
 * caller's buffer, e.g. a slot of the retransmission history.
 */
import { H264Error } from './errors.js';
import { NalType } from './nal.js';
import { ParameterSets } from './parameter-sets.js';
import { writeRtpFixedHeader } from '../rtp/packet.js';

export interface PacketizerOptions {
  /** Largest RTP packet written, header included. Default 1200 (WebRTC-safe). */
  mtu?: number;
  payloadType?: number;
  ssrc?: number;
  /** First sequence number used. Default 0. */
  sequenceNumber?: number;
  /** Out-of-band SPS/PPS (e.g. the camera's sprop-parameter-sets). */
  parameterSets?: readonly Uint8Array[];
  /** Insert the known SPS/PPS before an IDR that lacks them. Default true. */
  insertParameterSets?: boolean;
  /** Aggregate small NAL units into STAP-A packets. Default true. */
  aggregate?: boolean;
}

export interface PacketizerStats {
  accessUnits: number;
  packets: number;
  /** Bytes written, RTP headers included. */
  bytes: number;
  singleNalPackets: number;
  stapAPackets: number;
  fuAPackets: number;
  parameterSetsInserted: number;
  /** IDR access units sent without SPS/PPS because none were known yet. */
  idrWithoutParameterSets: number;
  /** Zero-length NAL units skipped. */
  emptyNalUnits: number;
}

/** Out-of-band parameter sets have no default. */
export const PACKETIZER_DEFAULTS = Object.freeze({
  mtu: 1200,
  payloadType: 96,
  ssrc: 0,
  sequenceNumber: 0,
  insertParameterSets: true,
  aggregate: true,
} as const satisfies Required<Omit<PacketizerOptions, 'parameterSets'>>);

/** The egress MTU (WebRTC-safe), under the name the gateway's wiring imports. */
export const DEFAULT_MTU: number = PACKETIZER_DEFAULTS.mtu;
const RTP_HEADER = 12;

export class H264Packetizer {
  readonly stats: PacketizerStats = {
    accessUnits: 0, packets: 0, bytes: 0, singleNalPackets: 0, stapAPackets: 0, fuAPackets: 0,
    parameterSetsInserted: 0, idrWithoutParameterSets: 0, emptyNalUnits: 0,
  };
  readonly parameterSets = new ParameterSets();
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

  constructor(options: PacketizerOptions = {}) {
    this.mtu = options.mtu ?? PACKETIZER_DEFAULTS.mtu;
    if (!Number.isInteger(this.mtu) || this.mtu < RTP_HEADER + 3) {
      throw new H264Error('H264_BAD_OPTION', `mtu ${this.mtu} leaves no room for an FU-A fragment`);
    }
    this.maxPayload = this.mtu - RTP_HEADER;
    this.payloadType = options.payloadType ?? PACKETIZER_DEFAULTS.payloadType;
    this.ssrc = options.ssrc ?? PACKETIZER_DEFAULTS.ssrc;
    this.sequenceNumber = (options.sequenceNumber ?? PACKETIZER_DEFAULTS.sequenceNumber) & 0xffff;
    this.insert = options.insertParameterSets ?? PACKETIZER_DEFAULTS.insertParameterSets;
    this.aggregate = options.aggregate ?? PACKETIZER_DEFAULTS.aggregate;
    if (options.parameterSets) this.parameterSets.set(options.parameterSets);
  }

  setParameterSets(units: readonly Uint8Array[]): void {
    this.parameterSets.set(units);
  }

  /**
   * Begins an access unit. The NAL units are read (not copied) while its packets are written,
   * so they must stay unchanged until `writeNext` returns 0. A caller writing a unit in parts
   * (the refragmenter) says whether this part ends it (`marker`) and may take parameter-set
   * insertion into its own hands.
   */
  start(nalus: readonly Uint8Array[], timestamp: number, marker = true, insertParameterSets = this.insert): void {
    const list = this.list;
    let n = 0;
    let idr = -1;
    let hasSps = false;
    let hasPps = false;
    const ps = this.parameterSets;
    for (let i = 0; i < nalus.length; i++) {
      const nal = nalus[i];
      if (nal.length === 0) { this.stats.emptyNalUnits++; continue; }
      const type = nal[0] & 0x1f;
      if (type === NalType.Sps) { hasSps = true; ps.learn(nal); }
      else if (type === NalType.Pps) { hasPps = true; ps.learn(nal); }
      else if (type === NalType.Idr && idr < 0) {
        const pair = !(hasSps && hasPps) && insertParameterSets ? ps.forSlice(nal, 1) : undefined;
        if (!(hasSps && hasPps) && insertParameterSets) {
          if (pair) {
            n = putAt(list, n, pair.sps);
            n = putAt(list, n, pair.pps);
            hasSps = hasPps = true;
            this.stats.parameterSetsInserted++;
          } else {
            this.stats.idrWithoutParameterSets++;
          }
        }
        idr = n;
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

  /**
   * Writes the next RTP packet of the access unit into `out` (from offset 0) and returns its
   * length, or 0 when the access unit is done. `out` must hold `mtu` bytes.
   */
  writeNext(out: Uint8Array): number {
    if (this.index >= this.count) return 0;
    if (out.length < this.mtu) throw new H264Error('H264_BUFFER_TOO_SMALL', `need ${this.mtu} bytes, buffer has ${out.length}`);
    const list = this.list;
    const max = this.maxPayload;
    const nal = list[this.index];
    let end: number;
    if (this.offset === 0 && nal.length <= max) {
      // how many following units fit into one STAP-A with this one
      let size = 1 + 2 + nal.length;
      let last = this.index;
      if (this.aggregate) {
        while (last + 1 < this.count && size + 2 + list[last + 1].length <= max) {
          last++;
          size += 2 + list[last].length;
        }
      }
      if (last === this.index) {
        out.set(nal, RTP_HEADER);
        end = RTP_HEADER + nal.length;
        this.stats.singleNalPackets++;
      } else {
        let f = 0;
        let nri = 0;
        let o = RTP_HEADER + 1;
        for (let i = this.index; i <= last; i++) {
          const u = list[i];
          f |= u[0] & 0x80;
          if ((u[0] & 0x60) > nri) nri = u[0] & 0x60;
          out[o] = u.length >> 8;
          out[o + 1] = u.length & 0xff;
          out.set(u, o + 2);
          o += 2 + u.length;
        }
        out[RTP_HEADER] = f | nri | NalType.StapA;
        end = o;
        this.index = last;
        this.stats.stapAPackets++;
      }
      this.index++;
    } else {
      const startBit = this.offset === 0;
      if (startBit) this.offset = 1;
      const chunk = Math.min(max - 2, nal.length - this.offset);
      const endBit = this.offset + chunk === nal.length;
      out[RTP_HEADER] = (nal[0] & 0xe0) | NalType.FuA;
      out[RTP_HEADER + 1] = (startBit ? 0x80 : 0) | (endBit ? 0x40 : 0) | (nal[0] & 0x1f);
      out.set(nal.subarray(this.offset, this.offset + chunk), RTP_HEADER + 2);
      end = RTP_HEADER + 2 + chunk;
      if (endBit) { this.index++; this.offset = 0; }
      else this.offset += chunk;
      this.stats.fuAPackets++;
    }
    const done = this.index >= this.count;
    const marker = done && this.markLast;
    const seq = this.sequenceNumber;
    writeRtpFixedHeader(out, marker, this.payloadType, seq, this.timestamp, this.ssrc);
    this.sequenceNumber = (seq + 1) & 0xffff;
    this.stats.packets++;
    this.stats.bytes += end;
    if (done) this.releaseUnits();
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

  /** Drops references to the caller's NAL units once the access unit is written. */
  private releaseUnits(): void {
    this.list.fill(EMPTY, 0, this.count);
  }
}

const EMPTY = new Uint8Array(0);

function putAt(list: Uint8Array[], n: number, nal: Uint8Array): number {
  if (n < list.length) list[n] = nal;
  else list.push(nal);
  return n + 1;
}
