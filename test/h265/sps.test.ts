import t from 'tap';
import { H265Error, parseH265Sps } from '../../lib/h265/index.js';
import { SPS, PPS, nal } from './vectors.js';

const code = (f: () => unknown) => { try { f(); return 'none'; } catch (e) { return e instanceof H265Error ? e.code : String(e); } };

t.test('x265 SPS: Main profile, size after the conformance window', async (t) => {
  const s = parseH265Sps(SPS);
  t.match(s, { profileSpace: 0, tier: 0, profileIdc: 1, levelIdc: 60, chromaFormatIdc: 1, bitDepthLuma: 8, bitDepthChroma: 8 });
  t.equal(s.codedWidth, 320);
  t.equal(s.codedHeight, 184);
  t.equal(s.width, 320);
  t.equal(s.height, 180);
  t.equal(s.spsId, 0);
  t.equal(s.maxSubLayers, 1);
});

t.test('malformed SPS: every truncation and a wrong type are H265_BAD_SPS', async (t) => {
  for (let n = 0; n < 21; n++) t.equal(code(() => parseH265Sps(SPS.subarray(0, n))), 'H265_BAD_SPS', `${n} bytes`);
  t.equal(code(() => parseH265Sps(PPS)), 'H265_BAD_SPS', 'a PPS');
  t.equal(code(() => parseH265Sps(nal(33, [0xff, 0xff, 0xff, 0xff]))), 'H265_BAD_SPS', 'seven sub-layers and garbage');
  const forbidden = Uint8Array.from(SPS);
  forbidden[0] |= 0x80;
  t.equal(code(() => parseH265Sps(forbidden)), 'H265_BAD_SPS', 'forbidden bit');
});
