/**
 * A clip (H264Source: the demo loop) played like a camera, as a gateway VideoSource: each frame
 * is delivered as an access unit when its timestamp is due (RtpPacer: anchored, so timer jitter
 * never accumulates, and re-anchored after a stall instead of bursting). A keyframe request
 * makes the clip's next frame an IDR; the Stream that owns this source rate-limits them.
 * With `sound`, each frame's sound follows it as one audio frame (its own timestamps, on the
 * sound's clock, from the same pacing: the two tracks start and stay together).
 */
import type { Clock, TimerHandle } from '../../clock.js';
import { tsAdd } from '../../rtp/seq.js';
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../../gateway/source.js';
import type { H264Source } from './media-source.js';
import { PACER_DEFAULTS, RtpPacer } from './pacer.js';
import { profileLevelId } from './sdp.js';
import type { AudioFrame } from '../../audio/index.js';
import type { BeepAudio } from './beep-audio.js';

export interface PacedClipSourceOptions {
  clock: Clock;
  /** Lateness after which pacing re-anchors instead of bursting. Default 1000 ms. */
  maxLagMs?: number;
  /** The clip's sound (G.711, one audio frame per video frame). Default: none. */
  sound?: BeepAudio;
}

export interface PacedClipSourceStats {
  frames: number;
  keyframes: number;
  /** Keyframe requests passed on to the clip (after the Stream's rate limit). */
  keyframeRequests: number;
  reanchors: number;
}

export class PacedClipSource implements VideoSource {
  readonly clip: H264Source;
  private readonly clock: Clock;
  private readonly pacer: RtpPacer;
  private readonly sound: BeepAudio | undefined;
  /** One audio frame object, refilled per frame (the sink copies what it keeps). */
  private readonly audio: AudioFrame = { data: new Uint8Array(0), timestamp: 0, sequenceNumber: 0, discontinuity: false };
  private readonly c = { frames: 0, keyframes: 0, keyframeRequests: 0 };
  /** One access unit object, refilled per frame (the sink copies what it keeps). */
  private readonly unit: { nalus: readonly Uint8Array[]; timestamp: number; keyframe: boolean } = { nalus: [], timestamp: 0, keyframe: false };
  private sink: SourceSink | undefined;
  private timer: TimerHandle | undefined;
  /** Source timestamp of the next frame; any base, the Stream re-bases it on every start. */
  private timestamp = 0;

  constructor(clip: H264Source, opts: PacedClipSourceOptions) {
    this.clip = clip;
    this.clock = opts.clock;
    this.sound = opts.sound;
    this.pacer = new RtpPacer({ clockRate: 90000, maxLagMs: opts.maxLagMs ?? PACER_DEFAULTS.maxLagMs });
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(sink: SourceSink): void {
    if (this.timer !== undefined) return;
    this.sink = sink;
    this.pacer.anchor(this.timestamp, this.clock.now());
    sink.onState('playing');
    this.timer = this.clock.setTimer(0, this.tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.sink = undefined;
  }

  requestKeyframe(): void {
    this.c.keyframeRequests++;
    this.clip.requestKeyframe();
  }

  info(): SourceInfo {
    const info: SourceInfo = { profileLevelId: profileLevelId(this.clip.sps), parameterSets: [this.clip.sps, this.clip.pps] };
    if (this.sound) info.audio = this.sound.description;
    return info;
  }

  stats(): PacedClipSourceStats & Record<string, number> {
    return { ...this.c, reanchors: this.pacer.stats.reanchors };
  }

  private sendSound(index: number, duration: number): void {
    const a = this.audio;
    a.data = this.sound!.frame(index, duration);
    this.sink?.onAudioFrame?.(a);
    // G.711: one byte a sample
    a.timestamp = tsAdd(a.timestamp, a.data.length);
    a.sequenceNumber = (a.sequenceNumber + 1) & 0xffff;
  }

  private readonly tick = (): void => {
    const frame = this.clip.nextFrame();
    const au: AccessUnit = this.unit;
    this.unit.nalus = frame.nalus;
    this.unit.timestamp = this.timestamp;
    this.unit.keyframe = frame.keyframe;
    this.c.frames++;
    if (frame.keyframe) this.c.keyframes++;
    this.sink?.onAccessUnit(au);
    if (this.sound) this.sendSound(frame.index, frame.duration);
    this.timestamp = tsAdd(this.timestamp, frame.duration);
    if (this.timer === undefined) return; // the sink stopped this source
    this.timer = this.clock.setTimer(this.pacer.delayUntil(this.timestamp, this.clock.now()), this.tick);
  };
}
