/**
 * The camera leg of one audio track: RTP from the RtspClient in arrival order in, coded audio
 * frames out (lib/audio's depacketizers: RFC 3640, LATM, G.711/G.722/Opus as they come). On UDP
 * and multicast a reorder buffer of its own puts packets back in order and declares losses
 * (no NACK: cameras answer none for audio, and a late audio frame is worth nothing); on TCP
 * packets go straight to the depacketizer. A new client session starts over.
 */
import type { RtpPacket } from '../rtp/packet.js';
import { chooseAudioFormat, createAudioDepacketizer, AudioFormatError, type AudioDepacketizer, type AudioDepacketizerOptions, type AudioFrame, type AudioTrackDescription } from '../audio/index.js';
import { RecoveringReceiver } from '../recovery/receiver.js';
import type { ReorderBufferOptions, ReorderSink } from '../recovery/reorder-buffer.js';
import type { SdpTrack } from '../sdp/index.js';
import type { RtspSessionInfo, RtspTrack, RtspTransportMode } from '../rtsp/client/types.js';
import type { TimerHandle, Clock } from '../clock.js';

export interface AudioLegOptions {
  clock: Clock;
  /** One coded frame; the object and its bytes are valid only during the call. */
  onFrame(frame: AudioFrame, desc: AudioTrackDescription): void;
  /** Reorder buffer on UDP and multicast (default true). */
  reorder?: boolean;
  /** The reorder buffer's bounds (hold time, window). */
  reorderBuffer?: ReorderBufferOptions;
  /** The depacketizer's bounds (largest access unit, misorder window). */
  depacketizer?: Omit<AudioDepacketizerOptions, 'firstSequenceNumber'>;
}

export const AUDIO_LEG_DEFAULTS = Object.freeze({
  reorder: true,
} as const satisfies Required<Pick<AudioLegOptions, 'reorder'>>);

export interface AudioLegStats {
  sessions: number;
  transport: RtspTransportMode | null;
  codec: string | null;
  clockRate: number;
  channels: number;
  received: number;
  /** Never delivered: declared lost by the reorder buffer, or a sequence gap without it. */
  lost: number;
  late: number;
  duplicates: number;
  /** Payload type other than the track's (dropped). */
  foreign: number;
  frames: number;
  /** Frames started but not delivered (a fragment lost) and packets dropped as malformed. */
  framesDropped: number;
  malformed: number;
}

type Counters = Pick<AudioLegStats, 'received' | 'lost' | 'late' | 'duplicates' | 'foreign' | 'frames' | 'framesDropped' | 'malformed'>;

const zero = (): Counters => ({ received: 0, lost: 0, late: 0, duplicates: 0, foreign: 0, frames: 0, framesDropped: 0, malformed: 0 });

/** The first audio track of a description camwire can depacketize, and the audio tracks it cannot (each `codec: reason`). */
export function chooseAudioTrack(tracks: readonly SdpTrack[]): { track: SdpTrack | undefined; desc: AudioTrackDescription | undefined; skipped: string[] } {
  const skipped: string[] = [];
  for (const t of tracks) {
    if (t.mediaType.toLowerCase() !== 'audio' || t.payloadTypes.length === 0) continue;
    try {
      return { track: t, desc: chooseAudioFormat(t), skipped };
    } catch (e) {
      if (!(e instanceof AudioFormatError)) throw e;
      skipped.push(`${t.codec ?? `pt ${t.payloadTypes[0]}`}: ${e.code}`);
    }
  }
  return { track: undefined, desc: undefined, skipped };
}

/** RtspClient `wantTrack`: every video track and the first audio track camwire can depacketize. */
export function wantVideoAndAudio(track: SdpTrack, all: readonly SdpTrack[]): boolean {
  const type = track.mediaType.toLowerCase();
  if (type === 'video') return track.payloadTypes.length > 0;
  return type === 'audio' && chooseAudioTrack(all).track === track;
}

export class AudioLeg implements ReorderSink<RtpPacket> {
  private track: RtspTrack | undefined;
  private descValue: AudioTrackDescription | undefined;
  private transport: RtspTransportMode | null = null;
  private depacketizer: AudioDepacketizer | undefined;
  private receiver: RecoveringReceiver<RtpPacket> | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private past = zero();
  private live = zero();
  private sessions = 0;

