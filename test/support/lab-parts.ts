/**
 * Stand-in camwire parts for lab tests while lib/gateway/wiring.ts still throws NOT_WIRED:
 * the gateway's test glue deps and an in-process clip source (the camera leg is then not
 * exercised; only WebRTC-leg scenarios are meaningful). Used only when the real wiring is absent.
 */
import type { GatewayParts } from '../../lib/lab/run-one.js';
import { defaultDeps } from '../../lib/gateway/wiring.js';
import { ClipSource } from './clip-source.js';
import { makeClip } from './glue/h264-clip.js';
import { glueDeps } from './glue/deps.js';

/** undefined when camwire's own wiring works (then the lab uses it). */
export function labStandInParts(): GatewayParts | undefined {
  try {
    defaultDeps();
    return undefined;
  } catch {
    // not wired yet
  }
  const clip = makeClip({ width: 1280, height: 720, fps: 30, seconds: 4, gop: 60 });
  return {
    deps: glueDeps,
    sourceFactory: () => () => new ClipSource(clip.units, clip.fps, { width: clip.width, height: clip.height, profileLevelId: '42c01f' }),
  };
}
