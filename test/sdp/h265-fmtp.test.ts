import t from 'tap';
import fc from 'fast-check';
import { parseH265Fmtp, serializeH265Fmtp } from '../../lib/sdp/index.js';
import { PPS, SPS, VPS } from '../h265/vectors.js';

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

t.test('rtph265pay-style fmtp: parameter sets in decoding order, numeric parameters, DONL off', async (t) => {
  const f = parseH265Fmtp(`96 sprop-parameter-sets=x;profile-id=1;sprop-sps=${b64(SPS)};sprop-pps=${b64(PPS)};sprop-vps=${b64(VPS)}`);
  t.same(f.parameterSets.map((n) => (n[0] >> 1) & 63), [32, 33, 34]);
  t.same([...f.sps!], [...SPS]);
  t.equal(f.profileId, 1);
  t.equal(f.maxDonDiff, 0);
  t.equal(f.ignored, 0);
});

t.test('garbage is counted and dropped, never thrown', async (t) => {
  const f = parseH265Fmtp(`96 sprop-vps=!!!,${b64(SPS)};sprop-max-don-diff=abc;tier-flag=7;sprop-pps=${b64(Uint8Array.of(0x44, 0x00, 5))}`);
  t.equal(f.parameterSets.length, 0, 'an SPS under sprop-vps and a PPS with temporal id 0 are refused');
  t.equal(f.maxDonDiff, 0);
  t.equal(f.tierFlag, undefined);
  t.equal(f.ignored, 5);
  t.equal(parseH265Fmtp('96 sprop-max-don-diff=3;sprop-depack-buf-nalus=2').maxDonDiff, 3);
});

t.test('serialize then parse keeps the parameter sets and levels', async (t) => {
  const text = serializeH265Fmtp({ levelId: 93, profileId: 1, tierFlag: 0, parameterSets: [VPS, SPS, PPS] });
  const f = parseH265Fmtp(`96 ${text}`);
  t.same(f.parameterSets.map((n) => Buffer.from(n).toString('hex')), [VPS, SPS, PPS].map((n) => Buffer.from(n).toString('hex')));
  t.same([f.levelId, f.profileId, f.tierFlag], [93, 1, 0]);
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => { parseH265Fmtp(`96 ${s}`); }), { numRuns: 300 });
});
