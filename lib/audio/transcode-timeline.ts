/**
 * Where each Opus packet the encoder makes lies on the camera's timeline. The encoder sees one
 * gapless sample stream (the "pipe"); the camera's timestamps may jump (loss, a dropped queue
 * entry, a restarted camera). The input side records an anchor (pipe position <-> camera
 * timestamp) wherever the camera's timeline does not continue the pipe's; the output side counts
 * the samples of each packet, starts `preSkip` samples early (the encoder's lookahead: its first
 * packet decodes to priming before the first input sample) and maps its position back through
 * the anchor it falls after. Counting, never summing durations in floating point: no drift.
 */
import { tsAdd } from '../rtp/seq.js';

export const OPUS_CLOCK_RATE = 48_000;

/**
 * A camera RTP timestamp as the same instant on a 48 kHz clock, modulo 2^32. Exact and
 * consistent across the input's wrap when 48000 is a multiple of the clock rate (8, 12, 16, 24,
 * 48 kHz); other rates (44.1, 32 kHz...) jump once per input wrap (>= 12 hours), which the
 * timeline takes for a discontinuity. Apply the same function to the camera's Sender Reports.
 */
export function scaleTimestampTo48k(ts: number, clockRate: number): number {
  return Math.floor((ts * OPUS_CLOCK_RATE) / clockRate) % 0x1_0000_0000;
}

export interface TranscodeTimelineOptions {
  /** Anchors waiting for the output to pass them; past it the oldest is dropped (counted). */
  maxAnchors?: number;
}

export const TRANSCODE_TIMELINE_DEFAULTS: Readonly<Required<TranscodeTimelineOptions>> = Object.freeze({
  // one per discontinuity in the encoder's pipe: a healthy stream has a handful
  maxAnchors: 256,
});

export interface TranscodeTimelineStats {
  /** Input timestamps that did not continue the previous access unit (or came flagged). */
  discontinuities: number;
  /** Anchors dropped because maxAnchors were waiting (output stalled while input jumped). */
  anchorsDropped: number;
}

export class TranscodeTimeline {
  readonly stats: TranscodeTimelineStats = { discontinuities: 0, anchorsDropped: 0 };
  /** Pipe position of each anchor in 48 kHz samples (fractional for rates like 44.1 kHz). */
  private readonly anchorPipe48: Float64Array;
  private readonly anchorTs48: Float64Array;
  private head = 0;
  private count = 0;
  private fedTicks = 0;
  private expectedTs = 0;
  private started = false;
  private outPos48 = 0;

  constructor(private readonly clockRate: number, private readonly frameTicks: number, options: TranscodeTimelineOptions = {}) {
    const max = options.maxAnchors ?? TRANSCODE_TIMELINE_DEFAULTS.maxAnchors;
    this.anchorPipe48 = new Float64Array(max);
    this.anchorTs48 = new Float64Array(max);
  }

  /** One access unit of `frameTicks` went into the encoder's pipe. */
  input(ts: number, discontinuity: boolean): void {
    if (!this.started || discontinuity || ts !== this.expectedTs) {
      if (this.started) this.stats.discontinuities++;
      this.addAnchor((this.fedTicks * OPUS_CLOCK_RATE) / this.clockRate, scaleTimestampTo48k(ts, this.clockRate));
    }
    this.started = true;
    this.expectedTs = tsAdd(ts, this.frameTicks);
    this.fedTicks += this.frameTicks;
  }

  /** The encoder announced its pre-skip (OpusHead): its first packet starts that early. */
  startOutput(preSkip48: number): void {
    this.outPos48 = -preSkip48;
  }

  /** The 48 kHz timestamp of the encoder's next packet, which covers `samples48`. */
  output(samples48: number): number {
    const q = this.outPos48;
    this.outPos48 += samples48;
    const max = this.anchorPipe48.length;
    while (this.count > 1 && this.anchorPipe48[(this.head + 1) % max] <= q) {
      this.head = (this.head + 1) % max;
      this.count--;
    }
    // input always precedes output, so an anchor exists; 0 only for an encoder that invents audio
    if (this.count === 0) return 0;
    return tsAdd(this.anchorTs48[this.head], Math.round(q - this.anchorPipe48[this.head]));
  }

  /** A new encoder (process restart): a new pipe, starting empty. */
  reset(): void {
    this.head = this.count = 0;
    this.fedTicks = 0;
    this.started = false;
    this.outPos48 = 0;
  }

  private addAnchor(pipe48: number, ts48: number): void {
    const max = this.anchorPipe48.length;
    if (this.count === max) {
      this.head = (this.head + 1) % max;
      this.count--;
      this.stats.anchorsDropped++;
    }
    const at = (this.head + this.count) % max;
    this.anchorPipe48[at] = pipe48;
    this.anchorTs48[at] = ts48;
    this.count++;
  }
}
