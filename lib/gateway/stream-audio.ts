/**
 * What a Stream does about its camera's audio: which codec its audio track sends (the camera's
 * own for Opus, PCMU, PCMA and G.722; Opus out of ONE transcoder for AAC, created for the first
 * viewer that takes audio and closed after the last), the audio track itself, the camera's
 * sender reports for it, and a state /api/streams shows. A transcoder failure, a codec no
 * browser plays or bad parameters drop the audio, never the video.
 */
import { serializeAudioSpecificConfig, type AacInputFormat, type AudioFrame, type AudioTrackDescription, type AudioTranscoder } from '../audio/index.js';
import { AudioTrack } from './audio-track.js';
import type { GatewayDeps } from './deps.js';
import { GatewayError } from './errors.js';
import { negotiateAudio, type BrowserAudioCodec, type NegotiatedAudio } from './negotiate-audio.js';
import type { SourceInfo } from './source.js';
import type { TrackSink } from './track-sink.js';

/**
 * none: the camera sends no usable audio track; passthrough / transcoding: the track plays;
 * waiting: AAC, transcoded once a viewer takes audio; skipped: AAC without a transcoder;
 * unusable: parameters no browser plays (absurd rate or channels, AAC config missing);
 * failed: the transcoder stopped.
 */
export type StreamAudioState = 'none' | 'passthrough' | 'waiting' | 'transcoding' | 'skipped' | 'unusable' | 'failed';

export interface StreamAudioStats {
  state: StreamAudioState;
  /** The camera's codec (lib/audio's name), '' without audio. */
  cameraCodec: string;
  /** What browsers get, '' when nothing. */
  codec: string;
  /** Why there is no audio, when there is none for a reason (an error code and message; never a secret). */
  reason: string;
  viewers: number;
  frames: number;
  packetsOut: number;
  /** Frames that came while audio was not sent (no viewer, skipped, failed...). */
  framesDropped: number;
  transcoderStarts: number;
}

/** What browsers can play as the camera sends it, with the parameters they accept. */
const PASSTHROUGH: Partial<Record<AudioTrackDescription['codec'], { codec: BrowserAudioCodec; clockRate: number; maxChannels: number }>> = {
  pcmu: { codec: 'pcmu', clockRate: 8000, maxChannels: 1 },
  pcma: { codec: 'pcma', clockRate: 8000, maxChannels: 1 },
  g722: { codec: 'g722', clockRate: 8000, maxChannels: 1 },
  opus: { codec: 'opus', clockRate: 48000, maxChannels: 2 },
};

/** Bounds on what is handed to a transcoder: ISO 14496-3's largest rate and channel configuration. */
const AAC_MAX_SAMPLE_RATE = 96_000;
const AAC_MAX_CHANNELS = 8;
const OPUS_CLOCK = 48_000;

export interface StreamAudioOptions {
  name: string;
  deps: GatewayDeps;
  timestampJumpMs: number;
  random: () => number;
}

export class StreamAudio {
  private trackValue: AudioTrack | undefined;
  private desc: AudioTrackDescription | undefined;
  private aac: AacInputFormat | undefined;
  private transcoder: AudioTranscoder | undefined;
  private stateValue: StreamAudioState = 'none';
  private reason = '';
  private audioViewers = 0;
  private readonly logged = new Set<string>();
  /** Sinks of outputs other than WebRTC viewers (an RTSP session that set the audio up). */
  private readonly outputs = new Set<TrackSink>();
  private readonly c = { frames: 0, framesDropped: 0, transcoderStarts: 0 };

  constructor(private readonly o: StreamAudioOptions) {}

  /** The audio track browsers get, when the camera's audio can be sent. */
  get track(): AudioTrack | undefined {
    return this.stateValue === 'failed' || this.stateValue === 'skipped' || this.stateValue === 'unusable' ? undefined : this.trackValue;
  }

  get state(): StreamAudioState {
    return this.stateValue;
  }

