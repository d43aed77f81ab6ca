import t from 'tap';
import { H265Depacketizer, H265Packetizer, type H265DepacketizerOptions } from '../../lib/h265/index.js';
import type { AccessUnit } from '../../lib/h264/access-unit.js';
import { PPS, SPS, VPS, nal, toHex } from './vectors.js';

function collector(o: H265DepacketizerOptions = {}) {
  const aus: AccessUnit[] = [];
  const d = new H265Depacketizer((au) => aus.push(au), { firstSequenceNumber: 1, ...o });
  let seq = 1;
  const push = (payload: number[] | Uint8Array, ts: number, marker: boolean) => d.pushPayload(Uint8Array.from(payload), seq++, ts, marker);
  return { d, aus, push };
}

const IDR = nal(19, [0xaf, 1, 2, 3]);
const TRAIL = nal(1, [0xd0, 4, 5]);

t.test('single NAL unit packets; IRAP makes a keyframe; marker ends the unit', async (t) => {
  const { d, aus, push } = collector();
  push(VPS, 0, false); push(SPS, 0, false); push(PPS, 0, false); push(IDR, 0, true);
  push(TRAIL, 3000, true);
  t.equal(aus.length, 2);
  t.same(toHex(aus[0].nalus), toHex([VPS, SPS, PPS, IDR]));
  t.ok(aus[0].keyframe);
  t.ok(aus[0].complete);
  t.notOk(aus[1].keyframe);
  t.equal(d.stats.singleNalUnits, 5);
  t.ok(d.parameterSets.complete, 'in-band parameter sets learned');
});

t.test('every IRAP type is a keyframe (BLA, IDR, CRA)', async (t) => {
  for (const type of [16, 17, 18, 19, 20, 21]) {
    const { aus, push } = collector();
    push(nal(type, [0x80, 1]), 0, true);
    t.ok(aus[0].keyframe, `type ${type}`);
  }
  const { aus, push } = collector();
  push(nal(9, [0x80, 1]), 0, true);
  t.notOk(aus[0].keyframe, 'RASL is not');
});

t.test('aggregation packet: units split out; LayerId/TID of the payload header are not the units\'', async (t) => {
  const { d, aus, push } = collector();
  const ap = [0x60, 0x01, 0, VPS.length, ...VPS, 0, SPS.length, ...SPS, 0, PPS.length, ...PPS];
  push(ap, 0, false);
  push(IDR, 0, true);
  t.same(toHex(aus[0].nalus), toHex([VPS, SPS, PPS, IDR]));
  t.equal(d.stats.apPackets, 1);
});

t.test('fragmentation units rebuild the NAL header from the payload header and FU type', async (t) => {
  const big = nal(19, Array.from({ length: 3000 }, (_, i) => (i % 250) + 1));
  big[1] = 0x0a; // layer 1, tid 1
  big[0] |= 0; // layer high bit 0
  const pz = new H265Packetizer({ mtu: 1000 });
  const pkts = pz.packetize([big], 90);
  t.ok(pkts.length >= 4);
  t.equal(pz.stats.fuPackets, pkts.length);
  const { aus, push } = collector();
  pkts.forEach((p, i) => push(p.subarray(12), 90, i === pkts.length - 1));
  t.same(toHex(aus[0].nalus), toHex([big]));
  t.ok(aus[0].complete);
});

t.test('malformed payloads: counted, never thrown, their unit incomplete', async (t) => {
  const cases: [string, number[]][] = [
    ['one byte', [0x02]],
    ['forbidden bit', [0x82, 0x01, 5]],
    ['tid 0', [0x02, 0x00, 5]],
    ['AP truncated size', [0x60, 0x01, 0]],
    ['AP size past the end', [0x60, 0x01, 0, 9, 0x02, 0x01]],
    ['AP size 1', [0x60, 0x01, 0, 1, 0x02, 0, 1]],
    ['FU header only', [0x62, 0x01, 0x93]],
    ['FU of type AP', [0x62, 0x01, 0xb0, 1, 2]],
    ['FU of type FU', [0x62, 0x01, 0xb1, 1, 2]],
  ];
  for (const [name, bytes] of cases) {
    const { d, aus, push } = collector();
    push(bytes, 0, false);
    push(TRAIL, 0, true);
    t.equal(d.stats.malformed, 1, name);
    t.equal(aus.length, 1, name);
    t.notOk(aus[0].complete, `${name}: unit incomplete`);
  }
});

