/**
 * What one rendition measures of itself, as a passive sink of its video track: bitrate and
 * frame rate over a sliding window, frame size (from the SPS its keyframes carry) and the
 * keyframe interval, so a switch knows whether the next keyframe is near or must be asked for.
 * Per packet it only adds; the rates are worked out on the stream's tick.
 */
import { parseRtp } from '../rtp/packet.js';
import { parseSps } from '../h264/sps.js';
import type { CachedKeyframe } from './keyframe-cache.js';
import type { TrackSink } from './track-sink.js';

export const RENDITION_METER_DEFAULTS = Object.freeze({
  /** Bitrate and frame rate are averaged over this window (ms). */
  windowMs: 2000,
});

export interface RenditionMeasure {
  /** Egress bits per second (RTP headers included) over the last window, 0 before one has passed. */
  bitrateBps: number;
  framesPerSecond: number;
  /** From the newest keyframe's SPS; 0 until one came. */
  width: number;
  height: number;
  /** Smoothed time between keyframes (ms), 0 until two came. */
  keyframeIntervalMs: number;
  keyframes: number;
}

const NAL_SPS = 7;
const NAL_STAP_A = 24;

export class RenditionMeter implements TrackSink {
  /** Always playing: the track never starts it, it only watches what goes by. */
  readonly state = 'playing';
  /** When the newest keyframe went out (ms), -1 before any. */
  lastKeyframeAt = -1;
  private bytes = 0;
  private frames = 0;
  private lastTs = -1;
  private windowStart = -1;
  private windowBytes = 0;
  private windowFrames = 0;
  private readonly m: RenditionMeasure = { bitrateBps: 0, framesPerSecond: 0, width: 0, height: 0, keyframeIntervalMs: 0, keyframes: 0 };

  constructor(private readonly now: () => number, private readonly windowMs = RENDITION_METER_DEFAULTS.windowMs) {}

  waitForKeyframe(): void {}
  startFromCache(_cache: CachedKeyframe): void {}
  tick(): void {}
  close(): void {}

  sendLive(packet: Uint8Array, _egressSeq: number, egressTs: number, keyframeStart: boolean): void {
    this.bytes += packet.length;
    if (egressTs !== this.lastTs) {
      this.frames++;
      this.lastTs = egressTs;
    }
    if (keyframeStart) this.keyframe(packet);
  }

  /** Closes the window when it is over (the stream's tick). */
  sample(now: number): void {
    if (this.windowStart < 0) {
      this.restartWindow(now);
      return;
    }
    const span = now - this.windowStart;
    if (span < this.windowMs) return;
    this.m.bitrateBps = Math.round(((this.bytes - this.windowBytes) * 8 * 1000) / span);
    this.m.framesPerSecond = Math.round(((this.frames - this.windowFrames) * 10_000) / span) / 10;
    this.restartWindow(now);
  }

  /** Milliseconds until the next keyframe is expected; Infinity when no interval is known yet. */
  nextKeyframeInMs(now: number): number {
    if (this.lastKeyframeAt < 0 || this.m.keyframeIntervalMs === 0) return Infinity;
    return this.lastKeyframeAt + this.m.keyframeIntervalMs - now;
  }

  measure(): Readonly<RenditionMeasure> {
    return this.m;
  }

  private restartWindow(now: number): void {
    this.windowStart = now;
    this.windowBytes = this.bytes;
    this.windowFrames = this.frames;
  }

  private keyframe(packet: Uint8Array): void {
    const now = this.now();
    if (this.lastKeyframeAt >= 0) {
      const gap = now - this.lastKeyframeAt;
      const k = this.m.keyframeIntervalMs;
      this.m.keyframeIntervalMs = Math.round(k === 0 ? gap : k * 0.75 + gap * 0.25);
    }
    this.lastKeyframeAt = now;
    this.m.keyframes++;
    this.readFrameSize(packet);
  }

  /** Width and height from an SPS at the start of the keyframe (alone or in a STAP-A); a bad one is ignored. */
  private readFrameSize(packet: Uint8Array): void {
    try {
      const payload = parseRtp(packet).payload;
      if (payload.length < 2) return;
      const type = payload[0] & 0x1f;
      let sps: Uint8Array | undefined;
      if (type === NAL_SPS) sps = payload;
      else if (type === NAL_STAP_A) sps = spsInStapA(payload);
      if (!sps) return;
      const parsed = parseSps(sps);
      this.m.width = parsed.width;
      this.m.height = parsed.height;
    } catch {
      // not an RTP packet or not a parsable SPS: the size stays what it was
    }
  }
}

function spsInStapA(payload: Uint8Array): Uint8Array | undefined {
  let i = 1;
  while (i + 2 <= payload.length) {
    const size = (payload[i] << 8) | payload[i + 1];
    i += 2;
    if (size === 0 || i + size > payload.length) return undefined;
    if ((payload[i] & 0x1f) === NAL_SPS) return payload.subarray(i, i + size);
    i += size;
  }
  return undefined;
}
