/**
 * Streams that switch between several SPS/PPS ids (cameras on a profile change): every id is kept
 * (bounded by H.264's ranges) and the pair an IDR's slice references goes in front of it, in
 * the packetizer (frame forwarding and the keyframe cache), the refragmenter (packet
 * forwarding) and the depacketizer.
 */
import t from 'tap';
import fc from 'fast-check';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { H264Refragmenter } from '../../lib/h264/refragmenter.js';
import { ParameterSets } from '../../lib/h264/parameter-sets.js';
import { ppsIdsOf, sliceTypeOf, slicePpsIdOf, spsIdOf, SliceType } from '../../lib/h264/header-bits.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { collector, toHex } from './helpers.js';
import { BitWriter, writeSps } from './sps-writer.js';
import { writePps, writeSlice } from './slice-writer.js';

const sps = (id: number, widthMbs: number) => writeSps({
  profileIdc: 66, constraintFlags: 0xc0, levelIdc: 30, id, chromaFormatIdc: 1, bitDepthLuma: 8, scalingDeltas: undefined,
  picOrderCntType: 2, widthMbs, heightMapUnits: 15, frameMbsOnly: true, crop: undefined,
});
const SPS0 = sps(0, 20);
const SPS1 = sps(1, 40);
const PPS0 = writePps(0, 0);
const PPS1 = writePps(1, 1);
const PPS2 = writePps(2, 0);
const idr = (ppsId: number, filler = 8) => writeSlice({ type: 5, refIdc: 3, sliceType: 7, ppsId, filler });
const hx = (n: Uint8Array) => Buffer.from(n).toString('hex');

t.test('header fields: SPS id, PPS ids, a slice\'s type and PPS, across emulation prevention', async (t) => {
  t.equal(spsIdOf(SPS1), 1);
  t.same(ppsIdsOf(PPS1), { ppsId: 1, spsId: 1 });
  t.same(ppsIdsOf(PPS2), { ppsId: 2, spsId: 0 });
  t.equal(sliceTypeOf(idr(1), 1), SliceType.I);
  t.equal(slicePpsIdOf(idr(1), 1), 1);
  t.equal(sliceTypeOf(writeSlice({ type: 1, refIdc: 0, sliceType: 6, ppsId: 0 }), 1), SliceType.B);
  // a first_mb_in_slice of 2^22 - 1 starts with 22 zero bits: the writer escapes them (00 00 03)
  const w = new BitWriter();
  w.ue(2 ** 22 - 1); w.ue(5); w.ue(3);
  const escaped = Uint8Array.from([0x41, ...w.finish()]);
  t.match(hx(escaped), /000003/, 'escaped');
  t.equal(sliceTypeOf(escaped, 1), SliceType.P, 'slice_type 5 (P) read');
  t.equal(slicePpsIdOf(escaped, 1), 3);
  t.equal(spsIdOf(Uint8Array.of(0x67, 0x42)), -1, 'too short: -1');
  t.equal(slicePpsIdOf(Uint8Array.of(0x65), 1), -1);
});

t.test('header fields never throw and stay in range on any bytes', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (b, from) => {
    const s = spsIdOf(b);
    const p = ppsIdsOf(b);
    const ty = sliceTypeOf(b, from);
    const pp = slicePpsIdOf(b, from);
    return s >= -1 && s <= 31 && p.ppsId >= -1 && p.ppsId <= 255 && p.spsId <= 31 && ty >= -1 && ty <= 4 && pp >= -1 && pp <= 255;
  }));
});

t.test('ParameterSets keeps every id and answers the pair a slice references', async (t) => {
  const ps = new ParameterSets();
  ps.set([SPS0, PPS0, SPS1, PPS1, PPS2]);
  t.same(ps.ids, { sps: 2, pps: 3 });
  t.same(hx(ps.forSlice(idr(0), 1)!.sps), hx(SPS0));
  t.same([hx(ps.forSlice(idr(1), 1)!.sps), hx(ps.forSlice(idr(1), 1)!.pps)], [hx(SPS1), hx(PPS1)]);
  t.same([hx(ps.forSlice(idr(2), 1)!.sps), hx(ps.forSlice(idr(2), 1)!.pps)], [hx(SPS0), hx(PPS2)], 'PPS 2 names SPS 0');
  t.same(hx(ps.forSlice(idr(9), 1)!.pps), hx(PPS2), 'unknown id: the latest pair');
  t.equal(hx(ps.sps!), hx(SPS1), 'the latest SPS stays what DESCRIBE uses');
  t.equal(new ParameterSets().forSlice(idr(0), 1), undefined);
  // in-band learning by id: a re-sent SPS 0 takes the stored copy, and SPS 1 is still known
  ps.learn(SPS0);
  t.equal(hx(ps.sps!), hx(SPS0));
  t.same(ps.ids, { sps: 2, pps: 3 });
  // bounded by the id ranges: 300 PPS ids written, at most 256 kept
  const many = new ParameterSets();
  for (let i = 0; i < 300; i++) many.learn(writePps(i, 0));
  t.equal(many.ids.pps, 256);
});

