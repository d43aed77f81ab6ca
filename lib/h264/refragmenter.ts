/**
 * Cut-through re-packetization (RFC 6184, packetization-mode 1): each camera RTP payload becomes
 * egress packets of at most `mtu` bytes as soon as it arrives, instead of waiting for the whole
 * access unit. Complete NAL units (single NAL packets, STAP-A contents) go through the egress
 * packetizer (STAP-A, single, or FU-A when too big); FU-A fragments are passed on, cut again
 * when larger than the egress MTU (TCP-interleaved cameras send 10 KB+ packets). The tail of a
 * fragment too short to fill an egress piece waits for the NAL unit's next fragment (`carry`),
 * so a NAL unit takes as many egress packets as frame forwarding gives it: cutting each
 * 1400-byte camera packet on its own would make two egress packets of every one. The wait is
 * the gap to the camera's next packet of the same NAL unit, which a camera sends in one burst.
 *
 * Non-slice units (SPS, PPS, SEI, AUD) that open an access unit are held until its first slice
 * (one too big for a camera packet is reassembled from its FU-A pieces first), which arrives
 * in the same burst: only then is it known whether the unit is a keyframe, so
 * the unit's first egress packet can say so (a new viewer starts there) and an IDR that came
 * without SPS/PPS gets the known ones in front. The marker goes on the packet that carries the
 * camera's marker, once a slice has been sent (a camera that marks its SPS does not end the
 * unit early).
 *
 * Access-unit boundaries are timestamp changes. A camera that never sets the marker cannot be
 * cut through: the end of its unit is only known when the next one starts, and a browser
 * needs the marker to assemble the frame. So the refragmenter lags by one packet, holding each
 * packet until the next one says whether it ended its unit (`lagging`), until the camera has
 * marked the end of a unit; then it cuts through, and goes back to lagging if a unit ever ends
 * unmarked. For a camera without markers each frame's last packet waits for the next frame, as
 * it would in frame forwarding.
 *
 * Pull-style like the packetizer: `push(payload, timestamp, marker)`, then `writeNext(out)`
 * until it returns 0. The payload is read, not copied, until the next push has begun. Never
 * throws on bad input: it counts and drops.
 */
import { H264Error } from './errors.js';
import { findStartCode, isVcl, NalType, splitAnnexB } from './nal.js';
import { writeRtpFixedHeader } from '../rtp/packet.js';

/** What the refragmenter needs of the egress packetizer (H264Packetizer has it). */
export interface RefragmenterPacketizer {
  readonly mtu: number;
  sequenceNumber: number;
  ssrc: number;
  payloadType: number;
  readonly parameterSets: { readonly sps: Uint8Array | undefined; readonly pps: Uint8Array | undefined; readonly complete: boolean };
  start(nalus: readonly Uint8Array[], timestamp: number, marker?: boolean, insertParameterSets?: boolean): void;
  writeNext(out: Uint8Array): number;
}

export interface RefragmenterOptions {
  /**
   * Bytes of non-slice units held while waiting for a unit's first slice (default 1 MiB: the
   * Amatek AR-N3222F sends a whole keyframe unit as one FU-A typed SPS, all of it held).
   */
  maxHeldBytes?: number;
  /** Put the known SPS/PPS in front of an IDR that came without them (default true). */
  insertParameterSets?: boolean;
  /**
   * Fill each FU-A piece from the NAL unit's next fragment instead of sending a fragment's short
   * tail on its own (default true; off, every camera packet leaves with no wait).
   */
  coalesceFragments?: boolean;
}