  /** The source plays (again): what its audio track is decides the audio track's codec. */
  sourcePlaying(info: SourceInfo): void {
    const desc = info.audio;
    this.desc = desc;
    this.aac = undefined;
    this.closeTranscoder();
    this.reason = '';
    if (!desc) return this.setState('none');
    const pass = PASSTHROUGH[desc.codec];
    if (pass) {
      if (desc.clockRate !== pass.clockRate || desc.channels < 1 || desc.channels > pass.maxChannels) {
        return this.unusable(new GatewayError('AUDIO_UNUSABLE', `${desc.codec} at ${desc.clockRate} Hz with ${desc.channels} channels is not what browsers play`));
      }
      this.useTrack(pass.codec, pass.clockRate, info);
      return this.setState('passthrough');
    }
    if (!desc.codec.startsWith('aac')) return this.unusable(new GatewayError('AUDIO_UNUSABLE', `${desc.codec} is no codec browsers play`));
    const aac = aacInput(desc);
    if (aac instanceof GatewayError) return this.unusable(aac);
    if (!this.o.deps.audioTranscoder) {
      this.reason = 'the camera sends AAC and no AAC->Opus transcoder is configured';
      this.log(`camwire: stream ${this.o.name}: audio skipped: ${this.reason}`);
      return this.setState('skipped');
    }
    this.aac = aac;
    this.useTrack('opus', OPUS_CLOCK, info);
    this.setState('waiting');
    if (this.audioViewers > 0) this.startTranscoder();
  }

  /** The audio answer for a browser's offer, when the stream has audio to send. */
  negotiate(offerSdp: string): NegotiatedAudio | undefined {
    const track = this.track;
    return track ? negotiateAudio(offerSdp, track.codec) : undefined;
  }

  /** A viewer that takes audio joined: the first one starts the transcoder. */
  viewerAdded(): void {
    this.audioViewers++;
    if (this.audioViewers === 1 && this.stateValue === 'waiting') this.startTranscoder();
  }

  /** A viewer that took audio left: after the last one, the transcoder stops. */
  viewerRemoved(): void {
    if (this.audioViewers > 0) this.audioViewers--;
    if (this.audioViewers === 0 && this.transcoder) {
      this.closeTranscoder();
      this.setState('waiting');
    }
  }

  /** An output other than a WebRTC viewer takes the audio; false when it already did. */
  addOutput(sink: TrackSink): boolean {
    if (this.outputs.has(sink)) return false;
    this.outputs.add(sink);
    this.openOutputs();
    return true;
  }

  /** The output leaves (its sink is closed); false when it was not there. */
  removeOutput(sink: TrackSink): boolean {
    if (!this.outputs.delete(sink)) return false;
    this.trackValue?.removeSink(sink);
    sink.close();
    return true;
  }

  get outputCount(): number {
    return this.outputs.size;
  }

  /** The outputs onto the current track (a restarted source may have made a new one): from its next packet. */
  private openOutputs(): void {
    const track = this.trackValue;
    if (!track) return;
    for (const sink of this.outputs) {
      track.addSink(sink);
      track.open(sink);
    }
  }

  onFrame(frame: AudioFrame): void {
    this.c.frames++;
    const track = this.track;
    if (this.stateValue === 'passthrough' && track) return track.onFrame(frame.data, frame.timestamp, false);
    if (this.stateValue === 'transcoding' && this.transcoder) return this.transcoder.push(frame.data, frame.timestamp, frame.discontinuity);
    this.c.framesDropped++;
  }

  /** The camera's SR for its audio track: on the Opus clock when transcoding (the transcoder's timestamps are the camera's scaled to 48 kHz). */
  onSenderReport(ntpMs: number, rtpTimestamp: number): void {
    const track = this.trackValue;
    const desc = this.desc;
    if (!track || !desc) return;
    const ts = this.aac ? scaleTimestamp(rtpTimestamp, desc.clockRate) : rtpTimestamp;
    track.timeline.senderReport(ntpMs, ts);
  }

  stats(): StreamAudioStats {
    const t = this.trackValue?.stats();
    return {
      state: this.stateValue, cameraCodec: this.desc?.codec ?? '', codec: this.track?.codec ?? '', reason: this.reason,
      viewers: this.audioViewers, frames: this.c.frames, packetsOut: t?.packetsOut ?? 0, framesDropped: this.c.framesDropped,
      transcoderStarts: this.c.transcoderStarts,
    };
  }

