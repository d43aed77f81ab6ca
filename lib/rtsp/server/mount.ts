/**
 * What the RTSP server serves at a path: a gateway Stream's video track (its egress timeline,
 * retransmission history and keyframe cache: the one fan-out engine) plus the facts its SDP
 * needs (codec, parameter sets, payload type, clock rate, frame rate). Every RTSP output of the path is one
 * TrackSink of that track; they share one SSRC and one numbering, the track's, and one copy
 * of each packet. Keyframe requests (PLI/FIR, a joining output, a slow one that skipped) go to
 * the Stream, which merges and rate-limits them with its KeyframeGate.
 */
import type { Clock, TimerHandle } from '../../clock.js';
import { setRtpPayloadType, setRtpSsrc } from '../../rtp/packet.js';
import { SharedPacketCopy } from './packet-copy.js';
import { MountAudio, type ServedAudioFacts } from './mount-audio.js';
import type { Stream } from '../../gateway/stream.js';
import { VIDEO_CLOCK_RATE, type VideoTrack } from '../../gateway/video-track.js';
import type { OutputHost, UdpOutput } from './outputs.js';
import type { TrackSink } from '../../gateway/track-sink.js';
import { buildSenderReport } from './rtcp.js';

/** What DESCRIBE says about the track. */
export interface MountFacts {
  /** What the track's packets carry (RFC 6184 or RFC 7798 payloads). Default 'h264'. */
  codec?: 'h264' | 'h265';
  /** H.265's VPS. */
  vps?: Uint8Array;
  sps: Uint8Array;
  pps: Uint8Array;
  /** Frames per second, for `a=framerate` (informative). */
  frameRate?: number;
  /** The audio track beside the video, when the mount serves one. */
  audio?: ServedAudioFacts;
}

/**
 * The facts, or how to learn them: a gateway stream knows its camera's SPS/PPS only once the
 * camera has answered (undefined when it did not in time).
 */
export type MountFactsSource = MountFacts | (() => Promise<MountFacts | undefined>);

export interface RtspMountOptions {
  clock: Clock;
  /** Default 96. */
  payloadType?: number;
  /** Sender report interval per output. Default 5000 ms (RFC 3550's minimum). */
  senderReportIntervalMs?: number;
  /** Answer UDP viewers' NACKs from the track's history. Default true. */
  answerNacks?: boolean;
  /**
   * The mount made the stream (a clip served by the server): it ticks the stream every
   * `tickIntervalMs` while outputs watch (SRs, merged keyframe requests) and closes it with
   * itself. A stream owned elsewhere (the gateway's) is ticked and closed by its owner.
   */
  ownsStream?: boolean;
  /** Default 100 ms. */
  tickIntervalMs?: number;
  cname?: string;
  /** Serve the stream's audio track too (its own SETUP, `trackID=1`), announced with these facts. Default: video only. */
  audio?: ServedAudioFacts;
}

export const RTSP_MOUNT_DEFAULTS = Object.freeze({
  payloadType: 96,
  senderReportIntervalMs: 5000,
  answerNacks: true,
  ownsStream: false,
  tickIntervalMs: 100,
} as const satisfies Required<Omit<RtspMountOptions, 'clock' | 'cname' | 'audio'>>);

export interface RtspMountStats {
  /** Outputs taking the track (a multicast group counts once). */
  viewers: number;
  frames: number;
  keyframes: number;
  packets: number;
  /** Payload octets sent (RFC 3550 SR sender's octet count). */
  octets: number;
  /** Keyframe requests from this mount's viewers (PLI, FIR, joins, slow viewers). */
  keyframeRequests: number;
  /** Keyframe requests the stream passed upstream (all of its consumers'). */
  keyframesForced: number;
  /** NACKed packets resent over UDP. */
  retransmissions: number;
  /** Audio packets sent (once for every output), 0 without audio. */
  audioPackets: number;
  /** The source's own counters (pacing re-anchors, loops...). */
  source: Record<string, number | string>;
}

/** Fixed RTP header bytes of a track packet (no CSRC, no extension): the rest is payload. */
const RTP_FIXED_HEADER = 12;

export class RtspMount implements OutputHost {
  readonly clock: Clock;
  readonly stream: Stream;
  readonly payloadType: number;
  readonly clockRate = VIDEO_CLOCK_RATE;
  readonly senderReportIntervalMs: number;
  /** The audio track's host, when the mount serves one. */
  readonly audio: MountAudio | undefined;
  private readonly track: VideoTrack;
  private readonly facts: MountFactsSource;
  private readonly answerNacks: boolean;
  private readonly ownsStream: boolean;
  private readonly tickIntervalMs: number;
  private readonly cname: string;
  private readonly outputs = new Set<TrackSink>();
  private readonly audioFacts: ServedAudioFacts | undefined;
  private timer: TimerHandle | undefined;
  private readonly c = { keyframeRequests: 0, retransmissions: 0 };
  private readonly copies = new SharedPacketCopy();