export interface RefragmenterStats {
  packetsIn: number;
  packetsOut: number;
  units: number;
  keyframeUnits: number;
  /** Camera packets cut into more than one egress packet. */
  split: number;
  /** Non-slice units held for their unit's first slice, and those dropped for `maxHeldBytes`. */
  held: number;
  heldDropped: number;
  /** SPS/PPS put in front of an IDR that came without them. */
  parameterSetsInserted: number;
  /** STAP-B, MTAP, FU-B and reserved types: dropped. */
  unsupported: number;
  /** Empty payloads, STAP-A sizes past the end, FU-A without data: dropped. */
  malformed: number;
  /** FU-A middle or end fragments whose start was never seen: dropped. */
  orphanFragments: number;
  /** Units the camera did not mark: they ended by a timestamp change. */
  unitsWithoutMarker: number;
  /** Held units that were really Annex-B byte streams (start codes inside), split into their units. */
  annexBSplits: number;
  /** Fragment tails that waited for the NAL unit's next fragment, and those dropped when it never came. */
  carried: number;
  carryDropped: number;
}

const RTP_HEADER = 12;
const FU_HEADER = 2;
const DEFAULT_MAX_HELD_BYTES = 1 << 20;

export class H264Refragmenter {
  readonly stats: RefragmenterStats = {
    packetsIn: 0, packetsOut: 0, units: 0, keyframeUnits: 0, split: 0, held: 0, heldDropped: 0,
    parameterSetsInserted: 0, unsupported: 0, malformed: 0, orphanFragments: 0, unitsWithoutMarker: 0,
    annexBSplits: 0, carried: 0, carryDropped: 0,
  };
  /** Added to camera timestamps in the packets written (the Stream's timeline re-basing). */
  timestampShift = 0;
  /** About the packet `writeNext` wrote last: the first egress packet of its unit. */
  unitStart = false;
  /** About the packet `writeNext` wrote last: it ends its unit (marker set). */
  unitEnd = false;
  /** About the packet `writeNext` wrote last: its unit holds an IDR. */
  keyframe = false;
  /** Holding each packet until the next one (the camera has not shown that it marks unit ends). */
  lagging = true;

  private readonly maxHeld: number;
  private readonly insert: boolean;
  private readonly maxPayload: number;
  private inUnit = false;
  private unitTs = 0;
  private sliceSeen = false;
  /** The unit being taken in holds an IDR (known from its first slice on). */
  private unitKeyframe = false;
  private markerSent = false;
  private firstOfUnitPending = false;
  private nalOpen = false;
  private readonly held: Uint8Array[] = [];
  private heldBytes = 0;
  // a non-slice unit arriving in FU-A pieces before the first slice, reassembled to be held
  private assembling = false;
  private readonly assembled: Uint8Array[] = [];
  private assembledBytes = 0;
  /** Complete NAL units of the current push, for the packetizer. */
  private readonly list: Uint8Array[] = [];
  private pzPending = false;
  // FU-A fragment being cut: the camera payload, where the next piece starts in it, and its header fields
  private fuData: Uint8Array | undefined;
  private fuOffset = 0;
  private fuIndicator = 0;
  private fuType = 0;
  private fuStart = false;
  private fuEnd = false;
  private fuMarker = false;
  private fuTs = 0;
  // the tail of the NAL unit's last fragment, not yet sent: it opens the next piece
  private readonly coalesce: boolean;
  private readonly carry: Uint8Array;
  private carryLen = 0;
  private carryHasStart = false;
  /** The fragment in `fuData` starts the unit's first slice: its first piece goes with the held units. */
  private fuOpensUnit = false;
  private packetsThisPush = 0;
  // lagging: the previous push's packets, written out once the next push says how its unit ended
  private lagBuf = new Uint8Array(0);
  private readonly lagEnds: number[] = [];
  private lagCount = 0;
  private lagIndex = 0;
  private lagUnitStart = -1;
  private readonly lagKeyframes: boolean[] = [];
  private lagMarkLast = false;
  private lagEndsUnit = false;

  constructor(private readonly pz: RefragmenterPacketizer, options: RefragmenterOptions = {}) {
    this.maxHeld = options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES;
    if (!(this.maxHeld >= 0)) throw new H264Error('H264_BAD_OPTION', `maxHeldBytes ${this.maxHeld} must be >= 0`);
    this.maxPayload = pz.mtu - RTP_HEADER;
    this.insert = options.insertParameterSets ?? true;
    this.coalesce = options.coalesceFragments ?? true;
    this.carry = new Uint8Array(Math.max(0, this.maxPayload));
  }

