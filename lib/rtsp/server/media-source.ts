/**
 * Where a served clip's pictures come from. PacedClipSource pulls one frame at a time, at the
 * pace of the frames' durations, and asks for a keyframe when its stream needs one (PLI/FIR,
 * a new viewer, a slow viewer that skipped ahead: merged and rate-limited by the stream).
 */
import type { ClipFrame, H264Clip } from './h264-clip.js';
import { RtspServerError } from './errors.js';

export interface MediaFrame {
  readonly nalus: readonly Uint8Array[];
  readonly keyframe: boolean;
  /** Time until the next frame, in 90 kHz RTP units. */
  readonly duration: number;
  /** The frame's place in the clip (0 = its first frame), for sound cut to match it. */
  readonly index: number;
}

export interface H264Source {
  readonly sps: Uint8Array;
  readonly pps: Uint8Array;
  /** Frames per second, for the SDP `a=framerate` line (informative). */
  readonly frameRate: number;
  nextFrame(): MediaFrame;
  /** The next `nextFrame()` must return a keyframe. */
  requestKeyframe(): void;
}

export interface LoopSourceStats {
  frames: number;
  loops: number;
  /** Keyframe requests that made the source jump ahead to the next IDR. */
  keyframeJumps: number;
  /** Frames skipped by those jumps. */
  framesSkipped: number;
}

/**
 * Loops a clip forever, like a camera that never stops. A keyframe request jumps straight
 * to the next IDR in the clip (wrapping round) rather than re-sending the last one: the
 * frames after a re-sent IDR would be P-frames that reference pictures the viewer never
 * decoded, so the picture would stay broken until the next real IDR. Jumping keeps the
 * reference chain intact (the IDR is followed by its own GOP), costs nothing, and for a
 * demo loop a skip of under one GOP is invisible. Timestamps keep advancing by one frame
 * duration per frame, so the jump never disturbs pacing.
 */
export class LoopingClipSource implements H264Source {
  readonly sps: Uint8Array;
  readonly pps: Uint8Array;
  readonly frameRate: number;
  readonly stats: LoopSourceStats = { frames: 0, loops: 0, keyframeJumps: 0, framesSkipped: 0 };
  private readonly frames: readonly ClipFrame[];
  private readonly keyframes: readonly number[];
  private readonly duration: number;
  private position = 0;
  private keyframeWanted = false;

  constructor(clip: H264Clip, frameRate = 25) {
    if (!(frameRate > 0 && frameRate <= 240)) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `frame rate ${frameRate} is outside (0, 240]`);
    this.frames = clip.frames;
    this.keyframes = clip.keyframes;
    this.sps = clip.sps;
    this.pps = clip.pps;
    this.frameRate = frameRate;
    this.duration = Math.round(90000 / frameRate);
  }

  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  nextFrame(): MediaFrame {
    if (this.keyframeWanted) {
      this.keyframeWanted = false;
      if (!this.frames[this.position].keyframe) this.jumpToNextKeyframe();
    }
    const index = this.position;
    const frame = this.frames[index];
    this.position++;
    if (this.position === this.frames.length) {
      this.position = 0;
      this.stats.loops++;
    }
    this.stats.frames++;
    return { nalus: frame.nalus, keyframe: frame.keyframe, duration: this.duration, index };
  }

  private jumpToNextKeyframe(): void {
    let next = this.keyframes.find((k) => k > this.position);
    let skipped: number;
    if (next === undefined) {
      next = this.keyframes[0];
      skipped = this.frames.length - this.position + next;
      this.stats.loops++;
    } else {
      skipped = next - this.position;
    }
    this.position = next;
    this.stats.keyframeJumps++;
    this.stats.framesSkipped += skipped;
  }
}
