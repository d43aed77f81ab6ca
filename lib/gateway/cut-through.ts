/**
 * The camera side of packet forwarding (cut-through): each camera packet, in sequence order, goes out
 * re-cut to the egress MTU as soon as it arrives (lib/h264's refragmenter), instead of after
 * its whole access unit. What frame forwarding guarantees by waiting is kept by refusing: a
 * packet missing from the camera's sequence abandons the unit in progress (the browser gets
 * no marker for it and drops it), and nothing more goes out until a unit that starts with an
 * IDR. The unit the first packet after a gap belongs to is skipped too, unless that packet
 * begins with an SPS: otherwise its beginning may be what was lost. What goes out goes to the
 * sink (packet-forwarder.ts), which numbers, caches and sends it.
 */
import { H264Refragmenter, type RefragmenterPacketizer } from '../h264/refragmenter.js';
import { SequenceTracker } from '../rtp/sequence-tracker.js';
import { NalType } from '../h264/nal.js';
import type { SourcePacket } from './source.js';

export interface CutThroughSink {
  /** A unit begins at this camera timestamp: returns the shift to the egress timeline. */
  unitBegins(cameraTimestamp: number): number;
  /** One egress packet, not yet numbered (a view of a reused buffer: copy what is kept). */
  egress(packet: Uint8Array, unitStart: boolean, keyframe: boolean, unitEnd: boolean): void;
  /** A packet was missing: the unit in progress was abandoned; a keyframe is needed. */
  lost(): void;
}

export interface CutThroughStats {
  /** Packets older than the last one taken (late or duplicate): dropped. */
  late: number;
  /** Breaks in the camera's sequence: each abandoned a unit. */
  gaps: number;
  /** Packets dropped while waiting for a unit that starts with an IDR. */
  waitingDropped: number;
}

export class CutThrough {
  readonly stats: CutThroughStats = { late: 0, gaps: 0, waitingDropped: 0 };
  readonly refragmenter: H264Refragmenter;
  /** Further back than RFC 3550 A.1's MAX_MISORDER is a camera that restarted its sequence, not a late packet. */
  private readonly sequence = new SequenceTracker();
  private waiting = true;
  private skipTs = -1;

  constructor(pz: RefragmenterPacketizer, private readonly sink: CutThroughSink, private readonly scratch: Uint8Array) {
    this.refragmenter = new H264Refragmenter(pz);
  }

  /** A new camera session: sequence numbers start afresh, and so does the wait for an IDR. */
  reset(): void {
    this.sequence.reset();
    this.waiting = true;
    this.skipTs = -1;
    this.refragmenter.abort();
  }

  take(p: SourcePacket): void {
    const event = this.sequence.track(p.sequenceNumber);
    if (event === 'late' || event === 'duplicate') {
      this.stats.late++;
      return;
    }
    if (event === 'gap' || event === 'restart') this.gap(p);
    if (this.waiting && p.timestamp === this.skipTs) {
      this.stats.waitingDropped++;
      return;
    }
    const r = this.refragmenter;
    if (r.beginsUnit(p.timestamp)) r.timestampShift = this.sink.unitBegins(p.timestamp);
    r.push(p.payload, p.timestamp, p.marker);
    const buf = this.scratch;
    for (let n = r.writeNext(buf); n > 0; n = r.writeNext(buf)) {
      if (this.waiting) {
        if (!(r.unitStart && r.keyframe)) {
          this.stats.waitingDropped++;
          this.skipTs = p.timestamp;
          r.abort();
          return;
        }
        this.waiting = false;
      }
      this.sink.egress(buf.subarray(0, n), r.unitStart, r.keyframe, r.unitEnd);
    }
  }

  private gap(next: SourcePacket): void {
    this.stats.gaps++;
    this.refragmenter.abort();
    // An SPS after the gap is a fine place to resume: what may be missing before it in its unit
    // is an AUD or SEI. (An IDR fragment is not: the lost packets may be the IDR's first slice.)
    this.skipTs = opensWithSps(next.payload) ? -1 : next.timestamp >>> 0;
    this.waiting = true;
    this.sink.lost();
  }
}

/** A single-NAL SPS, or a STAP-A whose first unit is an SPS. */
function opensWithSps(payload: Uint8Array): boolean {
  if (payload.length === 0) return false;
  const type = payload[0] & 0x1f;
  if (type === NalType.Sps) return true;
  return type === NalType.StapA && payload.length > 3 && (payload[3] & 0x1f) === NalType.Sps;
}