  /** True when a packet with this camera timestamp begins a new access unit. */
  beginsUnit(timestamp: number): boolean {
    return !this.inUnit || (timestamp >>> 0) !== this.unitTs;
  }

  /**
   * Takes one camera payload (in sequence order). What it yields is written by `writeNext`;
   * whatever an earlier push left unwritten is discarded.
   */
  push(payload: Uint8Array, timestamp: number, marker: boolean): void {
    this.stats.packetsIn++;
    this.resetOutput();
    const ts = timestamp >>> 0;
    const newUnit = this.beginsUnit(ts);
    if (this.lagging) this.lagEndsUnit = newUnit;
    if (newUnit) this.startUnit(ts);
    if (payload.length === 0) {
      this.stats.malformed++;
      return;
    }
    const type = payload[0] & 0x1f;
    if (type !== NalType.FuA && this.carryLen > 0) {
      // A camera that broke into its fragmented NAL unit: the rest of it would miss the carried bytes.
      this.dropCarry();
      this.nalOpen = false;
    }
    if (type === NalType.FuA) this.takeFuA(payload, marker);
    else if (type === NalType.StapA) this.takeStapA(payload, marker);
    else if (type === NalType.Unspecified) this.takeAnnexB(payload, marker);
    else if (type <= 23) this.takeComplete(payload, marker);
    else this.stats.unsupported++;
    // The camera marks the ends of its units: from here on packets go out as they come.
    if (this.lagging && marker && this.sliceSeen) this.lagging = false;
  }

  /** Drops the unit in progress (a packet of it was lost): nothing more of it is written. */
  abort(): void {
    if (this.lagIndex < this.lagCount) {
      // Staged packets took sequence numbers; they will never be written, so give them back.
      const from = this.lagIndex === 0 ? 0 : this.lagEnds[this.lagIndex - 1];
      this.pz.sequenceNumber = (this.lagBuf[from + 2] << 8) | this.lagBuf[from + 3];
    }
    this.lagCount = this.lagIndex = 0;
    this.pzPending = false;
    this.fuData = undefined;
    this.packetsThisPush = 0;
    this.carryLen = 0;
    this.inUnit = false;
    this.nalOpen = false;
    this.assembling = false;
    this.sliceSeen = false;
    this.clearHeld();
  }

  /** End of the stream: a lagging refragmenter's last packets can go, their unit ended. */
  flush(): void {
    if (!this.lagging) return;
    this.resetOutput();
    this.lagEndsUnit = true;
  }

  /** Writes the next egress packet into `out` (at least `mtu` bytes); 0 when this push is done. */
  writeNext(out: Uint8Array): number {
    if (this.lagIndex < this.lagCount) return this.writeLagged(out);
    if (this.lagging) return 0;
    const n = this.writeFresh(out);
    if (n > 0) this.stats.packetsOut++;
    return n;
  }

  private writeFresh(out: Uint8Array): number {
    let n = 0;
    if (this.pzPending) {
      n = this.pz.writeNext(out);
      if (n === 0) this.pzPending = false;
    }
    if (n === 0 && this.fuData) n = this.writeFuPiece(out);
    if (n === 0) {
      if (this.packetsThisPush > 1) this.stats.split++;
      return 0;
    }
    this.packetsThisPush++;
    this.unitStart = this.firstOfUnitPending;
    this.firstOfUnitPending = false;
    this.keyframe = this.unitKeyframe;
    this.unitEnd = (out[1] & 0x80) !== 0;
    if (this.unitEnd) this.markerSent = true;
    return n;
  }

