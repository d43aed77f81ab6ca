/**
 * AAC -> Opus for one stream (decode once, encode once, whatever the number of viewers), by an
 * ffmpeg child process: access units go in as ADTS through a bounded queue, Ogg/Opus comes back
 * and each packet is put on the camera's timeline (TranscodeTimeline). A dying process is
 * restarted a bounded number of times per window, then the transcoder fails; a missing ffmpeg
 * (or one without libopus) fails at once with AUDIO_TRANSCODER_MISSING. Why ffmpeg: docs/audio.md.
 */
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { ADTS_HEADER_SIZE, ADTS_MAX_FRAME_LENGTH, writeAdtsHeader } from './adts.js';
import { aacFrameTicks, parseAudioSpecificConfig, type AudioSpecificConfig } from './audio-specific-config.js';
import { startEncoderProcess, type EncoderProcess } from './encoder-process.js';
import { AudioTranscoderError, type AudioTranscoderErrorCode } from './errors.js';
import { ffmpegTranscodeArgs, lacksLibopus } from './ffmpeg-command.js';
import { OggReader } from './ogg-reader.js';
import { opusPacketSamples48k } from './opus-toc.js';
import { TranscodeTimeline, type TranscodeTimelineOptions } from './transcode-timeline.js';
import type { AacInputFormat, AudioTranscoder, TranscodedOpusSink, TranscoderState } from './transcoder.js';

export interface AacToOpusOptions {
  /** The ffmpeg executable (a name looked up on PATH, or a path). */
  ffmpegPath?: string;
  /** Opus bitrate per output channel (mono 32 kb/s, stereo 64 kb/s by default). */
  bitratePerChannel?: number;
  /** libopus packet-loss hint for its in-band FEC (always on), 1..100. */
  expectedLossPercent?: number;
  /** libopus complexity, 0..10: CPU against quality. */
  complexity?: number;
  /** Access units waiting for the encoder; when it falls behind the oldest is dropped (counted). */
  maxQueuedAccessUnits?: number;
  /** Process restarts allowed within restartWindowMs; one more and the transcoder fails. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Pause before a restart (a process that dies at once must not spin). */
  restartDelayMs?: number;
  timeline?: TranscodeTimelineOptions;
  clock?: Clock;
}

export const AAC_TO_OPUS_DEFAULTS: Readonly<Required<Omit<AacToOpusOptions, 'timeline' | 'clock'>>> = Object.freeze({
  ffmpegPath: 'ffmpeg',
  // WebRTC's own Opus default for speech is 32 kb/s mono; lectures are speech
  bitratePerChannel: 32_000,
  expectedLossPercent: 10,
  // libwebrtc's choice on phones; 10 costs ~35% more CPU per stream (docs/audio.md) for little
  // audible gain on speech at 32 kb/s
  complexity: 5,
  // 32 AUs: 0.68 s at 48 kHz, 2 s at 16 kHz; an encoder further behind than that is stalled
  maxQueuedAccessUnits: 32,
  maxRestarts: 3,
  restartWindowMs: 60_000,
  restartDelayMs: 500,
});

export interface AacToOpusStats {
  accessUnitsIn: number;
  /** Dropped from the queue's old end because the encoder fell behind. */
  accessUnitsDropped: number;
  /** Empty, or too large for an ADTS frame. */
  accessUnitsRejected: number;
  packetsOut: number;
  /** Encoder output that was not an Opus packet with a readable TOC. */
  badPackets: number;
  restarts: number;
  discontinuities: number;
}

/** Output stream position: OpusHead (pre-skip), then OpusTags, then audio packets. */
const enum OutputStage { Head, Tags, Audio }

/** The pre-skip field of an OpusHead packet (RFC 7845 5.1). */
function preSkipOf(head: Uint8Array): number {
  return head.length >= 12 ? head[10] | (head[11] << 8) : 0;
}

