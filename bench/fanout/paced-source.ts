/**
 * The synthetic camera as a gateway VideoSource, on the wall clock: every tick sends every
 * frame that is due, so the stream keeps its nominal 30 fps (in bursts) even when a busy
 * machine delays timers. Both fan-out senders pace their frames this way.
 */
import { performance } from 'node:perf_hooks';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FPS, TS_STEP, type Frame } from '../stream1080p.js';

/** At most this many frames are caught up at once; a sender further behind skips frames. */
const MAX_CATCH_UP = 15;

/**
 * Calls `onFrame(index)` for every frame due since the start, checking every few ms; frames
 * more than MAX_CATCH_UP behind are skipped (their indexes are not reused).
 */
export function paceFrames(onFrame: (index: number) => void): () => void {
  const start = performance.now();
  let next = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) * FPS) / 1000) + 1;
    if (due - next > MAX_CATCH_UP) next = due - MAX_CATCH_UP;
    while (next < due) onFrame(next++);
  }, 5);
  return () => clearInterval(timer);
}

export class PacedSource implements VideoSource {
  private stopPacing: (() => void) | undefined;
  frames = 0;

  constructor(private readonly gop: Frame[], private readonly meta: SourceInfo) {}

  start(sink: SourceSink): void {
    sink.onState('playing');
    this.stopPacing = paceFrames((i) => {
      const f = this.gop[i % this.gop.length];
      this.frames++;
      sink.onAccessUnit({ nalus: f.nalus, keyframe: f.keyframe, timestamp: (1000 + i * TS_STEP) >>> 0 });
    });
  }

  stop(): void {
    this.stopPacing?.();
    this.stopPacing = undefined;
  }

  requestKeyframe(): void {}

  info(): SourceInfo {
    return this.meta;
  }

  stats(): Record<string, number | string> {
    return { frames: this.frames };
  }
}
