/**
 * RFC 7798 depacketizer: RTP payloads (single NAL unit, AP, FU) in sequence order -> access
 * units, the same AccessUnit shape as lib/h264's. Never throws on network input: anything
 * malformed is a counted drop, and the access unit it belonged to is reported incomplete.
 *
 * Access-unit boundary: the marker bit once the unit holds a slice, or a timestamp change;
 * parameter sets sent with another timestamp than the picture after them are carried into it.
 * DONL/DOND fields are present only when the SDP says sprop-max-don-diff > 0 (`donl`). They are
 * read and checked, not used to reorder: a NAL unit whose DON goes backwards (an interleaving
 * sender) makes its unit incomplete, so the gateway drops it and asks for a keyframe.
 *
 * Bytes are copied into one scratch buffer per stream; each emitted access unit gets one fresh
 * buffer (or, with `transientUnits`, views of the scratch valid during the callback).
 */
import type { RtpPacket } from '../rtp/packet.js';
import { seqGreaterThan } from '../rtp/seq.js';
import { SequenceTracker } from '../rtp/sequence-tracker.js';
import type { AccessUnit } from '../h264/access-unit.js';
import { H265NalType, h265NalType, isH265ParameterSet, isH265Vcl, isIrap } from './nal.js';
import { H265ParameterSets } from './parameter-sets.js';
import { emptyH265DepacketizerStats, type H265DepacketizerStats } from './depacketizer-stats.js';
import { looksLikeH265UnitStart } from './unit-start.js';

export interface H265DepacketizerOptions {
  /** Largest access unit kept, in NAL bytes; a larger one is dropped and counted. Default 8 MiB. */
  maxAccessUnitSize?: number;
  /** Hand out units as views of the assembly buffer, valid only until `onAccessUnit` returns. Default false. */
  transientUnits?: boolean;
  /** VPS/SPS/PPS known out of band (sprop-vps/sps/pps); Annex-B prefixes are tolerated. */
  parameterSets?: readonly Uint8Array[];
  /** Insert the known VPS/SPS/PPS before the IRAP slice of a unit that lacks them. Default false. */
  insertParameterSets?: boolean;
  /** Payloads carry DONL/DOND fields (the SDP's sprop-max-don-diff > 0). Default false. */
  donl?: boolean;
  /** RTP-Info `seq=` of the first packet: a gap before the first one that arrives is then a loss. */
  firstSequenceNumber?: number;
  /** A packet this far behind the last one is a sequence restart, not a late one. Default 3000. */
  maxMisorder?: number;
}

export const H265_DEPACKETIZER_DEFAULTS = Object.freeze({
  maxAccessUnitSize: 8 * 1024 * 1024,
  transientUnits: false,
  insertParameterSets: false,
  donl: false,
  maxMisorder: 3000,
} as const satisfies Required<Omit<H265DepacketizerOptions, 'parameterSets' | 'firstSequenceNumber'>>);

const INITIAL_SCRATCH = 256 * 1024;
const NO_DON = -1;

export class H265Depacketizer {
  readonly stats: H265DepacketizerStats = emptyH265DepacketizerStats();
  readonly parameterSets = new H265ParameterSets();
  private readonly onAccessUnit: (au: AccessUnit) => void;
  private readonly maxSize: number;
  private readonly insert: boolean;
  private readonly transient: boolean;
  private readonly donl: boolean;
  private readonly sequence: SequenceTracker;

  private buf: Uint8Array;
  private len = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private nalCount = 0;
  private lossPending = false;
  private pendingDiscontinuity = false;
  private lastDon = NO_DON;

  private open = false;
  private ts = 0;
  private firstSeq = 0;
  private packets = 0;
  private hasVcl = false;
  private incomplete = false;
  private oversized = false;
  private fuActive = false;
  private fuStart = 0;

