/**
 * Stand-ins for camwire parts that are not wired yet, so lab tests run before lib/rtsp's
 * client reaches the gateway: an in-process looping clip source (the camera leg is then not
 * exercised) and lib/h264's packetizer if the deps lack one. Each stand-in is used only while
 * the real part throws NOT_WIRED.
 */
import { readFileSync } from 'node:fs';
import type { GatewayDeps } from '../../lib/gateway/deps.js';
import type { SourceFactory } from '../../lib/gateway/gateway.js';
import type { AccessUnit, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { defaultDeps, defaultSourceFactory } from '../../lib/gateway/wiring.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { loadH264Clip, type ClipFrame } from '../../lib/rtsp/h264-clip.js';
import { labClip } from '../../lib/lab/cameras.js';
import type { GatewayParts } from '../../lib/lab/run-one.js';

/** Plays a clip in real time like a camera, 30 fps, timestamps rising across loops. */
class LoopingClip implements VideoSource {
  private timer: NodeJS.Timeout | undefined;
  private i = 0;
  private ts = 90000;
  private sent = 0;
  constructor(private readonly frames: readonly ClipFrame[]) {}
  start(sink: SourceSink): void {
    sink.onState('playing');
    const t0 = performance.now();
    // Paced against the clock, not by interval counts, so a busy event loop does not slow the camera.
    const tick = () => {
      while (this.sent < ((performance.now() - t0) * 30) / 1000) {
        const f = this.frames[this.i];
        this.i = (this.i + 1) % this.frames.length;
        const au: AccessUnit = { nalus: f.nalus, keyframe: f.keyframe, timestamp: this.ts };
        this.ts = (this.ts + 3000) >>> 0;
        this.sent++;
        sink.onAccessUnit(au);
      }
    };
    this.timer = setInterval(tick, 10);
  }
  stop(): void {
    clearInterval(this.timer);
  }
  requestKeyframe(): void {
    // a looping clip has its own keyframes every 2 s
  }
  info() {
    return { width: 1280, height: 720, profileLevelId: '42c01f' };
  }
  stats() {
    return { accessUnits: this.sent };
  }
}

function notWired(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'NOT_WIRED';
  }
}

/** undefined when camwire's own wiring works (the lab then uses it unchanged). */
export function labStandInParts(cacheDir: string): GatewayParts | undefined {
  const depsMissing = notWired(() => defaultDeps().packetizer());
  const sourceMissing = notWired(() => defaultSourceFactory()('lab', { url: 'rtsp://127.0.0.1/lab' }));
  if (!depsMissing && !sourceMissing) return undefined;
  const parts: GatewayParts = {};
  if (depsMissing) {
    parts.deps = (): GatewayDeps => ({ ...defaultDeps(), packetizer: () => new H264Packetizer({ mtu: 1200 }) });
  }
  if (sourceMissing) {
    const clip = loadH264Clip(splitAnnexB(readFileSync(labClip(cacheDir))));
    parts.sourceFactory = (): SourceFactory => () => new LoopingClip(clip.frames);
  }
  return parts;
}
