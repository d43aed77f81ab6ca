import t from 'tap';
import fc from 'fast-check';
import { parseSps, profileLevelId } from '../../lib/h264/sps.js';
import { H264Error } from '../../lib/h264/errors.js';
import { hex } from './helpers.js';
import { writeSps } from './sps-writer.js';

// made with ffmpeg 5.1 / libx264 (testsrc2), see the command lines in the comments
const vectors = [
  // -profile:v baseline -s 1920x1080
  { hex: '6742c028d900780227e5ffc000c00104000003000400000300c83c60c920', pli: '42c028', w: 1920, h: 1080, chroma: 1, depth: 8, fps: 25 },
  // -profile:v high -s 1366x768
  { hex: '67640020acd94056061e6fff020002ab1000000300100000030320f1831960', pli: '640020', w: 1366, h: 768, chroma: 1, depth: 8, fps: 25 },
  // -profile:v high444 -pix_fmt yuv444p -s 642x362
  { hex: '67f4001e919b281485fc7cfff816a01e18800000030080000019078b16cb', pli: 'f4001e', w: 642, h: 362, chroma: 3, depth: 8, fps: 25 },
  // -profile:v high10 -pix_fmt yuv420p10le -s 352x288
  { hex: '676e000da6cd9416096c0840000003004000000c83c50a6580', pli: '6e000d', w: 352, h: 288, chroma: 1, depth: 10, fps: 25 },
];

t.test('x264 SPS vectors: profile, level, size with cropping, High-profile fields, frame rate', async (t) => {
  for (const v of vectors) {
    const s = parseSps(hex(v.hex));
    t.equal(profileLevelId(s), v.pli, v.pli);
    t.equal(s.width, v.w);
    t.equal(s.height, v.h);
    t.equal(s.chromaFormatIdc, v.chroma);
    t.equal(s.bitDepthLuma, v.depth);
    t.equal(s.frameRate, v.fps);
  }
});

t.test('Wowza bunny SPS (corpus capture, Main profile)', async (t) => {
  // from bunny_describe.txt sprop-parameter-sets: Z0LAHtkDxWhAAAADAEAAAAwDxYuS
  const s = parseSps(Buffer.from('Z0LAHtkDxWhAAAADAEAAAAwDxYuS', 'base64'));
  t.equal(profileLevelId(s), '42c01e');
  t.equal(s.width, 240);
  t.equal(s.height, 160);
});

const fieldsArb = fc.record({
  profileIdc: fc.constantFrom(66, 77, 88, 100, 110, 122, 244),
  constraintFlags: fc.integer({ min: 0, max: 255 }).map((x) => x & 0xfc),
  levelIdc: fc.constantFrom(10, 11, 20, 30, 31, 40, 41, 51),
  id: fc.integer({ min: 0, max: 31 }),
  chromaFormatIdc: fc.integer({ min: 0, max: 3 }),
  bitDepthLuma: fc.integer({ min: 8, max: 14 }),
  scalingDeltas: fc.option(fc.array(fc.option(fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 1, maxLength: 16 }), { nil: undefined }), { minLength: 12, maxLength: 12 }), { nil: undefined }),
  picOrderCntType: fc.integer({ min: 0, max: 2 }),
  widthMbs: fc.integer({ min: 1, max: 512 }),
  heightMapUnits: fc.integer({ min: 1, max: 300 }),
  frameMbsOnly: fc.boolean(),
  crop: fc.option(fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)), { nil: undefined }),
});

t.test('property: written SPS fields parse back (scaling lists, chroma formats, cropping)', async (t) => {
  fc.assert(fc.property(fieldsArb, (f) => {
    // a scaling list is coded until nextScale becomes 0 or the list is full: keep deltas that never reach 0 early
    if (f.scalingDeltas) f.scalingDeltas = f.scalingDeltas.map((d, i) => d && normalize(d, i < 6 ? 16 : 64));
    const high = [100, 110, 122, 244].includes(f.profileIdc);
    const s = parseSps(writeSps(f));
    t.equal(s.profileIdc, f.profileIdc);
    t.equal(s.constraintFlags, f.constraintFlags);
    t.equal(s.levelIdc, f.levelIdc);
    t.equal(s.id, f.id);
    const chroma = high ? f.chromaFormatIdc : 1;
    t.equal(s.chromaFormatIdc, chroma);
    t.equal(s.bitDepthLuma, high ? f.bitDepthLuma : 8);
    const field = f.frameMbsOnly ? 1 : 2;
    const [l, r, top, b] = f.crop ?? [0, 0, 0, 0];
    const cx = chroma === 0 || chroma === 3 ? 1 : 2;
    const cy = (chroma === 1 ? 2 : 1) * field;
    t.equal(s.width, f.widthMbs * 16 - cx * (l + r));
    t.equal(s.height, field * f.heightMapUnits * 16 - cy * (top + b));
    if (high && f.scalingDeltas) {
      const count = chroma !== 3 ? 8 : 12;
      t.equal(s.scalingLists?.length, count);
      for (let i = 0; i < count; i++) t.equal(s.scalingLists![i] !== undefined, f.scalingDeltas[i] !== undefined);
    }
  }), { numRuns: 300 });
});

/** Deltas as a real encoder codes them: `size` values, stopping after one that makes nextScale 0. */
function normalize(d: number[], size: number): number[] {
  const out: number[] = [];
  let last = 8;
  for (let j = 0; j < size; j++) {
    let delta = d[j % d.length];
    let next = (last + delta + 256) % 256;
    if (next === 0 && j > 0) { out.push(delta); return out; }
    if (next === 0) { delta += 1; next = (last + delta + 256) % 256; }
    out.push(delta);
    last = next;
  }
  return out;
}

t.test('property: arbitrary bytes throw only H264_BAD_SPS', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
    const nal = Uint8Array.of(0x67, ...b);
    try { parseSps(nal); } catch (e) { if (!(e instanceof H264Error) || e.code !== 'H264_BAD_SPS') throw e; }
  }), { numRuns: 2000 });
  t.throws(() => parseSps(hex('68ce3c80')), { code: 'H264_BAD_SPS' });
});