  private startUnit(ts: number): void {
    if (this.inUnit && this.sliceSeen && !this.markerSent) {
      this.stats.unitsWithoutMarker++;
      if (!this.lagging) {
        // The unit just ended went out unmarked: from now on, hold each packet for one push.
        this.lagging = true;
        this.lagEndsUnit = true;
      }
    }
    // Units before the first slice (parameter sets with their own timestamp) stay held.
    if (this.sliceSeen) this.clearHeld();
    this.dropCarry(); // the last unit's last NAL unit never got its end fragment
    this.inUnit = true;
    this.unitTs = ts;
    this.sliceSeen = false;
    this.markerSent = false;
    this.unitKeyframe = false;
    this.nalOpen = false;
    this.assembling = false;
    this.firstOfUnitPending = true;
    this.stats.units++;
  }

  private egressTs(): number {
    return (this.unitTs + this.timestampShift) >>> 0;
  }

  private takeComplete(nal: Uint8Array, marker: boolean): void {
    if (!isVcl(nal[0] & 0x1f) && findStartCode(nal, 0) >= 0) {
      // SPS+PPS+IDR behind start codes in one single-NAL packet (gortsplib#199's cameras)
      this.stats.annexBSplits++;
      return this.takeAnnexB(nal, marker);
    }
    const insert = this.addComplete(nal);
    this.flushList(marker, insert);
  }

  private takeAnnexB(payload: Uint8Array, marker: boolean): void {
    // Several cameras put a whole Annex-B stream into one single-NAL packet.
    const units = splitAnnexB(payload);
    if (units.length === 0) {
      this.stats.malformed++;
      return;
    }
    let insert = false;
    for (const u of units) if (u.length > 0 && (u[0] & 0x1f) !== NalType.Unspecified) insert = this.addComplete(u) || insert;
    this.flushList(marker, insert);
  }

  private takeStapA(payload: Uint8Array, marker: boolean): void {
    // Check every size first: a STAP-A that does not parse is dropped whole.
    let i = 1;
    let count = 0;
    while (i + 2 <= payload.length) {
      const size = (payload[i] << 8) | payload[i + 1];
      if (size === 0) break; // zero padding at the end (seen from cameras)
      if (i + 2 + size > payload.length) {
        this.stats.malformed++;
        return;
      }
      i += 2 + size;
      count++;
    }
    if (count === 0) {
      this.stats.malformed++;
      return;
    }
    let insert = false;
    i = 1;
    for (let k = 0; k < count; k++) {
      const size = (payload[i] << 8) | payload[i + 1];
      insert = this.addComplete(payload.subarray(i + 2, i + 2 + size)) || insert;
      i += 2 + size;
    }
    this.flushList(marker, insert);
  }

  /** Queues a complete unit; true when it is the unit's first slice (parameter sets may go in front). */
  private addComplete(nal: Uint8Array): boolean {
    const type = nal[0] & 0x1f;
    if (!this.sliceSeen) {
      if (!isVcl(type)) {
        this.hold(nal);
        return false;
      }
      this.firstSlice(type);
      for (const h of this.held) this.list.push(h);
      this.list.push(nal);
      return true;
    }
    this.list.push(nal);
    return false;
  }

  private flushList(marker: boolean, firstSlice: boolean): void {
    if (this.list.length === 0) return;
    const insert = firstSlice && this.insert;
    if (insert && this.unitKeyframe && !this.heldHasParameterSets() && this.pz.parameterSets.complete) this.stats.parameterSetsInserted++;
    this.pz.start(this.list, this.egressTs(), marker && this.sliceSeen, insert);
    this.pzPending = true;
    this.list.length = 0;
    if (firstSlice) this.clearHeld();
  }

