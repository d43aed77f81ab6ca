import t from 'tap';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { syntheticNalus } from '../support/h264-synthetic.js';

const frameNo = (nalus: readonly Uint8Array[]): number => {
  const s = nalus[nalus.length - 1];
  return (s[2] << 8) | s[3];
};

t.test('loops the clip forever with a fixed frame duration', (t) => {
  const src = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 5, gop: 5 })), 25);
  const seen = Array.from({ length: 12 }, () => src.nextFrame());
  t.same(seen.map((f) => frameNo(f.nalus)), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
  t.ok(seen.every((f) => f.duration === 3600));
  t.equal(src.stats.loops, 2);
  t.end();
});

t.test('a keyframe request jumps to the next IDR (wrapping round), never re-sends an old one', (t) => {
  const src = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 12, gop: 4 })), 30);
  src.nextFrame(); // 0
  src.nextFrame(); // 1
  src.requestKeyframe();
  const k = src.nextFrame();
  t.ok(k.keyframe);
  t.equal(frameNo(k.nalus), 4, 'jumped forward from frame 2 to frame 4');
  t.equal(frameNo(src.nextFrame().nalus), 5, 'then its own GOP follows');
  for (let i = 6; i < 10; i++) src.nextFrame();
  src.nextFrame(); // 10
  src.requestKeyframe();
  const w = src.nextFrame();
  t.equal(frameNo(w.nalus), 0, 'past the last IDR it wraps to the first');
  t.equal(src.stats.keyframeJumps, 2);
  t.equal(src.stats.framesSkipped, 2 + 1);
  t.end();
});

t.test('a request when the next frame is a keyframe anyway costs no jump', (t) => {
  const src = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 8, gop: 4 })), 25);
  src.requestKeyframe();
  t.equal(frameNo(src.nextFrame().nalus), 0);
  t.equal(src.stats.keyframeJumps, 0);
  t.throws(() => new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 8, gop: 4 })), 0), { code: 'RTSP_SERVER_BAD_OPTION' });
  t.end();
});
