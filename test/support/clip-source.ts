/**
 * A VideoSource that plays an H.264 clip in real time, looped, like a camera: timestamps keep
 * rising across loops, keyframe requests are counted (and honoured only if asked to).
 */
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';

export interface ClipUnit {
  nalus: Uint8Array[];
  keyframe: boolean;
}

export class ClipSource implements VideoSource {
  starts = 0;
  stops = 0;
  keyframeRequests = 0;
  private timer: NodeJS.Timeout | undefined;
  private sink: SourceSink | undefined;
  private index = 0;
  private ts = 1234;
  private sent = 0;

  constructor(
    private readonly units: ClipUnit[],
    private readonly fps: number,
    private readonly meta: SourceInfo = {},
  ) {}

  start(sink: SourceSink): void {
    this.starts++;
    this.sink = sink;
    sink.onState('playing');
    this.timer = setInterval(() => this.next(), 1000 / this.fps);
  }

  stop(): void {
    if (!this.timer) return;
    this.stops++;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sink?.onState('stopped');
    this.sink = undefined;
  }

  /** Simulates a camera restart: a gap, then timestamps from a new random base. */
  restart(gapMs: number): void {
    if (!this.sink) return;
    const sink = this.sink;
    clearInterval(this.timer);
    sink.onState('reconnecting');
    this.timer = setTimeout(() => {
      this.ts = Math.floor(Math.random() * 0xffffffff);
      this.index = 0;
      sink.onState('playing');
      this.timer = setInterval(() => this.next(), 1000 / this.fps);
    }, gapMs);
  }

  requestKeyframe(): void {
    this.keyframeRequests++;
  }

  info(): SourceInfo {
    return this.meta;
  }

  stats(): Record<string, number | string> {
    return { accessUnits: this.sent, keyframeRequests: this.keyframeRequests };
  }

  private next(): void {
    const u = this.units[this.index];
    this.index = (this.index + 1) % this.units.length;
    const au: AccessUnit = { nalus: u.nalus, keyframe: u.keyframe, timestamp: this.ts };
    this.ts = (this.ts + Math.round(90000 / this.fps)) >>> 0;
    this.sent++;
    this.sink?.onAccessUnit(au);
  }
}