  constructor(onAccessUnit: (au: AccessUnit) => void, options: H265DepacketizerOptions = {}) {
    const d = H265_DEPACKETIZER_DEFAULTS;
    this.onAccessUnit = onAccessUnit;
    this.maxSize = options.maxAccessUnitSize ?? d.maxAccessUnitSize;
    this.insert = options.insertParameterSets ?? d.insertParameterSets;
    this.transient = options.transientUnits ?? d.transientUnits;
    this.donl = options.donl ?? d.donl;
    const maxMisorder = options.maxMisorder ?? d.maxMisorder;
    this.sequence = new SequenceTracker({ maxMisorder, maxDropout: maxMisorder });
    this.buf = new Uint8Array(Math.min(INITIAL_SCRATCH, Math.max(this.maxSize, 16)));
    if (options.parameterSets) this.parameterSets.set(options.parameterSets);
    if (options.firstSequenceNumber !== undefined) this.sequence.expect(options.firstSequenceNumber);
  }

  /** The next packet should carry `seq` (RTP-Info after PLAY): a gap before it is then a loss. */
  expectSequenceNumber(seq: number): void {
    this.sequence.expect(seq);
  }

  /** Out-of-band VPS/SPS/PPS (e.g. from a later SDP). */
  setParameterSets(units: readonly Uint8Array[]): void {
    this.parameterSets.set(units);
  }

  push(pkt: RtpPacket): void {
    this.pushPayload(pkt.payload, pkt.sequenceNumber, pkt.timestamp, pkt.marker);
  }

  /** The reorder buffer gave up on packets: the unit in progress and the next cannot be complete. */
  markLoss(): void {
    this.lossPending = true;
    this.stats.lossMarks++;
  }

  /** Emits the unit in progress (end of stream) as incomplete: nothing proves its last packet came. */
  flush(): void {
    if (!this.open) return;
    this.incomplete = true;
    this.emit();
  }

  /** Forgets the stream in progress (new SSRC, seek); keeps parameter sets and stats. */
  reset(): void {
    if (this.open && this.nalCount > 0) this.stats.accessUnitsDiscarded++;
    this.closeAu();
    this.sequence.reset();
    this.lossPending = false;
    this.lastDon = NO_DON;
  }

  pushPayload(payload: Uint8Array, seq: number, ts: number, marker: boolean): void {
    const stats = this.stats;
    stats.packets++;
    let gap = this.lossPending;
    this.lossPending = false;
    let unknownStart = false;
    switch (this.sequence.track(seq)) {
      case 'first': unknownStart = !looksLikeH265UnitStart(payload, this.donl); break;
      case 'next': break;
      case 'duplicate': stats.duplicates++; return;
      case 'late': stats.late++; return;
      case 'gap': gap = true; stats.lostPackets += this.sequence.missing; break;
      case 'restart': gap = true; stats.sequenceRestarts++; break;
    }
    stats.bytes += payload.length;
    if (gap) {
      stats.lossEvents++;
      // the lost packets may be the tail of the open unit or the head of the next one
      if (this.open) this.incomplete = true;
    }
    if (this.open && ts !== this.ts) {
      if (this.hasVcl || this.fuActive || this.nalCount === 0) this.emit();
      else { this.ts = ts; stats.parameterSetsCarried++; }
    }
    if (!this.open) {
      this.open = true;
      this.ts = ts;
      this.firstSeq = seq;
    }
    if (gap) this.incomplete = true;
    if (unknownStart) { this.incomplete = true; stats.unknownStarts++; }
    this.packets++;
    this.payload(payload);
    if (marker) {
      if (this.hasVcl || this.oversized) this.emit();
      else stats.markersWithoutPicture++;
    }
  }