function checkOptions(o: Required<Omit<AacToOpusOptions, 'timeline' | 'clock'>>): void {
  const bad = (what: string) => new AudioTranscoderError('AUDIO_TRANSCODER_BAD_INPUT', `option ${what}`);
  const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!intIn(o.bitratePerChannel, 6000, 256_000)) throw bad(`bitratePerChannel ${o.bitratePerChannel} outside 6000..256000`);
  if (!intIn(o.expectedLossPercent, 1, 100)) throw bad(`expectedLossPercent ${o.expectedLossPercent} outside 1..100`);
  if (!intIn(o.complexity, 0, 10)) throw bad(`complexity ${o.complexity} outside 0..10`);
  if (!intIn(o.maxQueuedAccessUnits, 1, 10_000)) throw bad(`maxQueuedAccessUnits ${o.maxQueuedAccessUnits} outside 1..10000`);
  if (!intIn(o.maxRestarts, 0, 1000)) throw bad(`maxRestarts ${o.maxRestarts} outside 0..1000`);
}

function checkedConfig(input: AacInputFormat): AudioSpecificConfig {
  const asc = parseAudioSpecificConfig(input.audioSpecificConfig);
  // ADTS is how ffmpeg reads the access units: a config it cannot express cannot be transcoded
  writeAdtsHeader(asc, 0, new Uint8Array(ADTS_HEADER_SIZE));
  if (!Number.isInteger(input.clockRate) || input.clockRate < 1000 || input.clockRate > 192_000) {
    throw new AudioTranscoderError('AUDIO_TRANSCODER_BAD_INPUT', `clock rate ${input.clockRate}`);
  }
  return asc;
}

export class AacToOpusTranscoder implements AudioTranscoder {
  state: TranscoderState = 'starting';
  failure: string | undefined;
  readonly stats: AacToOpusStats = { accessUnitsIn: 0, accessUnitsDropped: 0, accessUnitsRejected: 0, packetsOut: 0, badPackets: 0, restarts: 0, discontinuities: 0 };

  private readonly o: Required<Omit<AacToOpusOptions, 'timeline' | 'clock'>>;
  private readonly clock: Clock;
  private readonly asc: AudioSpecificConfig | undefined;
  private readonly args: string[] = [];
  private readonly timeline: TranscodeTimeline;
  private readonly reader = new OggReader((p) => this.onPacket(p));
  private readonly queue: { frame: Uint8Array; ts: number; discontinuity: boolean }[] = [];
  private proc: EncoderProcess | undefined;
  private starting = false;
  private writable = false;
  private stage = OutputStage.Head;
  private restartTimer: TimerHandle | undefined;
  private readonly restartTimes: number[] = [];

  constructor(input: AacInputFormat, private readonly sink: TranscodedOpusSink, options: AacToOpusOptions = {}) {
    this.o = { ...AAC_TO_OPUS_DEFAULTS, ...options };
    // options are the embedder's, not the camera's: wrong ones throw here
    checkOptions(this.o);
    this.clock = options.clock ?? systemClock;
    let asc: AudioSpecificConfig | undefined;
    try {
      asc = checkedConfig(input);
    } catch (e) {
      this.fail('AUDIO_TRANSCODER_BAD_INPUT', `AAC config cannot be transcoded: ${(e as Error).message}`);
    }
    this.asc = asc;
    this.timeline = new TranscodeTimeline(input.clockRate, asc ? aacFrameTicks(asc, input.clockRate) : 1024, options.timeline);
    if (asc) {
      const channels = asc.channels >= 2 || asc.sbrPs?.psPresent ? 2 : 1;
      this.args = ffmpegTranscodeArgs({ bitrate: this.o.bitratePerChannel * channels, channels, expectedLossPercent: this.o.expectedLossPercent, complexity: this.o.complexity });
    }
  }

  push(accessUnit: Uint8Array, timestamp: number, discontinuity: boolean): void {
    if (this.state === 'failed' || this.state === 'closed' || !this.asc) return;
    this.stats.accessUnitsIn++;
    if (accessUnit.length === 0 || accessUnit.length + ADTS_HEADER_SIZE > ADTS_MAX_FRAME_LENGTH) {
      this.stats.accessUnitsRejected++;
      return;
    }
    const frame = new Uint8Array(ADTS_HEADER_SIZE + accessUnit.length);
    writeAdtsHeader(this.asc, accessUnit.length, frame);
    frame.set(accessUnit, ADTS_HEADER_SIZE);
    if (this.queue.length >= this.o.maxQueuedAccessUnits) {
      // the timeline sees the jump in timestamps after the hole and anchors there
      this.queue.shift();
      this.stats.accessUnitsDropped++;
    }
    this.queue.push({ frame, ts: timestamp, discontinuity });
    if (!this.proc && !this.starting && !this.restartTimer) this.start();
    else this.pump();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stop();
  }

