/**
 * RFC 6184 depacketizer: RTP payloads (single NAL unit, STAP-A, FU-A) in sequence order ->
 * access units. Never throws on network input: anything malformed is a counted drop, and the
 * access unit it belonged to is reported incomplete.
 *
 * Access-unit boundary: the marker bit (once the unit holds a coded slice, because some cameras
 * mark SPS/PPS/SEI packets) or a timestamp change (some cameras never set the marker). Parameter
 * sets that arrive with a different timestamp than the picture after them are carried into it.
 *
 * Bytes are copied into one scratch buffer per stream; each emitted access unit gets one fresh
 * buffer (NAL units are views into it), so callers may keep it and packet buffers may be reused.
 */
import type { RtpPacket } from '../rtp/packet.js';
import { SequenceTracker } from '../rtp/sequence-tracker.js';
import { findStartCode, NalType } from './nal.js';
import { ParameterSets } from './parameter-sets.js';
import { emptyDepacketizerStats, type DepacketizerStats } from './depacketizer-stats.js';
import type { AccessUnit, DepacketizerOptions } from './access-unit.js';
import { looksLikeUnitStart } from './unit-start.js';

export { emptyDepacketizerStats, looksLikeUnitStart, type DepacketizerStats, type AccessUnit, type DepacketizerOptions };

/** Options about one stream's packets (its parameter sets, its first sequence number) have no default. */
export const DEPACKETIZER_DEFAULTS = Object.freeze({
  maxAccessUnitSize: 8 * 1024 * 1024,
  transientUnits: false,
  insertParameterSets: false,
  annexBScan: 'non-vcl',
  maxMisorder: 3000,
} as const satisfies Required<Omit<DepacketizerOptions, 'parameterSets' | 'firstSequenceNumber'>>);

const INITIAL_SCRATCH = 256 * 1024;

export class H264Depacketizer {
  readonly stats: DepacketizerStats = emptyDepacketizerStats();
  readonly parameterSets = new ParameterSets();
  private readonly onAccessUnit: (au: AccessUnit) => void;
  private readonly maxSize: number;
  private readonly insert: boolean;
  private readonly scanSlices: boolean;
  private readonly scanOthers: boolean;

  private buf: Uint8Array;
  private len = 0;
  private readonly transient: boolean;
  private starts: number[] = [];
  private ends: number[] = [];
  private nalCount = 0;

  private readonly sequence: SequenceTracker;
  private lossPending = false;
  private pendingDiscontinuity = false;

  private open = false;
  private ts = 0;
  private firstSeq = 0;
  private packets = 0;
  private hasVcl = false;
  private incomplete = false;
  private truncated = false;
  private oversized = false;
  private fuActive = false;
  private fuStart = 0;

  constructor(onAccessUnit: (au: AccessUnit) => void, options: DepacketizerOptions = {}) {
    this.onAccessUnit = onAccessUnit;
    this.maxSize = options.maxAccessUnitSize ?? DEPACKETIZER_DEFAULTS.maxAccessUnitSize;
    this.insert = options.insertParameterSets ?? DEPACKETIZER_DEFAULTS.insertParameterSets;
    const scan = options.annexBScan ?? DEPACKETIZER_DEFAULTS.annexBScan;
    this.scanSlices = scan === 'all';
    this.scanOthers = scan !== 'none';
    const maxMisorder = options.maxMisorder ?? DEPACKETIZER_DEFAULTS.maxMisorder;
    // one bound both ways, as before the tracker: a jump further ahead is a restart, not loss
    this.sequence = new SequenceTracker({ maxMisorder, maxDropout: maxMisorder });
    this.transient = options.transientUnits ?? DEPACKETIZER_DEFAULTS.transientUnits;
    this.buf = new Uint8Array(Math.min(INITIAL_SCRATCH, Math.max(this.maxSize, 16)));
    if (options.parameterSets) this.parameterSets.set(options.parameterSets);
    if (options.firstSequenceNumber !== undefined) this.expectSequenceNumber(options.firstSequenceNumber);
  }

  /** The next packet should carry `seq` (RTP-Info after PLAY): a gap before it is then a loss. */
  expectSequenceNumber(seq: number): void {
    this.sequence.expect(seq);
  }

  /** Out-of-band parameter sets (e.g. from a later SDP); Annex-B prefixes are tolerated. */
  setParameterSets(units: readonly Uint8Array[]): void {
    this.parameterSets.set(units);
  }

  push(pkt: RtpPacket): void {
    this.pushPayload(pkt.payload, pkt.sequenceNumber, pkt.timestamp, pkt.marker);
  }

  /**
   * The reorder buffer gave up on one or more packets: the access unit in progress, and the one
   * the next packet belongs to, cannot be complete.
   */
  markLoss(): void {
    this.lossPending = true;
    this.stats.lossMarks++;
  }