t.test('PACI and reserved types: counted', async (t) => {
  const { d, aus, push } = collector();
  push([0x64, 0x01, 1, 2, 3], 0, false);
  push([0x70, 0x01, 1], 0, false);
  push(TRAIL, 0, true);
  t.equal(d.stats.paciPackets, 1);
  t.equal(d.stats.reservedTypes, 1);
  t.notOk(aus[0].complete, 'PACI content is missing from the unit');
});

t.test('loss: a gap makes the unit incomplete; a fragment without start is dropped', async (t) => {
  const big = nal(1, Array.from({ length: 2000 }, () => 7));
  const pkts = new H265Packetizer({ mtu: 800 }).packetize([big], 0).map((p) => p.subarray(12));
  const aus: AccessUnit[] = [];
  const d = new H265Depacketizer((au) => aus.push(au), { firstSequenceNumber: 0 });
  d.pushPayload(pkts[0], 0, 0, false);
  d.pushPayload(pkts[2], 2, 0, true);
  t.equal(aus.length, 1);
  t.notOk(aus[0].complete);
  t.equal(d.stats.lostPackets, 1);
  d.pushPayload(pkts[1], 3, 3000, true);
  t.equal(d.stats.fragmentsWithoutStart, 1);
});

t.test('DONL (sprop-max-don-diff > 0): stripped from single, AP and FU; DON going back makes the unit incomplete', async (t) => {
  const { d, aus, push } = collector({ donl: true });
  push([0x60, 0x01, 0, 10, 0, VPS.length, ...VPS, 0, 0, SPS.length, ...SPS, 0, 0, PPS.length, ...PPS], 0, false);
  push([IDR[0], IDR[1], 0, 13, ...IDR.subarray(2)], 0, true);
  t.same(toHex(aus[0].nalus), toHex([VPS, SPS, PPS, IDR]));
  t.ok(aus[0].complete);
  // FU start with DONL 14, then its end without
  push([0x62, 0x01, 0x81, 0, 14, 0xd0, 9], 3000, false);
  push([0x62, 0x01, 0x41, 8], 3000, true);
  t.same(toHex(aus[1].nalus), toHex([nal(1, [0xd0, 9, 8])]));
  t.ok(aus[1].complete);
  push([TRAIL[0], TRAIL[1], 0, 12, 0xd0], 6000, true);
  t.equal(d.stats.donOutOfOrder, 1, 'an interleaved sender is not reordered');
  t.equal(aus.length, 2, 'its unit had nothing else: dropped');
  push([TRAIL[0], TRAIL[1], 0, 15, 0xd0], 9000, true);
  t.equal(d.stats.accessUnitsEmpty, 1);
  t.ok(aus[2].complete);
  t.ok(aus[2].discontinuity, 'the next unit says one was dropped');
});

t.test('timestamp change ends a unit without marker; parameter sets with their own timestamp are carried', async (t) => {
  const { d, aus, push } = collector();
  push(VPS, 0, false);
  push(TRAIL, 3000, false);
  push(TRAIL, 6000, false);
  d.flush();
  t.equal(aus.length, 2);
  t.same(toHex(aus[0].nalus), toHex([VPS, TRAIL]));
  t.equal(d.stats.parameterSetsCarried, 1);
  t.notOk(aus[1].complete, 'the flushed unit cannot be proven whole');
});

t.test('insertParameterSets: out-of-band VPS/SPS/PPS before the IRAP of a unit without them', async (t) => {
  const { d, aus, push } = collector({ insertParameterSets: true, parameterSets: [VPS, SPS, PPS] });
  push(IDR, 0, true);
  t.same(toHex(aus[0].nalus), toHex([VPS, SPS, PPS, IDR]));
  t.ok(aus[0].parameterSetsInserted);
  t.equal(d.stats.parameterSetsInserted, 1);
});

t.test('oversized units are dropped whole and the next unit says so', async (t) => {
  const { d, aus, push } = collector({ maxAccessUnitSize: 100 });
  push(nal(1, Array.from({ length: 200 }, () => 1)), 0, true);
  push(TRAIL, 3000, true);
  t.equal(d.stats.accessUnitsOversized, 1);
  t.equal(aus.length, 1);
  t.ok(aus[0].discontinuity);
});

t.test('first packet that visibly does not start a unit: incomplete', async (t) => {
  const aus: AccessUnit[] = [];
  const d = new H265Depacketizer((au) => aus.push(au));
  d.pushPayload(nal(1, [0x40, 1]), 5, 0, true);
  t.notOk(aus[0].complete);
  t.equal(d.stats.unknownStarts, 1);
  d.pushPayload(nal(1, [0x80, 1]), 6, 3000, true);
  t.ok(aus[1].complete);
});
