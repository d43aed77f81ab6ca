/**
 * Every quirk the depacketizer tolerates is named by depacketizerQuirks (what `camwire probe`
 * reports): one vector per quirk, modelled on the camera that does it (../shared/corpus/QUIRKS.md
 * section J). The table is typed by the quirk list, so a new tolerance without a vector does not build.
 */
import t from 'tap';
import { collector, rtp } from './helpers.js';
import { DEPACKETIZER_QUIRKS, depacketizerQuirks, type DepacketizerQuirk } from '../../lib/h264/quirks.js';
import type { RtpPacket } from '../../lib/rtp/packet.js';

const SPS = '6742c01e8c8d40';
const PPS = '68ce3c80';
const IDR = '65888000aabbcc';
const P = '419a2233';

/** SPS, PPS as their own packets at `ts` (no marker), from `seq`. */
const paramSets = (seq: number, ts: number): RtpPacket[] => [rtp(seq, ts, false, SPS), rtp(seq + 1, ts, false, PPS)];

const VECTORS: Record<DepacketizerQuirk, { camera: string; packets: RtpPacket[] }> = {
  'no-marker-bit': { camera: 'FLIR M400 (mediamtx#3945): no marker bit at all', packets: [...paramSets(1, 1000), rtp(3, 1000, false, IDR), rtp(4, 4000, false, P), rtp(5, 7000, false, P)] },
  'marker-bit-on-parameter-sets': { camera: 'Tapo TC70: marker on the SPS and PPS packets', packets: [rtp(1, 1000, true, SPS), rtp(2, 1000, true, PPS), rtp(3, 1000, true, IDR)] },
  'parameter-set-timestamp-differs': { camera: 'Reolink RLC-822A: SPS/PPS timestamp differs from the IDR', packets: [...paramSets(1, 900), rtp(3, 1000, true, IDR)] },
  'idr-without-parameter-sets': { camera: 'Axis (janus#849): SPS/PPS only in the SDP', packets: [rtp(1, 1000, true, IDR), rtp(2, 4000, true, P)] },
  'annex-b-start-codes-inside-nal-units': { camera: 'gortsplib#199 cameras: SPS+PPS+IDR with start codes in one packet', packets: [rtp(1, 1000, true, `${SPS}00000001${PPS}00000001${IDR}`)] },
  'fu-a-start-and-end-bits': { camera: 'CostarHD: FU-A with start and end bits both set', packets: [...paramSets(1, 1000), rtp(3, 1000, true, '7c c5 888000aabbcc')] },
  'fu-a-reserved-bit': { camera: 'Longse CMSEKL800: FU-A with the reserved bit set', packets: [...paramSets(1, 1000), rtp(3, 1000, false, '7c a5 8880'), rtp(4, 1000, true, '7c 65 00aabbcc')] },
  'stap-a-padding': { camera: 'gortsplib "STAP-A with padding"', packets: [rtp(1, 1000, true, `18 0007${SPS} 0004${PPS} 0007${IDR} 0000 00`)] },
  'nal-type-0': { camera: 'FFmpeg/gortsplib pass NAL type 0 through', packets: [...paramSets(1, 1000), rtp(3, 1000, false, '00aabb'), rtp(4, 1000, true, IDR)] },
  'reserved-nal-types': { camera: 'types 30/31 (gortsplib passes them, FFmpeg rejects): ignored', packets: [...paramSets(1, 1000), rtp(3, 1000, false, '1eaabb'), rtp(4, 1000, true, IDR)] },
  'empty-rtp-payloads': { camera: 'padding-only packets (bandwidth probes)', packets: [...paramSets(1, 1000), rtp(3, 1000, true, IDR), rtp(4, 4000, false, new Uint8Array(0)), rtp(5, 4000, true, P)] },
  'unsupported-packetization': { camera: 'a packetization-mode 2 sender: STAP-B dropped', packets: [...paramSets(1, 1000), rtp(3, 1000, true, IDR), rtp(4, 4000, true, `19 0000 0004${P}`)] },
  'sequence-restart': { camera: 'mediamtx#3308: a camera that resets its sequence numbers', packets: [...paramSets(1, 1000), rtp(3, 1000, true, IDR), ...paramSets(40_000, 4000), rtp(40_002, 4000, true, IDR)] },
};

for (const [quirk, v] of Object.entries(VECTORS) as [DepacketizerQuirk, (typeof VECTORS)[DepacketizerQuirk]][]) {
  t.test(`${v.camera}: named ${quirk}`, async (t) => {
    const { d, aus } = collector();
    for (const p of v.packets) d.push(p);
    t.ok(aus.length >= 1, 'units still come out');
    t.same(depacketizerQuirks(d.stats), [quirk]);
  });
}

t.test('a well-behaved camera (SPS, PPS, IDR, P, each unit marked) has no quirk', async (t) => {
  const { d, aus } = collector();
  for (const p of [...paramSets(1, 1000), rtp(3, 1000, true, IDR), rtp(4, 4000, true, P), rtp(5, 7000, true, P)]) d.push(p);
  d.flush();
  t.equal(aus.length, 3);
  t.same(depacketizerQuirks(d.stats), []);
});

t.test('a lost marker packet is loss, not the no-marker-bit quirk', async (t) => {
  const { d } = collector();
  for (const p of [...paramSets(1, 1000), rtp(3, 1000, true, IDR), rtp(4, 4000, false, '7c 81 9a'), rtp(6, 7000, true, P)]) d.push(p);
  t.equal(d.stats.unitsEndedByTimestamp, 0);
  t.notOk(depacketizerQuirks(d.stats).includes('no-marker-bit'));
});

t.test('flush: the open unit is truncatedAtEnd when nothing was lost, incomplete when something was', async (t) => {
  const clean = collector();
  for (const p of [...paramSets(1, 1000), rtp(3, 1000, false, IDR)]) clean.d.push(p);
  clean.d.flush();
  t.match(clean.aus, [{ complete: false, truncatedAtEnd: true }]);
  t.equal(clean.d.stats.accessUnitsTruncatedAtEnd, 1);
  t.equal(clean.d.stats.accessUnitsIncomplete, 0);
  const broken = collector();
  for (const p of [...paramSets(1, 1000), rtp(4, 1000, false, IDR)]) broken.d.push(p);
  broken.d.flush();
  t.match(broken.aus, [{ complete: false, truncatedAtEnd: false }]);
  t.equal(broken.d.stats.accessUnitsTruncatedAtEnd, 0);
  t.equal(broken.d.stats.accessUnitsIncomplete, 1);
});

t.test('every quirk names a counter of the depacketizer', async (t) => {
  const { d } = collector();
  for (const counter of Object.values(DEPACKETIZER_QUIRKS)) t.type(d.stats[counter], 'number', counter);
});