  private takeFuA(payload: Uint8Array, marker: boolean): void {
    if (payload.length < 3) {
      this.stats.malformed++;
      return;
    }
    const fu = payload[1];
    const start = (fu & 0x80) !== 0;
    const end = (fu & 0x40) !== 0;
    const type = fu & 0x1f;
    if (!this.sliceSeen && (start ? !isVcl(type) : this.assembling)) {
      this.holdFragment(payload, start, end, marker);
      return;
    }
    this.fuOpensUnit = false;
    if (start) {
      this.nalOpen = true;
      if (!this.sliceSeen) {
        this.fuOpensUnit = true;
        // The held units, and the parameter sets an IDR lacks, go first.
        this.firstSlice(type);
        const ps = this.pz.parameterSets;
        if (this.insert && this.unitKeyframe && !this.heldHasParameterSets() && ps.sps && ps.pps) {
          this.list.push(ps.sps, ps.pps);
          this.stats.parameterSetsInserted++;
        }
        for (const h of this.held) this.list.push(h);
        if (this.list.length > 0) {
          this.pz.start(this.list, this.egressTs(), false, false);
          this.pzPending = true;
          this.list.length = 0;
        }
        this.clearHeld();
      }
    } else if (!this.nalOpen) {
      this.stats.orphanFragments++;
      return;
    }
    if (start) this.dropCarry(); // a NAL unit that never got its end fragment
    if (end) this.nalOpen = false;
    this.fuData = payload;
    this.fuOffset = FU_HEADER;
    this.fuIndicator = payload[0] & 0xe0;
    this.fuType = type;
    this.fuStart = start;
    this.fuEnd = end;
    this.fuMarker = marker && this.sliceSeen;
    this.fuTs = this.egressTs();
  }

  private writeFuPiece(out: Uint8Array): number {
    const data = this.fuData!;
    if (out.length < this.pz.mtu) throw new H264Error('H264_BUFFER_TOO_SMALL', `need ${this.pz.mtu} bytes, buffer has ${out.length}`);
    const room = this.maxPayload - FU_HEADER;
    const carried = this.carryLen;
    const left = data.length - this.fuOffset;
    const opensUnit = this.fuOpensUnit && this.fuOffset === FU_HEADER;
    if (!this.fuEnd && !this.fuMarker && !opensUnit && this.coalesce && carried + left < room) {
      // Too short for a full piece and more of this NAL unit follows: it opens the next piece.
      // Not the unit's first: a unit whose held parameter sets went out alone, then was
      // abandoned, would look to a lenient receiver like parameter sets for the next unit.
      if (carried === 0) this.carryHasStart = this.fuOffset === FU_HEADER && this.fuStart;
      this.carry.set(data.subarray(this.fuOffset), carried);
      this.carryLen = carried + left;
      this.stats.carried++;
      this.fuData = undefined;
      return 0;
    }
    const chunk = Math.min(room - carried, left);
    const startBit = carried > 0 ? this.carryHasStart : this.fuOffset === FU_HEADER && this.fuStart;
    const last = this.fuOffset + chunk >= data.length;
    const endBit = last && this.fuEnd;
    let n: number;
    if (startBit && endBit) {
      // The whole NAL unit fits one packet, and a FU-A must not carry both start and end (RFC 6184 5.8).
      out[RTP_HEADER] = this.fuIndicator | this.fuType;
      n = RTP_HEADER + 1;
    } else {
      out[RTP_HEADER] = this.fuIndicator | NalType.FuA;
      out[RTP_HEADER + 1] = (startBit ? 0x80 : 0) | (endBit ? 0x40 : 0) | this.fuType;
      n = RTP_HEADER + FU_HEADER;
    }
    if (carried > 0) {
      out.set(this.carry.subarray(0, carried), n);
      n += carried;
      this.carryLen = 0;
    }
    out.set(data.subarray(this.fuOffset, this.fuOffset + chunk), n);
    n += chunk;
    this.fuOffset += chunk;
    if (last) this.fuData = undefined;
    const pz = this.pz;
    writeRtpFixedHeader(out, last && this.fuMarker, pz.payloadType, pz.sequenceNumber, this.fuTs, pz.ssrc);
    pz.sequenceNumber = (pz.sequenceNumber + 1) & 0xffff;
    return n;
  }

  private dropCarry(): void {
    if (this.carryLen === 0) return;
    this.carryLen = 0;
    this.stats.carryDropped++;
  }