/** NAL units of the egress packets, through our depacketizer. */
function egressUnits(packets: Uint8Array[]): string[][] {
  const { d, aus } = collector();
  for (const p of packets) d.push(parseRtp(p));
  d.flush();
  return aus.map((a) => toHex(a.nalus));
}

t.test('packetizer (frame forwarding, keyframe cache): the pair each IDR references goes before it', async (t) => {
  const pz = new H264Packetizer({ mtu: 1200 });
  pz.setParameterSets([SPS0, PPS0, SPS1, PPS1]);
  const packets = [...pz.packetize([idr(1)], 0), ...pz.packetize([idr(0)], 3000), ...pz.packetize([idr(1)], 6000)];
  t.same(egressUnits(packets), [
    [hx(SPS1), hx(PPS1), hx(idr(1))],
    [hx(SPS0), hx(PPS0), hx(idr(0))],
    [hx(SPS1), hx(PPS1), hx(idr(1))],
  ]);
});

t.test('packetizer: ids learned in-band, then IDRs without them get the right ones', async (t) => {
  const pz = new H264Packetizer({ mtu: 1200 });
  const packets = [
    ...pz.packetize([SPS1, PPS1, idr(1)], 0),
    ...pz.packetize([SPS0, PPS0, idr(0)], 3000),
    ...pz.packetize([idr(1)], 6000),
    ...pz.packetize([idr(0)], 9000),
  ];
  const units = egressUnits(packets);
  t.same(units[2], [hx(SPS1), hx(PPS1), hx(idr(1))]);
  t.same(units[3], [hx(SPS0), hx(PPS0), hx(idr(0))]);
});

t.test('refragmenter (packet forwarding): a fragmented IDR gets the pair its slice references', async (t) => {
  const pz = new H264Packetizer({ mtu: 1200 });
  pz.setParameterSets([SPS0, PPS0, SPS1, PPS1]);
  const r = new H264Refragmenter(pz);
  const cam = new H264Packetizer({ mtu: 300, insertParameterSets: false });
  const out: Uint8Array[] = [];
  const buf = new Uint8Array(1200);
  for (const [ppsId, ts] of [[1, 0], [0, 3000]] as const) {
    for (const b of cam.packetize([idr(ppsId, 900)], ts)) {
      const p = parseRtp(b);
      r.push(p.payload, p.timestamp, p.marker);
      for (let n = r.writeNext(buf); n > 0; n = r.writeNext(buf)) out.push(buf.slice(0, n));
    }
  }
  r.flush();
  for (let n = r.writeNext(buf); n > 0; n = r.writeNext(buf)) out.push(buf.slice(0, n));
  const units = egressUnits(out.map((p, i) => { p[2] = i >> 8; p[3] = i & 0xff; return p; }));
  t.same(units.map((u) => u.slice(0, 2)), [[hx(SPS1), hx(PPS1)], [hx(SPS0), hx(PPS0)]]);
});

t.test('depacketizer with insertParameterSets: sprop with two ids, the referenced pair inserted', async (t) => {
  const { d, aus } = collector({ parameterSets: [SPS0, PPS0, SPS1, PPS1], insertParameterSets: true });
  const pz = new H264Packetizer({ mtu: 1200, insertParameterSets: false });
  let seq = 0;
  for (const [ppsId, ts] of [[1, 0], [0, 3000]] as const) {
    for (const b of pz.packetize([idr(ppsId)], ts)) {
      const p = parseRtp(b);
      d.push({ ...p, sequenceNumber: seq++ });
    }
  }
  t.same(aus.map((a) => toHex(a.nalus)), [[hx(SPS1), hx(PPS1), hx(idr(1))], [hx(SPS0), hx(PPS0), hx(idr(0))]]);
});
