import t from 'tap';
import fc from 'fast-check';
import { isKeyframeStart } from '../../lib/h264/keyframe.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { hex } from './helpers.js';

t.test('single NAL, STAP-A, FU-A start fragments', async (t) => {
  t.ok(isKeyframeStart(hex('65888000')), 'IDR');
  t.ok(isKeyframeStart(hex('6742c01e')), 'SPS');
  t.notOk(isKeyframeStart(hex('419a')), 'P slice');
  t.notOk(isKeyframeStart(hex('68ce')), 'PPS alone');
  t.ok(isKeyframeStart(hex('78 0002 0910 0004 6742c01e')), 'STAP-A with AUD + SPS');
  t.notOk(isKeyframeStart(hex('78 0002 0910 0002 419a')));
  t.notOk(isKeyframeStart(hex('78 0009 6742')), 'STAP-A unit running past the end');
  t.ok(isKeyframeStart(hex('7c85 88')), 'FU-A start of an IDR');
  t.notOk(isKeyframeStart(hex('7c05 88')), 'FU-A middle of an IDR');
  t.notOk(isKeyframeStart(hex('7c45 88')), 'FU-A end of an IDR');
  t.notOk(isKeyframeStart(hex('5c81 9a')), 'FU-A start of a P slice');
  t.ok(isKeyframeStart(hex('00000001 6742c01e')), 'Annex-B stream in a single-NAL packet');
  t.notOk(isKeyframeStart(new Uint8Array(0)));
});

t.test('property: the first packet of a packetized IDR unit is a keyframe start, of a P unit not', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.boolean(), fc.integer({ min: 40, max: 1500 }), (n, idr, mtu) => {
    const nal = new Uint8Array(n).fill(0x55);
    nal[0] = idr ? 0x65 : 0x41;
    const pkts = new H264Packetizer({ mtu }).packetize([nal], 0).map((b) => parseRtp(b).payload);
    t.equal(isKeyframeStart(pkts[0]), idr);
    t.ok(pkts.slice(1).every((p) => !isKeyframeStart(p)));
  }), { numRuns: 200 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 50 }), (b) => { isKeyframeStart(b); }));
});
