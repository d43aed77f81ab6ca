import t from 'tap';
import { H265Error, H265NalType, H265ParameterSets, h265NalType, isIrap, isH265Vcl, parseH265NalHeader } from '../../lib/h265/index.js';
import { PPS, SPS, VPS, nal } from './vectors.js';

const code = (f: () => unknown) => { try { f(); return 'none'; } catch (e) { return e instanceof H265Error ? e.code : String(e); } };

t.test('NAL header: type, layer, temporal id', async (t) => {
  t.same(parseH265NalHeader(Uint8Array.of(0x26, 0x01)), { type: 19, layerId: 0, temporalId: 0 });
  t.same(parseH265NalHeader(Uint8Array.of(0x03, 0x0b)), { type: 1, layerId: 33, temporalId: 2 });
  t.equal(h265NalType(VPS[0]), H265NalType.Vps);
  t.equal(h265NalType(SPS[0]), H265NalType.Sps);
  t.equal(h265NalType(PPS[0]), H265NalType.Pps);
});

t.test('NAL header: malformed ones are typed errors', async (t) => {
  t.equal(code(() => parseH265NalHeader(Uint8Array.of(0x26))), 'H265_BAD_NAL', 'one byte');
  t.equal(code(() => parseH265NalHeader(Uint8Array.of(0xa6, 0x01))), 'H265_BAD_NAL', 'forbidden bit');
  t.equal(code(() => parseH265NalHeader(Uint8Array.of(0x26, 0x00))), 'H265_BAD_NAL', 'temporal id plus 1 = 0');
});

t.test('IRAP and VCL ranges', async (t) => {
  const irap = [16, 17, 18, 19, 20, 21, 22, 23];
  for (let type = 0; type < 64; type++) {
    t.equal(isIrap(type), irap.includes(type), `type ${type} IRAP`);
    t.equal(isH265Vcl(type), type < 32, `type ${type} VCL`);
  }
});

t.test('parameter sets: set from sprop (Annex-B tolerated), learn in-band, list in decoding order', async (t) => {
  const ps = new H265ParameterSets();
  t.equal(ps.set([Uint8Array.of(0, 0, 0, 1, ...SPS), PPS, nal(1, [1, 2]), Uint8Array.of(0x40)]), 2);
  t.notOk(ps.complete);
  ps.learn(VPS);
  t.ok(ps.complete);
  t.same(ps.list().map((n) => h265NalType(n[0])), [32, 33, 34]);
  const sps2 = Uint8Array.from(SPS);
  sps2[sps2.length - 1] ^= 1;
  ps.learn(sps2);
  t.same(ps.sps, sps2, 'a changed SPS replaces the old one');
  t.not(ps.sps, sps2, 'copied');
});
