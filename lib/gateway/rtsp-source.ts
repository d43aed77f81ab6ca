/**
 * A Stream's source from a camera: camwire's RTSP client, then its camera leg (reorder and
 * NACK on UDP/multicast, depacketizer, no broken frames forwarded: `dropIncomplete`). Keyframe
 * requests from the Stream go to the camera as RTCP PLI, as do the leg's own; the leg sends its NACKs.
 */
import { RTSP_CLIENT_DEFAULTS, RtspClient, redactSecret, type RtspClientOptions, type RtspSessionInfo, type RtspTrack } from '../rtsp/index.js';
import { attachCameraLeg, firstVideoTrack, type CameraLeg, type CameraLegOptions } from '../ingest/index.js';
import { AudioLeg, chooseAudioTrack, firstAudioTrack, wantVideoAndAudio } from '../ingest/audio-leg.js';
import { AudioFormatError } from '../audio/index.js';
import { ntpToMs, type RtcpPacket } from '../rtcp/index.js';
import { CAMERA_LEG_DEFAULTS } from '../ingest/camera-leg.js';
import { systemClock } from '../clock.js';
import { describeTracks, formatProfileLevelId } from '../sdp/index.js';
import { BFrameDetector, bFramesMessage, parseSps, type AccessUnit } from '../h264/index.js';
import { parseH265Sps } from '../h265/sps.js';
import type { SourceInfo, SourceSink, SourceState, VideoSource } from './source.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RtspStateChange } from '../rtsp/client/types.js';
import type { CameraTap } from '../capture/capture-slot.js';

export interface RtspSourceOptions {
  url: string;
  transport?: RtspClientOptions['transport'];
  /** Further RTSP client options (timeouts, reconnect, bind address...). */
  client?: Omit<RtspClientOptions, 'url' | 'transport'>;
  /** Reorder buffer on the camera leg: 'auto' (default) = on for UDP/multicast, off for TCP. */
  reorder?: 'auto' | 'on' | 'off';
  /**
   * NACKs to the camera on UDP and multicast (default true). Not with `reorder: 'off'`: without
   * the buffer a resent packet arrives after its frame was dropped.
   */
  nack?: boolean;
  /** Tuning of the reorder buffer, NACK generator and hold time. */
  recovery?: CameraLegOptions['recovery'];
  depacketizer?: CameraLegOptions['depacketizer'];
  /**
   * A camera sending B-frames: 'drop' (default) forwards only the other pictures, which browsers
   * play (at a lower frame rate); 'forward' sends them as they are (a slideshow in Chromium).
   * Frame forwarding only: packet forwarding sends every packet.
   */
  bFrames?: 'drop' | 'forward';
  /** Operator log of the source's state changes and its B-frames (default none), naming the stream `name`. */
  log?: Logger;
  name?: string;
  /** The stream's capture: the camera leg's RTP/RTCP as received and sent, and its decisions. */
  capture?: CameraTap;
  /** Set up the camera's first usable audio track too (default true). */
  audio?: boolean;
}

/** `transport` and `client` default as the RTSP client's, `recovery` and `depacketizer` as the camera leg's. */
export const RTSP_SOURCE_DEFAULTS = Object.freeze({
  reorder: 'auto',
  nack: CAMERA_LEG_DEFAULTS.nack,
  bFrames: 'drop',
  audio: true,
} as const satisfies Required<Pick<RtspSourceOptions, 'reorder' | 'nack' | 'bFrames' | 'audio'>>);

export class RtspSource implements VideoSource {
  private client: RtspClient | undefined;
  private leg: CameraLeg | undefined;
  private detachLeg: (() => void) | undefined;
  private track: RtspTrack | undefined;
  private audioTrack: RtspTrack | undefined;
  private audioLeg: AudioLeg | undefined;
  /** Audio lines already logged (one per distinct reason, not one per reconnect). */
  private readonly logged = new Set<string>();
  private sink: SourceSink | undefined;
  private meta: SourceInfo = {};
  private state: SourceState = 'idle';
  /** `plisSent`: the Stream's keyframe requests (the leg counts its own). */
  private readonly c = { sessions: 0, errors: 0, plisSent: 0 };
  private lastError = '';
  private readonly bFrames = new BFrameDetector();
  private bFramesDropped = 0;
  private bFramesLogged = false;
  private readonly log: Logger;