  close(): void {
    for (const sink of [...this.outputs]) this.removeOutput(sink);
    this.closeTranscoder();
  }

  /** Keeps the track when its codec and clock stay (viewers keep playing), else a new one. */
  private useTrack(codec: BrowserAudioCodec, clockRate: number, info: SourceInfo): void {
    const t = this.trackValue;
    if (t && t.codec === codec && t.clockRate === clockRate) {
      t.sourcePlaying(info);
      return this.openOutputs();
    }
    for (const sink of this.outputs) t?.removeSink(sink);
    const r = this.o.random;
    this.trackValue = new AudioTrack({
      codec, clockRate, history: this.o.deps.history(), clock: this.o.deps.clock, timestampJumpMs: this.o.timestampJumpMs,
      ssrc: Math.floor(r() * 0x100000000) >>> 0, firstSequenceNumber: Math.floor(r() * 0x10000), firstTimestamp: Math.floor(r() * 0x100000000) >>> 0,
    });
    this.openOutputs();
  }

  private startTranscoder(): void {
    const factory = this.o.deps.audioTranscoder;
    const aac = this.aac;
    const track = this.trackValue;
    if (!factory || !aac || !track) return;
    this.c.transcoderStarts++;
    try {
      const transcoder: AudioTranscoder = factory(aac, {
        opus: (packet, ts48k) => {
          if (this.transcoder === transcoder) track.onFrame(packet, ts48k, false);
        },
        failed: (e) => {
          if (this.transcoder === transcoder) this.fail(e);
        },
      });
      this.transcoder = transcoder;
      this.setState('transcoding');
    } catch (e) {
      this.fail(e as Error & { code?: string });
    }
  }

  private fail(e: Error & { code?: string }): void {
    this.closeTranscoder();
    this.reason = `${e.code ?? 'TRANSCODER_FAILED'}: ${e.message}`;
    this.log(`camwire: stream ${this.o.name}: audio dropped: ${this.reason}`);
    this.setState('failed');
  }

  private unusable(e: GatewayError): void {
    this.reason = `${e.code}: ${e.message}`;
    this.log(`camwire: stream ${this.o.name}: audio skipped: ${e.message}`);
    this.setState('unusable');
  }

  private closeTranscoder(): void {
    const t = this.transcoder;
    this.transcoder = undefined;
    if (t) {
      try {
        t.close();
      } catch {
        /* a failing close changes nothing: it is gone */
      }
    }
  }

  private setState(s: StreamAudioState): void {
    this.stateValue = s;
  }

  private log(line: string): void {
    if (this.logged.has(line)) return;
    this.logged.add(line);
    this.o.deps.log?.warn('stream.audio', { stream: this.o.name, reason: line });
  }
}

/** The camera's timestamp on the transcoder's 48 kHz clock, as the transcoder contract stamps its output. */
export function scaleTimestamp(ts: number, clockRate: number): number {
  return Math.round((ts * OPUS_CLOCK) / clockRate) % 0x100000000 >>> 0;
}

/** What a transcoder needs from the SDP, or why the track cannot be transcoded. */
function aacInput(desc: AudioTrackDescription): AacInputFormat | GatewayError {
  const asc = desc.mpeg4Generic?.audioSpecificConfig ?? desc.latm?.streamMuxConfig?.audioSpecificConfig;
  if (!asc) return new GatewayError('AUDIO_UNUSABLE', 'AAC without an AudioSpecificConfig in the SDP (LATM config only in band)');
  if (asc.sampleRate > AAC_MAX_SAMPLE_RATE || desc.sampleRate > AAC_MAX_SAMPLE_RATE || desc.channels < 1 || desc.channels > AAC_MAX_CHANNELS) {
    return new GatewayError('AUDIO_UNUSABLE', `AAC at ${desc.sampleRate} Hz with ${desc.channels} channels`);
  }
  const bytes = desc.mpeg4Generic ? hexBytes(desc.mpeg4Generic.configHex) : serializeAudioSpecificConfig(asc);
  return { audioSpecificConfig: bytes, clockRate: desc.clockRate, channels: desc.channels };
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
