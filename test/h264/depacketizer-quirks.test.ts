/** Real-camera quirks (../shared/corpus/QUIRKS.md sections I and J), one test per camera. */
import t from 'tap';
import { collector, hex, rtp, toHex } from './helpers.js';

const SPS = '6742c01e8c8d40';
const PPS = '68ce3c80';
const SEI = '0605ffff';
const IDR = '65888000aabbcc';
const P = '419a2233';

t.test('Wowza (bunny.rtsp): STAP-A with SPS+PPS+SEI+IDR in one packet, marker set', async (t) => {
  const { d, aus } = collector();
  const units = [SPS, PPS, SEI, IDR].map(hex);
  const stap = Buffer.concat([Buffer.from([0x78]), ...units.flatMap((u) => [Buffer.from([u.length >> 8, u.length & 0xff]), Buffer.from(u)])]);
  d.push(rtp(1, 1000, true, stap));
  t.equal(aus.length, 1);
  t.same(toHex(aus[0].nalus), [SPS, PPS, SEI, IDR]);
  t.ok(aus[0].complete);
  t.ok(aus[0].keyframe);
  t.equal(d.stats.stapAPackets, 1);
});

t.test('gortsplib "STAP-A with padding": trailing zero bytes after the last unit', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, `18 0007${SPS} 0004${PPS} 0007${IDR} 0000 00`));
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
  t.ok(aus[0].complete);
  t.equal(d.stats.stapAPadding, 1);
  t.equal(d.stats.malformed, 0);
});

t.test('STAP-A whose unit length runs past the end: counted, unit incomplete, no throw', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, `18 0007${SPS} 0040${IDR}`));
  d.push(rtp(2, 4000, true, P));
  t.equal(d.stats.malformed, 1);
  t.equal(aus.length, 1, 'the SPS alone has no picture: carried into the next unit');
  t.same(toHex(aus[0].nalus), [SPS, P]);
  t.notOk(aus[0].complete);
});

t.test('CostarHD: FU-A with start and end bits both set', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, '7c c5 888000aabbcc'));
  t.same(toHex(aus[0].nalus), [IDR]);
  t.ok(aus[0].complete);
  t.ok(aus[0].keyframe);
});

t.test('Longse CMSEKL800: FU-A with the reserved (R) bit set', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, '7c a5 8880'));
  d.push(rtp(2, 1000, true, '7c 65 00aabbcc'));
  t.same(toHex(aus[0].nalus), [IDR]);
  t.ok(aus[0].complete);
});

t.test('retina: FU-A fragments with differing header bits and an empty middle fragment', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, '7c 85 8880'));
  d.push(rtp(2, 1000, false, '5c 05'));
  d.push(rtp(3, 1000, true, '3c 45 00aabbcc'));
  t.same(toHex(aus[0].nalus), [IDR], 'the first fragment decides the NAL header');
  t.ok(aus[0].complete);
});

t.test('Amatek AR-N3222F: SPS+PPS+IDR with Annex-B start codes inside one 2-packet FU-A', async (t) => {
  const { d, aus } = collector();
  const whole = hex(`${SPS}00000001${PPS}00000001${IDR}`);
  d.push(rtp(1, 1000, false, Buffer.concat([hex('7c87'), whole.subarray(1, 10)])));
  d.push(rtp(2, 1000, true, Buffer.concat([hex('7c47'), whole.subarray(10)])));
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
  t.ok(aus[0].keyframe);
  t.ok(aus[0].complete);
  t.equal(d.stats.annexBSplits, 1);
});

t.test('"Chinese buggy cameras" (gortsplib#199): SPS+PPS+IDR separated by 00 00 00 01 in one single-NAL packet', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, `${SPS}00000001${PPS}00000001${IDR}`));
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
  t.ok(aus[0].keyframe);
});

t.test('Annex-B stream with a leading start code in a single-NAL packet (NAL type 0 header)', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, `00000001${SPS}000001${PPS}00000001${IDR}`));
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
});

t.test('FFmpeg/gortsplib behaviour: NAL type 0 is passed through; types 30/31 ignored', async (t) => {
  const { d, aus } = collector({ firstSequenceNumber: 1 });
  d.push(rtp(1, 1000, false, '00aabb'));
  d.push(rtp(2, 1000, false, '1e0102'));
  d.push(rtp(3, 1000, true, P));
  t.same(toHex(aus[0].nalus), ['00aabb', P]);
  t.equal(d.stats.reservedTypes, 1);
  t.ok(aus[0].complete);
});

t.test('Tapo TC70: marker bit set on the SPS and on the PPS packets', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, SPS));
  d.push(rtp(2, 1000, true, PPS));
  d.push(rtp(3, 1000, true, IDR));
  t.equal(aus.length, 1);
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
  t.equal(d.stats.markersWithoutPicture, 2);
});

t.test('Reolink Duo 2: SPS marked, PPS not', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, true, SPS));
  d.push(rtp(2, 1000, false, PPS));
  d.push(rtp(3, 1000, true, IDR));
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
});

t.test('H264DVR LV-IP22IR40DVBL: SPS, PPS and SEI each marked', async (t) => {
  const { d, aus } = collector();
  [SPS, PPS, SEI, IDR].forEach((u, i) => d.push(rtp(10 + i, 1000, true, u)));
  t.equal(aus.length, 1);
  t.same(toHex(aus[0].nalus), [SPS, PPS, SEI, IDR]);
});

