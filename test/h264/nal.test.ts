import t from 'tap';
import fc from 'fast-check';
import { splitAnnexB, joinAnnexB, splitAvc, joinAvc, annexBToAvc, avcToAnnexB, removeEmulationPrevention, findStartCode, nalType, nalRefIdc, isVcl } from '../../lib/h264/nal.js';
import { H264Error } from '../../lib/h264/errors.js';
import { hex, toHex } from './helpers.js';

t.test('header fields', async (t) => {
  t.equal(nalType(0x65), 5);
  t.equal(nalRefIdc(0x65), 3);
  t.equal(nalType(0x41), 1);
  t.equal(nalRefIdc(0x41), 2);
  t.ok(isVcl(5));
  t.notOk(isVcl(7));
});

t.test('Annex-B split with 3- and 4-byte start codes, missing first start code, trailing zeros', async (t) => {
  t.same(toHex(splitAnnexB(hex('00000001 6742 000001 68ce 00000001 65aa00 0000'))), ['6742', '68ce', '65aa']);
  t.same(toHex(splitAnnexB(hex('6742 000001 68ce'))), ['6742', '68ce']);
  t.same(splitAnnexB(new Uint8Array(0)), []);
  t.equal(findStartCode(hex('ff000001'), 0), 1);
  t.equal(findStartCode(hex('ff00000200'), 0), -1);
});

// NAL units as an encoder makes them: no 00 00 0x (x <= 3) inside, no trailing zero byte
const nalArb = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => {
  const out: number[] = [];
  let zeros = 0;
  for (const x of b) {
    if (zeros >= 2 && x <= 3) { out.push(3); zeros = 0; }
    out.push(x);
    zeros = x === 0 ? zeros + 1 : 0;
  }
  if (out[out.length - 1] === 0) out.push(0x80);
  out[0] = (out[0] & 0x7f) || 0x01;
  return Uint8Array.from(out);
});

t.test('property: Annex-B and AVC round trips', async (t) => {
  fc.assert(fc.property(fc.array(nalArb, { maxLength: 20 }), (nalus) => {
    t.same(toHex(splitAnnexB(joinAnnexB(nalus))), toHex(nalus));
    t.same(toHex(splitAvc(joinAvc(nalus))), toHex(nalus));
    t.same(toHex(splitAvc(annexBToAvc(joinAnnexB(nalus)), 4)), toHex(nalus));
    t.same(toHex(splitAnnexB(avcToAnnexB(joinAvc(nalus, 2), 2))), toHex(nalus));
  }), { numRuns: 300 });
});

t.test('property: AVC split of arbitrary bytes throws only H264Error', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1 as const, 2 as const, 4 as const), (b, ls) => {
    try { splitAvc(b, ls); } catch (e) { if (!(e instanceof H264Error) || e.code !== 'H264_BAD_AVC') throw e; }
    splitAnnexB(b);
  }), { numRuns: 500 });
});

t.test('emulation prevention removal', async (t) => {
  t.same([...removeEmulationPrevention(hex('00000301 0000 0300 00000300'))], [...hex('000001 0000 00 000000')]);
  const plain = hex('0102');
  t.equal(removeEmulationPrevention(plain), plain, 'nothing to remove: the input itself');
  // 00 00 03 03: the second 03 is data
  t.same([...removeEmulationPrevention(hex('00000303'))], [0, 0, 3]);
});
