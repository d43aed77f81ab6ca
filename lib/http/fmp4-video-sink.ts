/**
 * The video track's output to one WebSocket viewer: the track's egress RTP packets (the same
 * ones every WebRTC viewer gets) depacketized back into access units for the viewer's
 * Fmp4Session. It starts on the cached keyframe (stamped as the newest unit, as a WebRTC
 * viewer's sender does) or on the next one; a unit that arrived broken, or a fragment the
 * viewer's backlog could not take, makes it wait for the next keyframe.
 */
import type { CachedKeyframe } from '../gateway/keyframe-cache.js';
import type { SinkState, TrackSink } from '../gateway/track-sink.js';
import { H264Depacketizer, type AccessUnit } from '../h264/depacketizer.js';
import type { Mp4VideoSample } from '../mp4/muxer.js';

/** Where the sink's units go: a viewer's Fmp4Session, or a stream's recorder. */
export interface Fmp4UnitTarget {
  /** One whole unit (views transient); false when it was not taken and the sink must wait for a keyframe. */
  pushVideo(au: Mp4VideoSample): boolean;
  /** A waiting sink may start again at this keyframe. */
  canResume(): boolean;
  resumed(): void;
  /** A unit passed over while waiting. */
  skipped(): void;
  tick(): void;
}

export interface Fmp4VideoSinkStats {
  /** Egress packets taken into access units. */
  packets: number;
  /** Egress packets passed over while waiting for a keyframe (start, or after skipping). */
  packetsSkipped: number;
  /** Units that came out incomplete (never expected in-process) or malformed packets. */
  brokenUnits: number;
}

export class Fmp4VideoSink implements TrackSink {
  readonly stats: Fmp4VideoSinkStats = { packets: 0, packetsSkipped: 0, brokenUnits: 0 };
  private stateValue: SinkState = 'connecting';
  /**
   * Units as views of its buffer (the muxer copies them at once). Its first packet is always a
   * unit's first (a keyframe's), so it is told the sequence to expect rather than guess.
   */
  private readonly depacketizer = new H264Depacketizer((au) => this.onUnit(au), { transientUnits: true, firstSequenceNumber: 0 });
  /**
   * The sink's own packet count as the depacketizer's sequence: the cached keyframe and the live
   * packets after it are consecutive here, whatever the egress numbers between them.
   */
  private seq = 0;

  /** `onClose`: the stream removed this output (it closes, or the viewer was removed): end the connection. */
  constructor(private readonly session: Fmp4UnitTarget, private readonly onClose?: () => void) {}

  get state(): SinkState {
    return this.stateValue;
  }

  waitForKeyframe(): void {
    if (this.stateValue === 'connecting') this.stateValue = 'waiting-keyframe';
  }

  startFromCache(cache: CachedKeyframe, _nextLiveSeq: number, nowEgressTs: number): void {
    if (this.stateValue !== 'connecting' && this.stateValue !== 'waiting-keyframe') return;
    this.stateValue = 'playing';
    for (let i = 0; i < cache.packets.length && this.stateValue === 'playing'; i++) this.feed(cache.packets[i], nowEgressTs);
  }

  sendLive(packet: Uint8Array, _egressSeq: number, egressTs: number, keyframeStart: boolean): void {
    if (this.stateValue !== 'playing') {
      if (this.stateValue !== 'waiting-keyframe' || !keyframeStart || !this.session.canResume()) {
        this.stats.packetsSkipped++;
        if (this.stateValue === 'waiting-keyframe') this.session.skipped();
        return;
      }
      this.depacketizer.reset();
      this.depacketizer.expectSequenceNumber(this.seq);
      this.stateValue = 'playing';
      this.session.resumed();
    }
    this.feed(packet, egressTs);
  }

  tick(): void {
    this.session.tick();
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.onClose?.();
  }

  private feed(packet: Uint8Array, ts: number): void {
    this.stats.packets++;
    const b0 = packet[0];
    let start = 12 + (b0 & 0x0f) * 4;
    if (b0 & 0x10 && start + 4 <= packet.length) start += 4 + ((packet[start + 2] << 8) | packet[start + 3]) * 4;
    const end = b0 & 0x20 ? packet.length - packet[packet.length - 1] : packet.length;
    if (packet.length < 12 || start > end) {
      this.stats.brokenUnits++;
      this.stateValue = 'waiting-keyframe';
      return;
    }
    this.depacketizer.pushPayload(packet.subarray(start, end), this.seq, ts, (packet[1] & 0x80) !== 0);
    this.seq = (this.seq + 1) & 0xffff;
  }

  private onUnit(au: AccessUnit): void {
    if (this.stateValue !== 'playing') return;
    if (!au.complete) {
      this.stats.brokenUnits++;
      this.stateValue = 'waiting-keyframe';
      return;
    }
    if (!this.session.pushVideo(au)) this.stateValue = 'waiting-keyframe';
  }
}