  private payload(p: Uint8Array): void {
    const stats = this.stats;
    const n = p.length;
    if (n === 0) { stats.emptyPayloads++; return; }
    // the payload header is a NAL unit header: forbidden bit clear, temporal id + 1 nonzero
    if (n < 2 || p[0] & 0x80 || (p[1] & 0x07) === 0) { this.malformed(); return; }
    const type = h265NalType(p[0]);
    if (type < H265NalType.Ap) {
      if (this.fuActive) this.abandonFragment();
      stats.singleNalUnits++;
      if (!this.donl) { this.appendNal(p, 0, n, EMPTY, 0, 0); return; }
      if (n < 5) { this.malformed(); return; }
      if (this.don((p[2] << 8) | p[3])) this.appendNal(p, 0, 2, p, 4, n);
    } else if (type === H265NalType.Ap) {
      this.aggregation(p);
    } else if (type === H265NalType.Fu) {
      this.fragment(p);
    } else if (type === H265NalType.Paci) {
      stats.paciPackets++;
      this.incomplete = true;
    } else {
      stats.reservedTypes++;
    }
  }

  private aggregation(p: Uint8Array): void {
    this.stats.apPackets++;
    if (this.fuActive) this.abandonFragment();
    const n = p.length;
    let i = 2;
    let don = -1;
    while (i < n) {
      if (this.donl) {
        if (don < 0) {
          if (i + 2 > n) { this.malformed(); return; }
          don = (p[i] << 8) | p[i + 1];
          i += 2;
        } else {
          don = (don + p[i] + 1) & 0xffff;
          i += 1;
        }
      }
      if (i + 2 > n) { this.malformed(); return; }
      const size = (p[i] << 8) | p[i + 1];
      if (size < 2 || i + 2 + size > n) { this.malformed(); return; }
      if (!this.donl || this.don(don)) this.appendNal(p, i + 2, i + 2 + size, EMPTY, 0, 0);
      i += 2 + size;
    }
  }

  private fragment(p: Uint8Array): void {
    const stats = this.stats;
    stats.fuPackets++;
    const fu = p[2];
    const fuType = fu & 0x3f;
    const head = this.donl && fu & 0x80 ? 5 : 3;
    if (p.length <= head || fuType === H265NalType.Ap || fuType === H265NalType.Fu || fuType === H265NalType.Paci) {
      this.malformed();
      return;
    }
    if (fu & 0x80) {
      if (this.fuActive) this.abandonFragment();
      if (this.oversized || (this.donl && !this.don((p[3] << 8) | p[4]))) return;
      if (!this.reserve(2 + p.length - head)) return;
      this.fuStart = this.len;
      this.buf[this.len++] = (p[0] & 0x81) | (fuType << 1);
      this.buf[this.len++] = p[1];
      this.fuActive = true;
    } else if (!this.fuActive) {
      if (!this.oversized) { stats.fragmentsWithoutStart++; this.incomplete = true; }
      return;
    } else if (!this.reserve(p.length - head)) {
      return;
    }
    this.buf.set(p.subarray(head), this.len);
    this.len += p.length - head;
    if (fu & 0x40) {
      this.fuActive = false;
      this.recordNal(this.fuStart, this.len);
    }
  }

  /** Checks a NAL unit's decoding order number; false (unit incomplete, NAL dropped) when it went back. */
  private don(don: number): boolean {
    const ok = this.lastDon === NO_DON || seqGreaterThan(don, this.lastDon);
    if (!ok) { this.stats.donOutOfOrder++; this.incomplete = true; return false; }
    this.lastDon = don;
    return true;
  }

  private malformed(): void {
    this.stats.malformed++;
    this.incomplete = true;
  }

  /** A fragmented NAL unit whose end never came: drop its bytes. */
  private abandonFragment(): void {
    this.fuActive = false;
    this.len = this.fuStart;
    this.incomplete = true;
    this.stats.fragmentsUnterminated++;
  }

  /** Makes room for `extra` bytes; false (and the unit marked oversized) past the bound. */
  private reserve(extra: number): boolean {
    if (this.oversized) return false;
    const need = this.len + extra;
    if (need > this.maxSize) {
      this.oversized = true;
      this.fuActive = false;
      this.len = 0;
      this.nalCount = 0;
      return false;
    }
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const bigger = new Uint8Array(Math.min(size, this.maxSize));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    return true;
  }