t.test('Reolink RLC-822A: SPS/PPS timestamp differs from the IDR after them', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 900, false, SPS));
  d.push(rtp(2, 900, false, PPS));
  d.push(rtp(3, 1000, true, IDR));
  t.equal(aus.length, 1);
  t.same(toHex(aus[0].nalus), [SPS, PPS, IDR]);
  t.equal(aus[0].timestamp, 1000, 'the picture timestamp');
  t.ok(aus[0].complete);
});

t.test('FLIR M400: no marker bit at all, boundaries only by timestamp change', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, IDR));
  d.push(rtp(2, 4000, false, P));
  d.push(rtp(3, 7000, false, P));
  t.equal(aus.length, 2);
  t.same(aus.map((a) => a.timestamp), [1000, 4000]);
  t.ok(aus.every((a) => a.complete));
  d.flush();
  t.equal(aus.length, 3);
  t.notOk(aus[2].complete, 'at end of stream nothing proves the last unit complete');
});

t.test('Amcrest IP4M-1051: AUD first (9,7,8,6,28...) then (9,6,1)', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, '0910'));
  d.push(rtp(2, 1000, false, SPS));
  d.push(rtp(3, 1000, false, PPS));
  d.push(rtp(4, 1000, false, SEI));
  d.push(rtp(5, 1000, false, '7c85 8880'));
  d.push(rtp(6, 1000, true, '7c45 00aabbcc'));
  d.push(rtp(7, 4000, false, '0930'));
  d.push(rtp(8, 4000, false, SEI));
  d.push(rtp(9, 4000, true, P));
  t.same(aus.map((a) => toHex(a.nalus)), [['0910', SPS, PPS, SEI, IDR], ['0930', SEI, P]]);
  t.same(aus.map((a) => a.keyframe), [true, false]);
});

t.test('Axis (janus#849): SPS/PPS only in the SDP; inserted before an IDR that lacks them', async (t) => {
  const { d, aus } = collector({ parameterSets: [hex(SPS), hex(PPS)], insertParameterSets: true });
  d.push(rtp(1, 1000, false, '0910'));
  d.push(rtp(2, 1000, true, IDR));
  d.push(rtp(3, 4000, true, P));
  t.same(toHex(aus[0].nalus), ['0910', SPS, PPS, IDR], 'right before the IDR (the AUD stays first)');
  t.ok(aus[0].parameterSetsInserted);
  t.same(toHex(aus[1].nalus), [P], 'not before P frames');
  t.equal(d.stats.parameterSetsInserted, 1);
});

t.test('GW Security / Annex-B sprop: start codes around the parameter sets are tolerated', async (t) => {
  const { d } = collector();
  d.setParameterSets([hex(`00000001${SPS}`), hex(`${PPS}00000001`)]);
  t.equal(Buffer.from(d.parameterSets.sps!).toString('hex'), SPS);
  t.equal(Buffer.from(d.parameterSets.pps!).toString('hex'), PPS);
});

t.test('in-band SPS/PPS are learned for later insertion', async (t) => {
  const { d, aus } = collector({ insertParameterSets: true });
  d.push(rtp(1, 1000, true, `18 0007${SPS} 0004${PPS} 0007${IDR}`));
  d.push(rtp(2, 4000, true, IDR));
  t.same(toHex(aus[1].nalus), [SPS, PPS, IDR]);
});

t.test('Tapo (~10000-byte packets) and UniFi (a whole 60 KB NAL unit in one packet) over TCP', async (t) => {
  const { d, aus } = collector({ firstSequenceNumber: 1 });
  const big = new Uint8Array(60_000).fill(0x11);
  big[0] = 0x65;
  const tapo = new Uint8Array(10_000).fill(0x22);
  tapo[0] = 0x41;
  d.push(rtp(1, 1000, true, big));
  d.push(rtp(2, 4000, true, tapo));
  t.same(aus.map((a) => a.size), [60_000, 10_000]);
  t.ok(aus.every((a) => a.complete));
});

t.test('STAP-B, MTAP16, MTAP24 and FU-B are counted and dropped; the unit is incomplete', async (t) => {
  const { d, aus } = collector();
  for (const [i, type] of [25, 26, 27, 29].entries()) d.push(rtp(1 + i, 1000, false, Uint8Array.of(0x60 | type, 0, 1, 2, 3)));
  d.push(rtp(5, 1000, true, P));
  t.equal(d.stats.unsupportedPackets, 4);
  t.same(toHex(aus[0].nalus), [P]);
  t.notOk(aus[0].complete);
});

t.test('access unit over maxAccessUnitSize is dropped with a counter; the next one flags the discontinuity', async (t) => {
  const { d, aus } = collector({ maxAccessUnitSize: 1000 });
  const frag = new Uint8Array(600).fill(0x33);
  frag[0] = 0x7c; frag[1] = 0x85;
  d.push(rtp(1, 1000, false, frag));
  frag[1] = 0x05;
  d.push(rtp(2, 1000, false, frag));
  frag[1] = 0x45;
  d.push(rtp(3, 1000, true, frag));
  d.push(rtp(4, 4000, true, P));
  t.equal(d.stats.accessUnitsOversized, 1);
  t.equal(aus.length, 1);
  t.same(toHex(aus[0].nalus), [P]);
  t.ok(aus[0].discontinuity);
  t.equal(d.stats.fragmentsWithoutStart, 0, 'fragments of the dropped unit are not counted twice');
});

t.test('GeoVision: a packet that reuses the previous sequence number is a duplicate, dropped', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(7, 1000, false, IDR));
  d.push(rtp(7, 1000, false, 'aa'));
  d.push(rtp(8, 1000, true, '0605ff'));
  t.same(toHex(aus[0].nalus), [IDR, '0605ff']);
  t.equal(d.stats.duplicates, 1);
});