  constructor(private readonly o: AudioLegOptions) {}

  /** What the current (or last) session's track carries. */
  get desc(): AudioTrackDescription | undefined {
    return this.descValue;
  }

  /** Starts (or restarts) on `track` of `session`. Throws AudioFormatError when the track cannot be depacketized. */
  start(session: RtspSessionInfo, track: RtspTrack): void {
    this.stop();
    const desc = chooseAudioFormat(track.sdp);
    this.track = { ...track, payloadType: desc.payloadType };
    this.descValue = desc;
    this.transport = session.transport;
    this.sessions++;
    const seq = session.rtpInfo.find((r) => r.url === track.control || track.control.endsWith(r.url))?.seq;
    const onFrame = this.o.onFrame;
    this.depacketizer = createAudioDepacketizer(desc, (f) => onFrame(f, desc), { ...this.o.depacketizer, firstSequenceNumber: seq });
    if (session.transport !== 'tcp' && (this.o.reorder ?? AUDIO_LEG_DEFAULTS.reorder)) {
      this.receiver = new RecoveringReceiver<RtpPacket>(this, { clockRate: desc.clockRate, nack: false, reorder: this.o.reorderBuffer });
    }
  }

  /** One RTP packet of the audio track, in arrival order. */
  onRtp(p: RtpPacket): void {
    const dep = this.depacketizer;
    if (!dep || !this.track) return;
    if (p.payloadType !== this.track.payloadType) {
      this.live.foreign++;
      return;
    }
    this.live.received++;
    if (!this.receiver) {
      dep.push(p);
      return;
    }
    const now = this.o.clock.now();
    this.receiver.push(p, p.sequenceNumber, p.timestamp, now);
    this.schedule(this.receiver.nextDeadline());
  }

  stop(): void {
    if (this.receiver) this.receiver.flush();
    if (this.depacketizer) {
      const c = this.liveCounters();
      for (const k of Object.keys(this.past) as (keyof Counters)[]) this.past[k] += c[k];
      this.live = zero();
    }
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.receiver = undefined;
    this.depacketizer = undefined;
    this.track = undefined;
  }

  stats(): AudioLegStats {
    const l = this.liveCounters();
    const s = { ...this.past };
    for (const k of Object.keys(s) as (keyof Counters)[]) s[k] += l[k];
    const d = this.descValue;
    return { ...s, sessions: this.sessions, transport: this.transport, codec: d?.codec ?? null, clockRate: d?.clockRate ?? 0, channels: d?.channels ?? 0 };
  }

  /** @internal ReorderSink */
  onPacket(p: RtpPacket): void {
    this.depacketizer?.push(p);
  }

  /** @internal ReorderSink */
  onLoss(): void {
    this.depacketizer?.markLoss();
  }

  /** @internal ReorderSink */
  onResync(): void {
    this.depacketizer?.reset();
  }

  private liveCounters(): Counters {
    const c = { ...this.live };
    const d = this.depacketizer?.stats;
    const r = this.receiver?.stats();
    if (d) {
      c.frames += d.frames;
      c.framesDropped += d.framesDropped;
      c.malformed += d.malformed;
    }
    if (r) {
      c.lost += r.lost;
      c.late += r.late;
      c.duplicates += r.duplicates;
    } else if (d) {
      c.lost += d.lostPackets;
      c.late += d.late;
      c.duplicates += d.duplicates;
    }
    return c;
  }

  private schedule(at: number): void {
    if (at === Infinity || at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.o.clock.setTimer(at - this.o.clock.now(), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (!this.receiver) return;
    this.receiver.poll(this.o.clock.now());
    this.schedule(this.receiver.nextDeadline());
  };
}

/** The audio track of a session the client set up (it sets up at most one: `wantVideoAndAudio`). */
export function firstAudioTrack(info: RtspSessionInfo): RtspTrack | undefined {
  return info.tracks.find((t) => t.mediaType.toLowerCase() === 'audio');
}