  constructor(private readonly o: RtspSourceOptions) {
    this.log = o.log ?? silentLogger;
  }

  start(sink: SourceSink): void {
    if (this.client) return;
    this.sink = sink;
    const capture = this.o.capture;
    const audio = this.o.audio ?? RTSP_SOURCE_DEFAULTS.audio;
    const client = new RtspClient({
      ...(audio ? { wantTrack: wantVideoAndAudio } : {}), ...this.o.client, url: this.o.url, transport: this.o.transport ?? RTSP_CLIENT_DEFAULTS.transport, wireTap: capture,
    });
    this.client = client;
    const reorder = this.o.reorder ?? RTSP_SOURCE_DEFAULTS.reorder;
    // Attached first: the leg has started on a session's track by the time onSession runs.
    const { leg, detach } = attachCameraLeg(client, {
      clock: this.o.client?.clock ?? systemClock,
      onAccessUnit: (au) => this.onAccessUnit(au),
      onPacket: sink.forwarding === 'packet' ? (p) => this.sink?.onPacket?.(p) : undefined,
      reorder: reorder === 'on' ? 'always' : reorder === 'auto',
      nack: (this.o.nack ?? RTSP_SOURCE_DEFAULTS.nack) && reorder !== 'off',
      nackOnMulticast: true,
      recovery: this.o.recovery,
      // The Stream packetizes each unit before onAccessUnit returns: no copy of it is needed.
      depacketizer: { transientUnits: true, ...this.o.depacketizer },
      dropIncomplete: true,
      observer: capture && { note: (n) => capture.noteCamera(n) },
    });
    this.leg = leg;
    this.detachLeg = detach;
    if (audio) {
      const audioLeg = new AudioLeg({ clock: this.o.client?.clock ?? systemClock, onFrame: (f) => this.sink?.onAudioFrame?.(f) });
      this.audioLeg = audioLeg;
      client.on('rtp', (p, t) => {
        if (t === this.audioTrack) audioLeg.onRtp(p);
      });
    }
    client.on('rtcp', (packets, t) => this.onRtcp(packets, t));
    client.on('session', (info) => this.onSession(info));
    client.on('state', (ch) => {
      this.logState(ch);
      if (ch.state === 'reconnecting') this.setState('reconnecting', ch.reason && this.redact(ch.reason.message));
      else if (ch.state === 'closed' && this.client === client) this.setState('stopped');
      else if (ch.state === 'connecting' && this.state === 'idle') this.setState('starting');
    });
    client.on('error', (err) => {
      this.c.errors++;
      this.lastError = this.redact(`${err.code}: ${err.message}`);
    });
    this.setState('starting');
    client.start().catch((err: Error & { code?: string }) => {
      this.lastError = this.redact(`${err.code ?? 'ERROR'}: ${err.message}`);
      if (this.client === client) this.setState('failed', this.lastError);
    });
  }

  stop(): void {
    const client = this.client;
    if (client) this.log.info('source.stopped', { stream: this.o.name });
    this.client = undefined;
    this.setState('stopped');
    this.sink = undefined;
    // After the sink is gone: what the leg releases on stopping goes nowhere.
    this.detachLeg?.();
    this.detachLeg = undefined;
    this.audioLeg?.stop();
    this.audioTrack = undefined;
    if (client) void client.stop().catch(() => {});
  }

  requestKeyframe(merged = 1): void {
    if (!this.track || !this.client?.requestKeyframe(this.track.index)) return;
    this.c.plisSent++;
    this.o.capture?.noteCamera({ kind: 'pli-forwarded', merged });
  }

  info(): SourceInfo {
    return this.meta;
  }

