/** B-frame detection: slice types, nal_ref_idc, the SPS's VUI reorder depth (x264's SPS with and without B-frames). */
import t from 'tap';
import fc from 'fast-check';
import { BFrameDetector, bFramesMessage } from '../../lib/h264/b-frames.js';
import { parseSps } from '../../lib/h264/sps.js';
import { hex } from './helpers.js';
import { writeSlice } from './slice-writer.js';

// libx264 (ffmpeg -bf 2, b-pyramid none) and -bf 0: VUI with timing and bitstream_restriction
const SPS_B = hex('67f4000d919a20283f6022000003000200000300641e285224');
const SPS_NO_B = hex('67f4000d919640507ec044000003000400000300c83c50a920');
const I = writeSlice({ type: 5, refIdc: 3, sliceType: 7, ppsId: 0 });
const P = writeSlice({ type: 1, refIdc: 2, sliceType: 5, ppsId: 0 });
const B = writeSlice({ type: 1, refIdc: 0, sliceType: 6, ppsId: 0 });
const B_REF = writeSlice({ type: 1, refIdc: 2, sliceType: 6, ppsId: 0 });
// x264's own slices: slice_type 6 (B) with nal_ref_idc 0, and P
const X264_B = hex('019e42f215ff');
const X264_P = hex('419a26d8867f');

t.test('the SPS VUI gives max_num_reorder_frames (x264: 1 with B-frames, 0 without)', async (t) => {
  t.equal(parseSps(SPS_B).maxNumReorderFrames, 1);
  t.equal(parseSps(SPS_NO_B).maxNumReorderFrames, 0);
  t.equal(parseSps(SPS_B).frameRate, 25, 'timing info still read');
});

t.test('classify: B (non-reference), B reference (pyramid), everything else', async (t) => {
  const d = new BFrameDetector();
  t.equal(d.classify([I]), 'other');
  t.equal(d.classify([P]), 'other');
  t.notOk(d.detected);
  t.equal(d.classify([B]), 'b');
  t.equal(d.classify([hex('0910'), B]), 'b', 'an AUD before the slice');
  t.equal(d.classify([X264_B]), 'b', 'x264 B slice');
  t.equal(d.classify([X264_P]), 'other', 'x264 P slice');
  t.ok(d.detected);
  t.notOk(d.pyramid);
  t.equal(d.classify([B_REF]), 'b-reference');
  t.ok(d.pyramid);
  t.same(d.stats, { bPictures: 3, referenceBPictures: 1, reorderFrames: -1 });
});

t.test('announced by the SPS alone (in-band or from the SDP): detected before the first B', async (t) => {
  const d = new BFrameDetector();
  d.classify([SPS_NO_B, hex('68ebe3c44844'), I]);
  t.notOk(d.detected);
  t.equal(d.stats.reorderFrames, 0);
  d.noteSps(SPS_B);
  t.ok(d.detected);
  t.equal(d.stats.reorderFrames, 1);
});

t.test('any bytes: classify never throws', async (t) => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 30 }), { maxLength: 5 }), (units) => {
    const kind = new BFrameDetector().classify(units);
    return kind === 'b' || kind === 'b-reference' || kind === 'other';
  }));
});

t.test('the log line names the stream, what camwire does and the remedy', async (t) => {
  t.match(bFramesMessage('hall', true, false), /stream "hall": .*B-frames.*every B-frame dropped.*Remedy: turn B-frames off/);
  t.match(bFramesMessage('hall', false, false), /bFrames: forward/);
});
