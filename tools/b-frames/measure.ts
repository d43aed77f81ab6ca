/**
 * `node dist/tools/b-frames/measure.js [seconds]`: every B-frame case (no pyramid / pyramid x
 * drop / forward) in Chromium through the gateway, one JSON line each (docs/cameras.md#b-frames).
 */
import { runBFrames } from '../../spec/support/b-frames-run.js';

const seconds = Number(process.argv[2] ?? 15);
for (const pyramid of [false, true]) {
  for (const bFrames of ['drop', 'forward'] as const) {
    const r = await runBFrames({ pyramid, bFrames, seconds });
    const v = r.viewer;
    process.stdout.write(JSON.stringify({
      pyramid, bFrames, seconds, decodedFps: Math.round(r.decodedFps * 10) / 10, framesReceived: v.framesReceived, framesDecoded: v.framesDecoded,
      freezes: v.freezeCount, freezeSeconds: Math.round(v.totalFreezesDuration * 10) / 10, plis: v.pliCount,
      bFramesSeen: r.source.bFrames, bFramesDropped: r.source.bFramesDropped, reorderFrames: r.source.reorderFrames, quirks: r.source.quirks,
    }) + '\n');
  }
}