  stats(): Record<string, number | string> {
    const l = this.leg?.stats();
    return {
      state: this.state, transport: this.client?.sessionInfo?.transport ?? '', codec: this.meta.codec ?? '', sessions: this.c.sessions, errors: this.c.errors,
      nacksSent: l?.nacksSent ?? 0, plisSent: this.c.plisSent + (l?.keyframeRequests ?? 0), rtpPackets: l ? l.received + l.foreign : 0, lastError: this.lastError,
      accessUnits: l?.accessUnits ?? 0, keyframes: l?.keyframes ?? 0, framesDropped: (l?.incompleteDropped ?? 0) + (l?.waitingDropped ?? 0),
      packetsLost: l?.lost ?? 0, packetsRecovered: l?.recovered ?? 0, reordered: l?.late ?? 0, duplicates: l?.duplicates ?? 0,
      // the RTT NACK retries are timed by: the camera's report blocks, else learned from repairs (-1: none yet)
      cameraRttMs: Math.round((l?.rttMs ?? l?.learnedRttMs ?? -1) * 10) / 10,
      // B-frames (browsers cannot play them in order): pictures seen, dropped, the SPS's reorder depth
      quirks: this.bFrames.detected ? 'b-frames' : '',
      bFrames: this.bFrames.stats.bPictures + this.bFrames.stats.referenceBPictures, bFramesDropped: this.bFramesDropped,
      reorderFrames: this.bFrames.stats.reorderFrames,
      ...this.audioStats(),
    };
  }

  private audioStats(): Record<string, number | string> {
    const a = this.audioLeg?.stats();
    if (!a || a.sessions === 0) return {};
    return {
      audioCodec: a.codec ?? '', audioClockRate: a.clockRate, audioChannels: a.channels, audioPackets: a.received, audioPacketsLost: a.lost,
      audioFrames: a.frames, audioFramesDropped: a.framesDropped, audioMalformed: a.malformed,
    };
  }

  private onAccessUnit(au: AccessUnit): void {
    // B-frame detection reads H.264 slice headers; an H.265 camera's units go through as they are
    if (this.meta.codec === 'h265') {
      this.sink?.onAccessUnit(au);
      return;
    }
    const kind = this.bFrames.classify(au.nalus);
    if (this.bFrames.detected && !this.bFramesLogged) {
      this.bFramesLogged = true;
      this.log.warn('source.b-frames', { stream: this.o.name, reason: bFramesMessage(this.o.name ?? 'cam', this.dropsB, this.bFrames.pyramid) });
    }
    if (kind !== 'other' && this.dropsB) {
      this.bFramesDropped++;
      return;
    }
    this.sink?.onAccessUnit(au);
  }

  private get dropsB(): boolean {
    return (this.o.bFrames ?? RTSP_SOURCE_DEFAULTS.bFrames) === 'drop';
  }

  private onSession(info: RtspSessionInfo): void {
    const track = firstVideoTrack(info);
    if (!track) return this.fail('CAMERA_NO_H264', 'the camera offers no H.264 or H.265 video track');
    const format = track.sdp.formats.find((f) => f.payloadType === track.payloadType);
    if (format?.h265) {
      if (this.sink?.forwarding === 'packet') {
        return this.fail('CAMERA_H265_PACKET_FORWARDING', 'the camera sends H.265, which packet forwarding does not carry (H.264 only): set forwarding to "frame" for this stream');
      }
      this.c.sessions++;
      this.track = track;
      this.o.capture?.cameraSession(info.tracks);
      this.meta = h265Info(format.h265.parameterSets, format.h265.sps);
      this.setState('playing');
      return;
    }
    this.c.sessions++;
    this.track = track;
    this.o.capture?.cameraSession(info.tracks);
    const fmt = format?.h264;
    const meta: SourceInfo = { codec: 'h264' };
    if (fmt?.parameterSets.length) meta.parameterSets = fmt.parameterSets;
    if (fmt?.profileLevelId) meta.profileLevelId = formatProfileLevelId(fmt.profileLevelId);
    if (fmt?.sps) {
      this.bFrames.noteSps(fmt.sps);
      try {
        const sps = parseSps(fmt.sps);
        meta.width = sps.width;
        meta.height = sps.height;
      } catch {
        /* a bad SPS in the SDP: the in-band one will do */
      }
    }
    const audio = this.startAudio(info);
    if (audio) meta.audio = audio;
    this.meta = meta;
    this.log.info('source.playing', {
      stream: this.o.name, transport: info.transport, codec: 'H264', profile: meta.profileLevelId, width: meta.width, height: meta.height,
    });
    this.setState('playing');
  }

