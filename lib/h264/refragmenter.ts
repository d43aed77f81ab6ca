/**
 * Cut-through re-packetization (RFC 6184, packetization-mode 1): each camera RTP payload becomes
 * egress packets of at most `mtu` bytes as soon as it arrives, instead of waiting for the whole
 * access unit. Complete NAL units (single NAL packets, STAP-A contents) go through the egress
 * packetizer (STAP-A, single, or FU-A when too big); FU-A fragments are passed on, cut again
 * when larger than the egress MTU, their short tails carried into the next piece (fu-a-cutter.ts).
 *
 * Non-slice units (SPS, PPS, SEI, AUD) that open an access unit are held until its first slice
 * (held-units.ts), which arrives in the same burst: only then is it known whether the unit is a
 * keyframe, so the unit's first egress packet can say so (a new viewer starts there) and an IDR
 * that came without SPS/PPS gets the known ones in front. The marker goes on the packet that
 * carries the camera's marker, once a slice has been sent (a camera that marks its SPS does not
 * end the unit early).
 *
 * Access-unit boundaries are timestamp changes. A camera that never sets the marker cannot be
 * cut through: the end of its unit is only known when the next one starts, and a browser
 * needs the marker to assemble the frame. So the refragmenter lags by one packet (unit-lag.ts),
 * holding each packet until the next one says whether it ended its unit (`lagging`), until the
 * camera has marked the end of a unit; then it cuts through, and goes back to lagging if a unit
 * ever ends unmarked. For a camera without markers each frame's last packet waits for the next
 * frame, as it would in frame forwarding.
 *
 * Pull-style like the packetizer: `push(payload, timestamp, marker)`, then `writeNext(out)`
 * until it returns 0. The payload is read, not copied, until the next push has begun. The
 * sequence numbers in what it writes mean nothing (the packetizer's own, or 0): whoever sends
 * the packets numbers them as they go (the gateway's egress timeline), so a packet staged and
 * then abandoned never costs a number. Never throws on bad input: it counts and drops.
 */
import { H264Error } from './errors.js';
import { findStartCode, isVcl, NalType, splitAnnexB } from './nal.js';
import type { ParameterSets } from './parameter-sets.js';
import { FuACutter } from './fu-a-cutter.js';
import { HeldUnits } from './held-units.js';
import { UnitLag } from './unit-lag.js';
import { emptyRefragmenterStats, type RefragmenterStats } from './refragmenter-stats.js';

export type { RefragmenterStats } from './refragmenter-stats.js';

/** What the refragmenter needs of the egress packetizer (H264Packetizer has it). */
export interface RefragmenterPacketizer {
  readonly mtu: number;
  ssrc: number;
  payloadType: number;
  readonly parameterSets: Pick<ParameterSets, 'sps' | 'pps' | 'complete' | 'forSlice'>;
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

export const REFRAGMENTER_DEFAULTS = Object.freeze({
  maxHeldBytes: 1 << 20,
  insertParameterSets: true,
  coalesceFragments: true,
} as const satisfies Required<RefragmenterOptions>);

export class H264Refragmenter {
  readonly stats: RefragmenterStats = emptyRefragmenterStats();
  /** Added to camera timestamps in the packets written (the egress timeline's re-basing). */
  timestampShift = 0;
  /** About the packet `writeNext` wrote last: the first egress packet of its unit. */
  unitStart = false;
  /** About the packet `writeNext` wrote last: it ends its unit (marker set). */
  unitEnd = false;
  /** About the packet `writeNext` wrote last: its unit holds an IDR. */
  keyframe = false;
  /** Holding each packet until the next one (the camera has not shown that it marks unit ends). */
  lagging = true;

  private readonly insert: boolean;
  private readonly held: HeldUnits;
  private readonly fu: FuACutter;
  private readonly lag = new UnitLag();
  private inUnit = false;
  private unitTs = 0;
  private sliceSeen = false;
  /** The unit being taken in holds an IDR (known from its first slice on). */
  private unitKeyframe = false;
  private markerSent = false;
  private firstOfUnitPending = false;
  /** A fragmented NAL unit has begun and not ended: its next fragments are not orphans. */
  private nalOpen = false;
  /** Complete NAL units of the current push, for the packetizer. */
  private readonly list: Uint8Array[] = [];
  private pzPending = false;
  private packetsThisPush = 0;

