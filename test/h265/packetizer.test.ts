import t from 'tap';
import { H265Error, H265Packetizer, isH265KeyframeStart } from '../../lib/h265/index.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { PPS, SPS, VPS, nal } from './vectors.js';

const IDR = nal(19, Array.from({ length: 3000 }, (_, i) => (i % 200) + 1));

t.test('VPS/SPS/PPS go in one AP, a large IRAP in FUs, marker on the last', async (t) => {
  const pz = new H265Packetizer({ mtu: 1200, payloadType: 98, ssrc: 7, sequenceNumber: 65535 });
  const pkts = pz.packetize([VPS, SPS, PPS, IDR], 1234).map(parseRtp);
  t.equal(pz.stats.apPackets, 1);
  t.equal((pkts[0].payload[0] >> 1) & 0x3f, 48, 'AP first');
  t.ok(pkts.slice(1).every((p) => ((p.payload[0] >> 1) & 0x3f) === 49), 'then FUs');
  t.same(pkts.map((p) => p.marker), pkts.map((_, i) => i === pkts.length - 1));
  t.same(pkts.map((p) => p.sequenceNumber).slice(0, 2), [65535, 0], 'sequence wraps');
  t.ok(pkts.every((p) => p.payloadType === 98 && p.ssrc === 7 && p.timestamp === 1234));
  t.ok(isH265KeyframeStart(pkts[0].payload), 'the AP starts a keyframe');
  t.ok(isH265KeyframeStart(pkts[1].payload), 'so does the IRAP\'s first FU');
  t.notOk(isH265KeyframeStart(pkts[2].payload), 'not a middle FU');
});

t.test('an IRAP without parameter sets gets the known ones; counted when none are known', async (t) => {
  const pz = new H265Packetizer();
  pz.packetize([IDR], 0);
  t.equal(pz.stats.irapWithoutParameterSets, 1);
  pz.setParameterSets([VPS, SPS, PPS]);
  const first = parseRtp(pz.packetize([IDR], 3000)[0]);
  t.equal((first.payload[0] >> 1) & 0x3f, 48);
  t.equal(pz.stats.parameterSetsInserted, 1);
  t.notOk(isH265KeyframeStart(parseRtp(pz.packetize([nal(1, [0x80])], 6000)[0]).payload), 'a trailing picture is no keyframe');
});

t.test('bad options and buffers are typed errors', async (t) => {
  for (const mtu of [15, 12.5, 70000]) t.throws(() => new H265Packetizer({ mtu }), H265Error, `mtu ${mtu}`);
  const pz = new H265Packetizer({ mtu: 500 });
  pz.start([IDR], 0);
  t.throws(() => pz.writeNext(new Uint8Array(100)), { code: 'H265_BUFFER_TOO_SMALL' });
});

t.test('keyframe detection never throws on short or garbage payloads', async (t) => {
  for (const p of [[], [0x60], [0x60, 1, 0], [0x60, 1, 0, 200, 0x26], [0x62, 1], [0x26, 1]]) isH265KeyframeStart(Uint8Array.from(p));
  t.ok(isH265KeyframeStart(Uint8Array.from([0x60, 1, 0, 3, 0x40, 1, 2])), 'AP with a VPS');
  t.ok(isH265KeyframeStart(Uint8Array.from([0x60, 1, 0, 0, 0, 3, 0x40, 1, 2]), true), 'AP with DONL and a VPS');
});