  /** One line per change an operator cares about; retries after the first connect are debug. */
  private logState(ch: RtspStateChange): void {
    const stream = this.o.name;
    if (ch.state === 'connecting') {
      const first = this.c.sessions === 0 && this.state !== 'reconnecting';
      this.log[first ? 'info' : 'debug']('source.connecting', { stream, url: this.o.url, transport: ch.transport });
    } else if (ch.state === 'reconnecting' && ch.reason) {
      this.log.warn('source.lost', {
        stream, code: ch.reason.code, error: this.redact(ch.reason.message), retryInS: Math.round((ch.delayMs ?? 0) / 100) / 10,
      });
    } else if (ch.state === 'closed' && ch.reason) {
      this.log.error('source.gave-up', { stream, code: ch.reason.code, error: this.redact(ch.reason.message) });
    }
  }

  private fail(code: string, reason: string): void {
    this.lastError = `${code}: ${reason}`;
    this.log.error('source.failed', { stream: this.o.name, code, error: reason });
    this.setState('failed', this.lastError);
  }

  /** Starts the audio leg on the session's audio track; says once why an audio track is not used. */
  private startAudio(info: RtspSessionInfo): SourceInfo['audio'] {
    this.audioTrack = undefined;
    const leg = this.audioLeg;
    if (!leg) return undefined;
    const track = firstAudioTrack(info);
    if (!track) {
      leg.stop();
      const skipped = chooseAudioTrack(info.description ? describeTracks(info.description) : []).skipped;
      if (skipped.length > 0) this.logOnce(`camwire: ${this.redact(info.url)}: audio skipped, no codec camwire can forward (${skipped.join('; ')})`);
      return undefined;
    }
    try {
      leg.start(info, track);
    } catch (e) {
      if (!(e instanceof AudioFormatError)) throw e;
      this.logOnce(`camwire: ${this.redact(info.url)}: audio skipped (${track.codec ?? '?'}: ${e.code})`);
      return undefined;
    }
    this.audioTrack = track;
    return leg.desc;
  }

  private onRtcp(packets: RtcpPacket[], track: RtspTrack): void {
    const kind = track === this.track ? 'video' : track === this.audioTrack ? 'audio' : undefined;
    if (!kind) return;
    for (const p of packets) if (p.type === 'sr') this.sink?.onSenderReport?.(kind, ntpToMs(p.ntpSeconds, p.ntpFraction), p.rtpTimestamp);
  }

  private logOnce(line: string): void {
    if (this.logged.has(line)) return;
    this.logged.add(line);
    this.log.warn('source.audio-skipped', { stream: this.o.name, reason: line });
  }

  /** Errors end up in /api/streams: whatever a lower layer or the camera echoed, no password. */
  private redact(text: string): string {
    return redactSecret(text, this.o.url);
  }

  private setState(s: SourceState, detail?: string): void {
    if (this.state === s) return;
    this.state = s;
    this.sink?.onState(s, detail);
  }
}

/** An H.265 camera's facts from its SDP: the size from sprop-sps when it parses (else the in-band one will do). */
function h265Info(parameterSets: readonly Uint8Array[], sps: Uint8Array | undefined): SourceInfo {
  const meta: SourceInfo = { codec: 'h265' };
  if (parameterSets.length > 0) meta.parameterSets = parameterSets;
  if (sps) {
    try {
      const s = parseH265Sps(sps);
      meta.width = s.width;
      meta.height = s.height;
    } catch {
      /* a bad SPS in the SDP */
    }
  }
  return meta;
}