  private start(): void {
    this.starting = true;
    startEncoderProcess(this.o.ffmpegPath, this.args, {
      output: (chunk) => this.reader.push(chunk),
      drain: () => {
        this.writable = true;
        this.pump();
      },
      exit: (code, stderr, error) => this.onExit(code, stderr, error),
    }).then((proc) => {
      this.starting = false;
      if (this.state === 'closed' || this.state === 'failed') {
        proc.kill();
        return;
      }
      this.proc = proc;
      this.writable = true;
      this.stage = OutputStage.Head;
      this.timeline.reset();
      this.reader.reset();
      this.pump();
    }, (e: Error) => {
      this.starting = false;
      this.fail('AUDIO_TRANSCODER_FAILED', `cannot start ${this.o.ffmpegPath}: ${e.message}`);
    });
  }

  private pump(): void {
    while (this.proc && this.writable && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.timeline.input(next.ts, next.discontinuity);
      this.writable = this.proc.write(next.frame);
    }
    this.stats.discontinuities = this.timeline.stats.discontinuities;
  }

  private onPacket(packet: Uint8Array): void {
    if (this.stage === OutputStage.Head) {
      this.timeline.startOutput(preSkipOf(packet));
      this.stage = OutputStage.Tags;
      return;
    }
    if (this.stage === OutputStage.Tags) {
      this.stage = OutputStage.Audio;
      return;
    }
    const samples = opusPacketSamples48k(packet);
    if (samples === 0) {
      this.stats.badPackets++;
      return;
    }
    const ts = this.timeline.output(samples);
    if (this.state === 'starting') this.state = 'running';
    this.stats.packetsOut++;
    this.sink.opus(packet, ts);
  }

  private onExit(code: number | null, stderr: string, error: NodeJS.ErrnoException | undefined): void {
    this.proc = undefined;
    this.writable = false;
    if (this.state === 'closed' || this.state === 'failed') return;
    if (error?.code === 'ENOENT') {
      this.fail('AUDIO_TRANSCODER_MISSING', `install ffmpeg (apt-get install ffmpeg): ${this.o.ffmpegPath} not found`);
    } else if (lacksLibopus(stderr)) {
      this.fail('AUDIO_TRANSCODER_MISSING', `${this.o.ffmpegPath} has no libopus encoder: install Debian's ffmpeg (apt-get install ffmpeg)`);
    } else if (error) {
      this.fail('AUDIO_TRANSCODER_FAILED', `cannot run ${this.o.ffmpegPath}: ${error.code ?? error.message}`);
    } else {
      this.restart(`${this.o.ffmpegPath} exited with ${code ?? 'a signal'}${lastLine(stderr)}`);
    }
  }

  private restart(why: string): void {
    const now = this.clock.now();
    while (this.restartTimes.length > 0 && now - this.restartTimes[0] > this.o.restartWindowMs) this.restartTimes.shift();
    if (this.restartTimes.length >= this.o.maxRestarts) {
      this.fail('AUDIO_TRANSCODER_FAILED', `${why} (${this.restartTimes.length} restarts within ${this.o.restartWindowMs} ms)`);
      return;
    }
    this.restartTimes.push(now);
    this.stats.restarts++;
    this.state = 'starting';
    this.restartTimer = this.clock.setTimer(this.o.restartDelayMs, () => {
      this.restartTimer = undefined;
      this.start();
    });
  }

  private fail(code: AudioTranscoderErrorCode, message: string): void {
    const error = new AudioTranscoderError(code, message);
    this.state = 'failed';
    this.failure = error.message;
    this.stop();
    // never call back into the owner before it holds the transcoder
    queueMicrotask(() => this.sink.failed(error));
  }

  private stop(): void {
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.proc?.kill();
    this.proc = undefined;
    this.queue.length = 0;
  }
}

/** ": <last line of stderr>", short, or nothing. */
function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').pop()?.trim() ?? '';
  return line ? `: ${line.slice(0, 200)}` : '';
}

/** An AudioTranscoderFactory (with options): the transcoder starts ffmpeg on its first access unit. */
export function createAacToOpusTranscoder(input: AacInputFormat, sink: TranscodedOpusSink, options?: AacToOpusOptions): AacToOpusTranscoder {
  return new AacToOpusTranscoder(input, sink, options);
}