  constructor(stream: Stream, facts: MountFactsSource, o: RtspMountOptions) {
    this.clock = o.clock;
    this.stream = stream;
    this.facts = facts;
    this.track = stream.videoTrack;
    this.payloadType = o.payloadType ?? RTSP_MOUNT_DEFAULTS.payloadType;
    this.senderReportIntervalMs = o.senderReportIntervalMs ?? RTSP_MOUNT_DEFAULTS.senderReportIntervalMs;
    this.answerNacks = o.answerNacks ?? RTSP_MOUNT_DEFAULTS.answerNacks;
    this.ownsStream = o.ownsStream ?? RTSP_MOUNT_DEFAULTS.ownsStream;
    this.tickIntervalMs = o.tickIntervalMs ?? RTSP_MOUNT_DEFAULTS.tickIntervalMs;
    this.cname = o.cname ?? `camwire-${this.ssrc.toString(16)}`;
    this.audioFacts = o.audio;
    this.audio = o.audio && new MountAudio(stream, {
      // same CNAME: clients tie the two tracks' sender reports together for lip sync
      clock: o.clock, ssrc: (this.ssrc ^ 0x5a5a5a5a) >>> 0, payloadType: o.audio.payloadType, senderReportIntervalMs: this.senderReportIntervalMs, cname: this.cname,
    });
  }

  /** The track's SSRC: every output of this mount sends it. */
  get ssrc(): number {
    return this.track.packetizer.ssrc >>> 0;
  }

  /** What DESCRIBE announces; undefined when the stream's source could not tell in time. */
  async describe(): Promise<MountFacts | undefined> {
    const facts = typeof this.facts === 'function' ? await this.facts() : this.facts;
    return facts && this.audioFacts ? { ...facts, audio: this.audioFacts } : facts;
  }

  /** The output starts taking the video track (from the cached keyframe or the next one), or the audio track (its next packet). */
  attach(output: TrackSink, kind: 'video' | 'audio' = 'video'): void {
    if (this.outputs.has(output)) return;
    this.outputs.add(output);
    if (kind === 'audio') this.stream.addAudioOutput(output);
    else this.stream.addOutput(output);
    if (this.ownsStream && this.timer === undefined) this.timer = this.clock.setTimer(this.tickIntervalMs, this.tick);
  }

  detach(output: TrackSink): void {
    if (!this.outputs.delete(output)) return;
    this.stream.removeOutput(output);
    if (this.outputs.size > 0 || !this.ownsStream) return;
    this.stream.tick(); // an on-demand source with no one watching stops now
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * RTP-Info of an output that just started: its first packet; for one waiting for a keyframe,
   * the track's next packet only when nothing was ever sent (a fresh source starts on a
   * keyframe). Mid-stream the packets up to the next keyframe are skipped, so naming the next
   * one would make clients count them lost (and drop the keyframe after the "gap"): the
   * first packet tells them instead.
   */
  rtpInfo(output: { startedAt: { seq: number; ts: number } | undefined }): { seq?: number; rtptime?: number } {
    if (output.startedAt) return { seq: output.startedAt.seq, rtptime: output.startedAt.ts };
    if (this.track.stats().packetsOut > 0) return {};
    return { seq: this.track.timeline.nextSeq, rtptime: this.track.timeline.nextUnitTimestamp(this.clock.now()) };
  }

  /** A viewer lost the picture (PLI, FIR, a joining multicast member): merged and rate-limited by the stream. */
  requestKeyframe(kind: 'pli' | 'fir' = 'pli'): void {
    this.c.keyframeRequests++;
    this.stream.requestKeyframe(kind);
  }

  /** NACKed packets resent to a UDP output (none when NACKs are not answered); returns how many. */
  answerNack(output: UdpOutput, seqs: readonly number[]): number {
    if (!this.answerNacks) return 0;
    const n = output.answerNack(seqs);
    this.c.retransmissions += n;
    return n;
  }

  stats(): RtspMountStats {
    const t = this.track.stats();
    const s = this.stream.stats();
    return {
      viewers: this.outputs.size, frames: t.accessUnits, keyframes: t.keyframes, packets: t.packetsOut,
      octets: this.octetsSent(), keyframeRequests: this.c.keyframeRequests, keyframesForced: s.keyframeRequestsForwarded,
      retransmissions: this.c.retransmissions, audioPackets: this.audio?.packetsSent() ?? 0, source: s.source,
    };
  }

  /** Ends every output; an owned stream is closed (its source stopped) too. */
  close(): void {
    for (const o of [...this.outputs]) this.detach(o);
    this.timer?.cancel();
    this.timer = undefined;
    if (this.ownsStream) void this.stream.close();
  }

  /** @internal OutputHost */
  copy(packet: Uint8Array, seq: number, ts: number): Uint8Array {
    return this.copies.copy(packet, seq, ts, this.ssrc, this.payloadType);
  }

  /** @internal OutputHost */
  senderReport(egressTsNow: number): Uint8Array {
    return buildSenderReport({
      ssrc: this.ssrc, wallClockMs: this.clock.wallClock(), rtpTimestamp: egressTsNow,
      packetCount: this.track.stats().packetsOut >>> 0, octetCount: this.octetsSent() >>> 0, cname: this.cname,
    });
  }

  /** @internal OutputHost */
  resendCopy(seq: number, now: number): Uint8Array | undefined {
    const held = this.track.history.get(seq & 0xffff, now);
    if (!held) return undefined;
    const out = held.slice();
    setRtpSsrc(out, this.ssrc);
    setRtpPayloadType(out, this.payloadType);
    return out;
  }

  private octetsSent(): number {
    const t = this.track.stats();
    return t.bytesOut - RTP_FIXED_HEADER * t.packetsOut;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.stream.tick();
    if (this.outputs.size > 0) this.timer = this.clock.setTimer(this.tickIntervalMs, this.tick);
  };
}