  /**
   * Emits the access unit in progress (end of stream) as incomplete: nothing (no marker, no
   * next timestamp) proves that its last packet arrived.
   */
  flush(): void {
    if (!this.open) return;
    this.truncated = !this.incomplete;
    this.incomplete = true;
    this.emit();
  }

  /** Forgets everything about the stream in progress (new SSRC, seek); keeps parameter sets and stats. */
  reset(): void {
    if (this.open && this.nalCount > 0) this.stats.accessUnitsDiscarded++;
    this.closeAu();
    this.sequence.reset();
    this.lossPending = false;
  }

  pushPayload(payload: Uint8Array, seq: number, ts: number, marker: boolean): void {
    const stats = this.stats;
    stats.packets++;
    let gap = this.lossPending;
    this.lossPending = false;
    let unknownStart = false;
    switch (this.sequence.track(seq)) {
      case 'first': unknownStart = !looksLikeUnitStart(payload); break;
      case 'next': break;
      case 'duplicate': stats.duplicates++; return;
      case 'late': stats.late++; return;
      case 'gap': gap = true; stats.lostPackets += this.sequence.missing; break;
      // a camera reset, not a count of losses
      case 'restart': gap = true; stats.sequenceRestarts++; break;
    }
    stats.bytes += payload.length;

    if (gap) {
      stats.lossEvents++;
      // the lost packets may be the tail of the open unit or the head of the next one
      if (this.open) this.incomplete = true;
    }
    if (this.open && ts !== this.ts) {
      if (this.hasVcl && !this.incomplete) stats.unitsEndedByTimestamp++;
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

    const n = payload.length;
    if (n === 0) {
      // padding-only packets (bandwidth probes) carry nothing, so nothing is lost
      stats.emptyPayloads++;
    } else {
      const type = payload[0] & 0x1f;
      if (type < NalType.StapA) {
        if (this.fuActive) this.abandonFragment();
        stats.singleNalUnits++;
        this.appendNal(payload, 0, n);
      } else if (type === NalType.FuA) {
        this.fuA(payload);
      } else if (type === NalType.StapA) {
        this.stapA(payload);
      } else if (type === NalType.StapB || type === NalType.Mtap16 || type === NalType.Mtap24 || type === NalType.FuB) {
        stats.unsupportedPackets++;
        this.incomplete = true;
      } else {
        stats.reservedTypes++;
      }
    }

    if (marker) {
      if (this.hasVcl || this.oversized) this.emit();
      // a unit whose picture was lost or dropped is not a camera marking its parameter sets
      else if (!this.incomplete) stats.markersWithoutPicture++;
    }
  }

  private stapA(p: Uint8Array): void {
    const stats = this.stats;
    stats.stapAPackets++;
    if (this.fuActive) this.abandonFragment();
    const n = p.length;
    let i = 1;
    while (i < n) {
      if (i + 2 > n) {
        if (p[i] === 0) stats.stapAPadding++;
        else { stats.malformed++; this.incomplete = true; }
        return;
      }
      const size = (p[i] << 8) | p[i + 1];
      if (size === 0) { stats.stapAPadding++; return; }
      if (i + 2 + size > n) { stats.malformed++; this.incomplete = true; return; }
      this.appendNal(p, i + 2, size);
      i += 2 + size;
    }
  }

  private fuA(p: Uint8Array): void {
    const stats = this.stats;
    stats.fuAPackets++;
    if (p.length < 2) { stats.malformed++; this.incomplete = true; return; }
    const fu = p[1];
    if ((fu & 0xc0) === 0xc0) stats.fuAStartAndEnd++;
    if (fu & 0x20) stats.fuAReservedBit++;
    if (fu & 0x80) {
      if (this.fuActive) this.abandonFragment();
      if (this.oversized) return;
      if (!this.reserve(p.length - 1)) return;
      this.fuStart = this.len;
      this.buf[this.len++] = (p[0] & 0xe0) | (fu & 0x1f);
      this.buf.set(p.subarray(2), this.len);
      this.len += p.length - 2;
      this.fuActive = true;
    } else {
      if (!this.fuActive) {
        if (!this.oversized) { stats.fragmentsWithoutStart++; this.incomplete = true; }
        return;
      }
      if (!this.reserve(p.length - 2)) return;
      this.buf.set(p.subarray(2), this.len);
      this.len += p.length - 2;
    }
    if (fu & 0x40 && this.fuActive) {
      this.fuActive = false;
      this.finishNal(this.fuStart, this.len);
    }
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

  private appendNal(src: Uint8Array, offset: number, size: number): void {
    if (size === 0 || !this.reserve(size)) return;
    const start = this.len;
    this.buf.set(src.subarray(offset, offset + size), start);
    this.len += size;
    this.finishNal(start, this.len);
  }

  private finishNal(start: number, end: number): void {
    const type = this.buf[start] & 0x1f;
    const scan = type >= 1 && type <= 5 ? this.scanSlices : this.scanOthers;
    if (scan && findStartCode(this.buf, start, end) >= 0) {
      this.splitStored(start, end);
      return;
    }
    this.recordNal(start, end);
  }

  /** A stored NAL unit that is really an Annex-B byte stream: record each unit inside it. */
  private splitStored(start: number, end: number): void {
    this.stats.annexBSplits++;
    const buf = this.buf;
    let s = start;
    for (;;) {
      const sc = findStartCode(buf, s, end);
      let e = sc < 0 ? end : sc;
      if (sc >= 0) while (e > s && buf[e - 1] === 0) e--;
      // a lone leading header byte 0x00 (type 0) before the first start code is not a unit
      if (e > s && !(s === start && e - s === 1 && buf[s] === 0)) this.recordNal(s, e);
      if (sc < 0) return;
      s = sc + 3;
    }
  }

  private recordNal(start: number, end: number): void {
    const type = this.buf[start] & 0x1f;
    if (type >= 1 && type <= 5) this.hasVcl = true;
    else if (type === 0) this.stats.nalType0++;
    const i = this.nalCount++;
    if (i < this.starts.length) { this.starts[i] = start; this.ends[i] = end; }
    else { this.starts.push(start); this.ends.push(end); }
  }

  private emit(): void {
    const stats = this.stats;
    if (this.fuActive) this.abandonFragment();
    if (this.oversized) {
      stats.accessUnitsOversized++;
      this.pendingDiscontinuity = true;
      this.closeAu();
      return;
    }
    if (this.nalCount === 0) {
      if (this.incomplete) { stats.accessUnitsEmpty++; this.pendingDiscontinuity = true; }
      this.closeAu();
      return;
    }
    const buf = this.buf;
    let keyframe = false;
    let hasSps = false;
    let hasPps = false;
    let size = 0;
    let firstIdr = -1;
    for (let i = 0; i < this.nalCount; i++) {
      const type = buf[this.starts[i]] & 0x1f;
      if (type === NalType.Idr) { if (!keyframe) firstIdr = i; keyframe = true; }
      else if (type === NalType.Sps) hasSps = true;
      else if (type === NalType.Pps) hasPps = true;
      size += this.ends[i] - this.starts[i];
    }
    if (keyframe && !(hasSps && hasPps)) stats.keyframesWithoutParameterSets++;
    const ps = this.parameterSets;
    const pair = this.insert && keyframe && !(hasSps && hasPps) ? ps.forSlice(buf, this.starts[firstIdr] + 1) : undefined;
    const inserted = pair !== undefined;
    const sps = pair?.sps as Uint8Array;
    const pps = pair?.pps as Uint8Array;
    const extra = inserted ? sps.length + pps.length : 0;
    const out = this.transient ? undefined : new Uint8Array(size + extra);
    const nalus: Uint8Array[] = [];
    let o = 0;
    for (let i = 0; i < this.nalCount; i++) {
      // right before the first IDR slice, like the packetizer and FFmpeg's h264_mp4toannexb
      if (inserted && i === firstIdr) {
        if (out) {
          out.set(sps, o); nalus.push(out.subarray(o, o + sps.length)); o += sps.length;
          out.set(pps, o); nalus.push(out.subarray(o, o + pps.length)); o += pps.length;
        } else nalus.push(sps, pps);
        stats.parameterSetsInserted++;
      }
      if (out) o = this.copyNal(i, out, o, nalus);
      else nalus.push(buf.subarray(this.starts[i], this.ends[i]));
    }
    if (hasSps || hasPps) for (const nal of nalus) ps.learn(nal);

    const au: AccessUnit = {
      nalus,
      timestamp: this.ts,
      keyframe,
      complete: !this.incomplete,
      truncatedAtEnd: this.truncated,
      discontinuity: this.pendingDiscontinuity,
      parameterSetsInserted: inserted,
      packets: this.packets,
      size: size + extra,
      firstSequenceNumber: this.firstSeq,
      lastSequenceNumber: this.sequence.newest,
    };
    if (au.complete) stats.accessUnitsComplete++;
    else if (this.truncated) stats.accessUnitsTruncatedAtEnd++;
    else stats.accessUnitsIncomplete++;
    if (keyframe) stats.keyframes++;
    stats.nalUnits += nalus.length;
    this.pendingDiscontinuity = false;
    this.closeAu();
    this.onAccessUnit(au);
  }

  private copyNal(i: number, out: Uint8Array, o: number, nalus: Uint8Array[]): number {
    const s = this.starts[i];
    const e = this.ends[i];
    out.set(this.buf.subarray(s, e), o);
    nalus.push(out.subarray(o, o + e - s));
    return o + e - s;
  }

  private closeAu(): void {
    this.open = false;
    this.len = 0;
    this.nalCount = 0;
    this.packets = 0;
    this.hasVcl = false;
    this.incomplete = false;
    this.truncated = false;
    this.oversized = false;
    this.fuActive = false;
  }
}