  /** A non-slice unit before the unit's first slice, in FU-A pieces: reassembled, then held whole. */
  private holdFragment(payload: Uint8Array, start: boolean, end: boolean, marker: boolean): void {
    const data = payload.subarray(FU_HEADER);
    if (start) {
      this.assembling = true;
      this.assembled.length = 0;
      this.assembledBytes = 1;
      this.assembled.push(Uint8Array.of((payload[0] & 0xe0) | (payload[1] & 0x1f)));
    }
    if (this.heldBytes + this.assembledBytes + data.length > this.maxHeld) {
      this.stats.heldDropped++;
      this.assembling = false;
      return;
    }
    this.assembled.push(data.slice());
    this.assembledBytes += data.length;
    if (!end) return;
    this.assembling = false;
    const nal = new Uint8Array(this.assembledBytes);
    let o = 0;
    for (const piece of this.assembled) {
      nal.set(piece, o);
      o += piece.length;
    }
    this.assembled.length = 0;
    if (findStartCode(nal, 0) < 0) return this.hold(nal);
    // A whole unit as one "NAL unit" with start codes inside (Amatek AR-N3222F): a valid NAL
    // unit cannot contain 00 00 01 (emulation prevention), so these are its units.
    this.stats.annexBSplits++;
    this.takeAnnexB(nal, marker);
  }

  private firstSlice(type: number): void {
    this.sliceSeen = true;
    this.unitKeyframe = type === NalType.Idr;
    if (this.unitKeyframe) this.stats.keyframeUnits++;
  }

  private hold(nal: Uint8Array): void {
    if (this.heldBytes + nal.length > this.maxHeld) {
      this.stats.heldDropped++;
      return;
    }
    this.held.push(nal.slice());
    this.heldBytes += nal.length;
    this.stats.held++;
  }

  private heldHasParameterSets(): boolean {
    let sps = false;
    let pps = false;
    for (const h of this.held) {
      const t = h[0] & 0x1f;
      if (t === NalType.Sps) sps = true;
      else if (t === NalType.Pps) pps = true;
    }
    return sps && pps;
  }

  /** Forgets the held units (handed to the packetizer, which reads them until done, or dropped). */
  private clearHeld(): void {
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private resetOutput(): void {
    if (this.lagging) this.stageLag();
    this.pzPending = false;
    this.fuData = undefined;
    this.packetsThisPush = 0;
  }

  /**
   * Lagging: before a push, whatever the previous push produced is copied aside (marker left
   * for later), to be written ahead of this push's packets once it is known whether this push
   * began a new unit.
   */
  private stageLag(): void {
    const mtu = this.pz.mtu;
    this.lagCount = this.lagIndex = 0;
    this.lagUnitStart = -1;
    let pos = 0;
    for (;;) {
      if (this.lagBuf.length < pos + mtu) {
        const bigger = new Uint8Array(Math.max(pos + mtu, this.lagBuf.length * 2));
        bigger.set(this.lagBuf.subarray(0, pos));
        this.lagBuf = bigger;
      }
      const n = this.writeFresh(this.lagBuf.subarray(pos, pos + mtu));
      if (n === 0) break;
      if (this.unitStart) this.lagUnitStart = this.lagCount;
      this.lagKeyframes[this.lagCount] = this.keyframe;
      pos += n;
      this.lagEnds[this.lagCount++] = pos;
    }
    this.lagMarkLast = this.sliceSeen;
  }

  private writeLagged(out: Uint8Array): number {
    const i = this.lagIndex++;
    const from = i === 0 ? 0 : this.lagEnds[i - 1];
    const n = this.lagEnds[i] - from;
    out.set(this.lagBuf.subarray(from, from + n));
    const ends = i === this.lagCount - 1 && this.lagEndsUnit && this.lagMarkLast;
    if (ends) out[1] |= 0x80;
    this.unitStart = i === this.lagUnitStart;
    this.unitEnd = (out[1] & 0x80) !== 0;
    this.keyframe = this.lagKeyframes[i];
    this.stats.packetsOut++;
    return n;
  }
}