  constructor(private readonly pz: RefragmenterPacketizer, options: RefragmenterOptions = {}) {
    const maxHeld = options.maxHeldBytes ?? REFRAGMENTER_DEFAULTS.maxHeldBytes;
    if (!(maxHeld >= 0)) throw new H264Error('H264_BAD_OPTION', `maxHeldBytes ${maxHeld} must be >= 0`);
    this.insert = options.insertParameterSets ?? REFRAGMENTER_DEFAULTS.insertParameterSets;
    this.held = new HeldUnits(maxHeld, this.stats);
    this.fu = new FuACutter(pz, options.coalesceFragments ?? REFRAGMENTER_DEFAULTS.coalesceFragments, this.stats);
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
    if (this.lagging) this.lag.endsUnit = newUnit;
    if (newUnit) this.startUnit(ts);
    if (payload.length === 0) {
      this.stats.malformed++;
      return;
    }
    const type = payload[0] & 0x1f;
    if (type !== NalType.FuA && this.fu.carrying) {
      // A camera that broke into its fragmented NAL unit: the rest of it would miss the carried bytes.
      this.fu.dropCarry();
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
    this.lag.clear();
    this.pzPending = false;
    this.fu.abort();
    this.packetsThisPush = 0;
    this.inUnit = false;
    this.nalOpen = false;
    this.held.stopAssembling();
    this.sliceSeen = false;
    this.held.clear();
  }

  /** End of the stream: a lagging refragmenter's last packets can go, their unit ended. */
  flush(): void {
    if (!this.lagging) return;
    this.resetOutput();
    this.lag.endsUnit = true;
  }

  /** Writes the next egress packet into `out` (at least `mtu` bytes); 0 when this push is done. */
  writeNext(out: Uint8Array): number {
    if (this.lag.pending) return this.writeLagged(out);
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
    if (n === 0) n = this.fu.writeNext(out);
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

  private writeLagged(out: Uint8Array): number {
    const lag = this.lag;
    const n = lag.writeNext(out);
    this.unitStart = lag.unitStart;
    this.keyframe = lag.keyframe;
    this.unitEnd = (out[1] & 0x80) !== 0;
    this.stats.packetsOut++;
    return n;
  }

  private startUnit(ts: number): void {
    if (this.inUnit && this.sliceSeen && !this.markerSent) {
      this.stats.unitsWithoutMarker++;
      if (!this.lagging) {
        // The unit just ended went out unmarked: from now on, hold each packet for one push.
        this.lagging = true;
        this.lag.endsUnit = true;
      }
    }
    // Units before the first slice (parameter sets with their own timestamp) stay held.
    if (this.sliceSeen) this.held.clear();
    this.fu.dropCarry(); // the last unit's last NAL unit never got its end fragment
    this.inUnit = true;
    this.unitTs = ts;
    this.sliceSeen = false;
    this.markerSent = false;
    this.unitKeyframe = false;
    this.nalOpen = false;
    this.held.stopAssembling();
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
        this.held.hold(nal);
        return false;
      }
      this.firstSlice(type);
      for (const h of this.held.units) this.list.push(h);
      this.list.push(nal);
      return true;
    }
    this.list.push(nal);
    return false;
  }

  private flushList(marker: boolean, firstSlice: boolean): void {
    if (this.list.length === 0) return;
    const insert = firstSlice && this.insert;
    if (insert && this.unitKeyframe && !this.held.hasParameterSets() && this.pz.parameterSets.complete) this.stats.parameterSetsInserted++;
    this.pz.start(this.list, this.egressTs(), marker && this.sliceSeen, insert);
    this.pzPending = true;
    this.list.length = 0;
    if (firstSlice) this.held.clear();
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
    if (!this.sliceSeen && (start ? !isVcl(type) : this.held.assembling)) {
      const nal = this.held.fragment(payload, start, end);
      if (nal) this.takeAssembled(nal, marker);
      return;
    }
    let opensUnit = false;
    if (start) {
      this.nalOpen = true;
      if (!this.sliceSeen) {
        opensUnit = true;
        this.openUnitBeforeFragment(type, payload);
      }
    } else if (!this.nalOpen) {
      this.stats.orphanFragments++;
      return;
    }
    if (end) this.nalOpen = false;
    this.fu.take(payload, marker && this.sliceSeen, this.egressTs(), opensUnit);
  }

  /** The unit's first slice comes fragmented: the held units, and the parameter sets an IDR lacks, go first. */
  private openUnitBeforeFragment(type: number, payload: Uint8Array): void {
    this.firstSlice(type);
    const pair = this.insert && this.unitKeyframe && !this.held.hasParameterSets() ? this.pz.parameterSets.forSlice(payload, 2) : undefined;
    if (pair) {
      this.list.push(pair.sps, pair.pps);
      this.stats.parameterSetsInserted++;
    }
    for (const h of this.held.units) this.list.push(h);
    if (this.list.length > 0) {
      this.pz.start(this.list, this.egressTs(), false, false);
      this.pzPending = true;
      this.list.length = 0;
    }
    this.held.clear();
  }

  /** A reassembled non-slice unit: held, unless it is a whole unit with start codes inside. */
  private takeAssembled(nal: Uint8Array, marker: boolean): void {
    if (findStartCode(nal, 0) < 0) return this.held.hold(nal);
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

  private resetOutput(): void {
    if (this.lagging) this.stageLag();
    this.pzPending = false;
    this.fu.discard();
    this.packetsThisPush = 0;
  }

  /** Lagging: what the previous push produced is staged, to go out once this push says how its unit ended. */
  private stageLag(): void {
    const lag = this.lag;
    const mtu = this.pz.mtu;
    lag.clear();
    for (let n = this.writeFresh(lag.slot(mtu)); n > 0; n = this.writeFresh(lag.slot(mtu))) lag.add(n, this.unitStart, this.keyframe);
    lag.markLast = this.sliceSeen;
  }
}
