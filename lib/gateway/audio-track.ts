/**
 * A stream's audio track: one egress timeline (its own sequence numbers and timestamps on the
 * codec's clock), one retransmission history, and every output's sink for it. Each coded frame
 * (as the camera sent it, or Opus out of the transcoder) becomes one RTP packet, numbered once
 * and sent once to every sink, which rewrites SSRC, sequence number, timestamp and payload type
 * to its own. Audio has no keyframes: a sink starts on the next packet.
 */
import type { Clock } from '../clock.js';
import { RTP_HEADER_SIZE, writeU32 } from '../rtp/packet.js';
import type { EgressHistory } from './deps.js';
import { MAX_EGRESS_PACKET, PLACEHOLDER_PAYLOAD_TYPE } from './egress-packet.js';
import { EgressTimeline } from './egress-timeline.js';
import type { BrowserAudioCodec } from './negotiate-audio.js';
import type { SourceInfo } from './source.js';
import type { Track } from './track.js';
import type { TrackSink } from './track-sink.js';

export interface AudioTrackOptions {
  /** What the track sends: the camera's codec (passthrough) or Opus (transcoded AAC). */
  codec: BrowserAudioCodec;
  /** RTP clock of `codec`. */
  clockRate: number;
  history: EgressHistory;
  clock: Clock;
  /** A source timestamp jump larger than this re-bases the timeline (ms). */
  timestampJumpMs: number;
  firstSequenceNumber: number;
  firstTimestamp: number;
  /** Placeholder SSRC of its packets (each viewer's sender writes its own). */
  ssrc: number;
}

export interface AudioTrackStats {
  frames: number;
  packetsOut: number;
  bytesOut: number;
  /** Frames larger than an egress packet holds (dropped). */
  oversized: number;
}

export class AudioTrack implements Track {
  readonly kind = 'audio';
  readonly codec: BrowserAudioCodec;
  readonly clockRate: number;
  readonly history: EgressHistory;
  readonly timeline: EgressTimeline;
  private readonly clock: Clock;
  private readonly sinks = new Set<TrackSink>();
  private readonly packet = new Uint8Array(MAX_EGRESS_PACKET);
  private readonly c: AudioTrackStats = { frames: 0, packetsOut: 0, bytesOut: 0, oversized: 0 };

  constructor(o: AudioTrackOptions) {
    this.codec = o.codec;
    this.clockRate = o.clockRate;
    this.history = o.history;
    this.clock = o.clock;
    this.timeline = new EgressTimeline({
      clockRate: o.clockRate, timestampJumpMs: o.timestampJumpMs, firstSequenceNumber: o.firstSequenceNumber, firstTimestamp: o.firstTimestamp,
    });
    const p = this.packet;
    p[0] = 0x80;
    writeU32(p, 8, o.ssrc);
  }

  /**
   * One coded frame stamped `sourceTs` on the source's clock (the camera's RTP clock, or the
   * transcoder's 48 kHz one); `marker` as RFC 3551 sets it (first packet of a talkspurt).
   */
  onFrame(data: Uint8Array, sourceTs: number, marker: boolean): void {
    this.c.frames++;
    const n = RTP_HEADER_SIZE + data.length;
    if (n > MAX_EGRESS_PACKET) {
      this.c.oversized++;
      return;
    }
    const now = this.clock.now();
    const ts = this.timeline.unitAt(sourceTs, now);
    const p = this.packet;
    p[1] = (marker ? 0x80 : 0) | PLACEHOLDER_PAYLOAD_TYPE;
    writeU32(p, 4, ts);
    p.set(data, RTP_HEADER_SIZE);
    const packet = p.subarray(0, n);
    const seq = this.timeline.stamp(packet);
    this.history.put(seq, packet, now);
    this.c.packetsOut++;
    this.c.bytesOut += n;
    // Every sink rewrites the header in place (shared): seq and timestamp go as arguments.
    for (const s of this.sinks) s.sendLive(packet, seq, ts, true, true);
  }

  addSink(sink: TrackSink): void {
    this.sinks.add(sink);
  }

  removeSink(sink: TrackSink): void {
    this.sinks.delete(sink);
  }

  /** Audio has no keyframe: the sink starts on the next packet. */
  open(sink: TrackSink): void {
    if (sink.state === 'connecting') sink.waitForKeyframe();
  }

  tick(now: number, cameraMs?: number): void {
    const ts = this.timeline.egressTsFor(now, cameraMs);
    for (const s of this.sinks) s.tick(ts);
  }

  sourceStarting(): void {
    this.timeline.restart();
  }

  sourcePlaying(_info: SourceInfo): void {
    this.timeline.restart();
  }

  sourceGone(): void {}

  stats(): Readonly<AudioTrackStats> {
    return this.c;
  }
}