  /** Stores a NAL unit made of a[aStart, aEnd) then b[bStart, bEnd) (a header, then data after a DONL). */
  private appendNal(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): void {
    const size = aEnd - aStart + bEnd - bStart;
    if (!this.reserve(size)) return;
    const start = this.len;
    this.buf.set(a.subarray(aStart, aEnd), start);
    if (bEnd > bStart) this.buf.set(b.subarray(bStart, bEnd), start + aEnd - aStart);
    this.len += size;
    this.recordNal(start, this.len);
  }

  private recordNal(start: number, end: number): void {
    if (isH265Vcl(h265NalType(this.buf[start]))) this.hasVcl = true;
    const i = this.nalCount++;
    if (i < this.starts.length) { this.starts[i] = start; this.ends[i] = end; }
    else { this.starts.push(start); this.ends.push(end); }
  }

  private emit(): void {
    const stats = this.stats;
    if (this.fuActive) this.abandonFragment();
    if (this.oversized || this.nalCount === 0) {
      if (this.oversized) stats.accessUnitsOversized++;
      else if (this.incomplete) stats.accessUnitsEmpty++;
      if (this.oversized || this.incomplete) this.pendingDiscontinuity = true;
      this.closeAu();
      return;
    }
    const buf = this.buf;
    let firstIrap = -1;
    let parameterSets = 0;
    let size = 0;
    for (let i = 0; i < this.nalCount; i++) {
      const type = h265NalType(buf[this.starts[i]]);
      if (isIrap(type)) { if (firstIrap < 0) firstIrap = i; }
      else if (isH265ParameterSet(type)) parameterSets |= 1 << (type - H265NalType.Vps);
      size += this.ends[i] - this.starts[i];
    }
    const keyframe = firstIrap >= 0;
    const ps = this.parameterSets;
    const inserted = this.insert && keyframe && parameterSets !== 7 && ps.complete;
    const extraUnits = inserted ? ps.list() : NONE;
    let extra = 0;
    for (const u of extraUnits) extra += u.length;
    const out = this.transient ? undefined : new Uint8Array(size + extra);
    const nalus: Uint8Array[] = [];
    let o = 0;
    for (let i = 0; i < this.nalCount; i++) {
      if (i === firstIrap && inserted) {
        for (const u of extraUnits) o = place(u, out, o, nalus);
        stats.parameterSetsInserted++;
      }
      o = place(buf.subarray(this.starts[i], this.ends[i]), out, o, nalus);
    }
    if (parameterSets !== 0) for (const nal of nalus) if (isH265ParameterSet(h265NalType(nal[0]))) ps.learn(nal);
    const au: AccessUnit = {
      nalus, timestamp: this.ts, keyframe, complete: !this.incomplete, discontinuity: this.pendingDiscontinuity,
      parameterSetsInserted: inserted, packets: this.packets, size: size + extra,
      firstSequenceNumber: this.firstSeq, lastSequenceNumber: this.sequence.newest,
    };
    if (au.complete) stats.accessUnitsComplete++;
    else stats.accessUnitsIncomplete++;
    if (keyframe) stats.keyframes++;
    stats.nalUnits += nalus.length;
    this.pendingDiscontinuity = false;
    this.closeAu();
    this.onAccessUnit(au);
  }

  private closeAu(): void {
    this.open = false;
    this.len = 0;
    this.nalCount = 0;
    this.packets = 0;
    this.hasVcl = false;
    this.incomplete = false;
    this.oversized = false;
    this.fuActive = false;
  }
}

const EMPTY = new Uint8Array(0);
const NONE: readonly Uint8Array[] = Object.freeze([]);

/** Copies `nal` into `out` at `o` (or, transient, keeps the view) and lists it; returns the next offset. */
function place(nal: Uint8Array, out: Uint8Array | undefined, o: number, nalus: Uint8Array[]): number {
  if (!out) { nalus.push(nal); return o; }
  out.set(nal, o);
  nalus.push(out.subarray(o, o + nal.length));
  return o + nal.length;
}
