import t from 'tap';
import fc from 'fast-check';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { RtspServerError } from '../../lib/rtsp/server/errors.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { annexB, PPS, SPS, syntheticNalus } from '../support/h264-synthetic.js';

t.test('cuts a clip into frames, keyframes carry SPS and PPS, AUDs dropped', (t) => {
  const clip = loadH264Clip(splitAnnexB(annexB(syntheticNalus({ frames: 10, gop: 4, aud: true }))));
  t.equal(clip.frames.length, 10);
  t.same(clip.keyframes, [0, 4, 8]);
  for (const k of clip.keyframes) {
    const types = clip.frames[k].nalus.map((n) => n[0] & 0x1f);
    t.same(types, [7, 8, 5], `frame ${k} is SPS, PPS, IDR`);
  }
  t.same(clip.frames[1].nalus.map((n) => n[0] & 0x1f), [1]);
  t.same(Buffer.from(clip.sps), Buffer.from(SPS));
  t.same(Buffer.from(clip.pps), Buffer.from(PPS));
  t.end();
});

t.test('frames before the first IDR are dropped: a loop must start decodable', (t) => {
  const clip = loadH264Clip(syntheticNalus({ frames: 6, gop: 3, leadIn: 2 }));
  t.equal(clip.frames.length, 6);
  t.equal(clip.keyframes[0], 0);
  t.end();
});

t.test('a clip without parameter sets or without an IDR is a typed error', (t) => {
  const noSps = syntheticNalus({ frames: 4, gop: 2 }).filter((n) => (n[0] & 0x1f) !== 7);
  t.throws(() => loadH264Clip(noSps), { code: 'RTSP_SERVER_BAD_CLIP' });
  const noIdr = syntheticNalus({ frames: 4, gop: 100 }).filter((n) => (n[0] & 0x1f) !== 5);
  t.throws(() => loadH264Clip(noIdr), { code: 'RTSP_SERVER_BAD_CLIP' });
  t.end();
});

t.test('arbitrary NAL units give a clip or RtspServerError, nothing else', (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 8 }), { maxLength: 40 }), (units) => {
      try {
        const clip = loadH264Clip(units);
        return clip.frames.length > 0 && clip.frames[clip.keyframes[0]].keyframe;
      } catch (e) {
        return e instanceof RtspServerError;
      }
    }),
  );
  t.end();
});
