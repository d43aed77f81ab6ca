/** Depacketizer behaviour that is not a camera quirk: loss marking, stream start, restarts. */
import t from 'tap';
import { collector, rtp, toHex } from './helpers.js';
import { looksLikeUnitStart } from '../../lib/h264/depacketizer.js';
import { hex } from './helpers.js';

const IDR = '65888000aabbcc';
const P = '419a2233';

t.test('markLoss() from the reorder buffer makes the open unit and the next one incomplete', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, '7c85 8880'));
  d.markLoss();
  d.push(rtp(2, 1000, true, '7c45 00aabbcc'));
  d.push(rtp(3, 4000, true, P));
  t.same(aus.map((a) => a.complete), [false, true]);
  t.equal(d.stats.lossMarks, 1);
});

t.test('a gap across a timestamp change without a marker makes both sides incomplete', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, IDR));
  d.push(rtp(3, 4000, false, P));
  d.push(rtp(4, 7000, false, P));
  t.same(aus.map((a) => a.complete), [false, false]);
  t.equal(d.stats.lostPackets, 1);
});

t.test('a gap after a marker: only the next unit is incomplete', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(65535, 1000, true, IDR));
  d.push(rtp(1, 4000, true, P));
  d.push(rtp(2, 7000, true, P));
  t.same(aus.map((a) => a.complete), [true, false, true], 'crossing 65535 -> 0');
});

t.test('stream start: RTP-Info seq makes a loss before the first packet visible', async (t) => {
  const { d, aus } = collector({ firstSequenceNumber: 100 });
  d.push(rtp(101, 1000, true, P));
  t.notOk(aus[0].complete);
  const b = collector();
  b.d.push(rtp(101, 1000, true, '7c05 0011'));
  t.notOk(b.aus[0]?.complete ?? false, 'an FU-A middle fragment never starts a unit');
  t.equal(b.d.stats.fragmentsWithoutStart, 1);
});

t.test('looksLikeUnitStart', async (t) => {
  t.ok(looksLikeUnitStart(hex('0910')));
  t.ok(looksLikeUnitStart(hex('6742c0')));
  t.ok(looksLikeUnitStart(hex(P)), 'first_mb_in_slice = 0');
  t.notOk(looksLikeUnitStart(hex('411a')), 'first_mb_in_slice > 0: a later slice');
  t.ok(looksLikeUnitStart(hex('7c85 88')));
  t.notOk(looksLikeUnitStart(hex('7c05 88')));
  t.ok(looksLikeUnitStart(hex('18 0002 0910')));
  t.notOk(looksLikeUnitStart(hex('68ce')), 'a PPS may have lost its SPS');
});

t.test('duplicates and late packets are dropped; a far jump back is a restart', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(10, 1000, true, IDR));
  d.push(rtp(10, 1000, true, IDR));
  d.push(rtp(9, 1000, true, IDR));
  d.push(rtp(11, 4000, true, P));
  d.push(rtp(5000, 7000, true, P));
  d.push(rtp(1, 10000, true, P));
  t.same(aus.map((a) => a.timestamp), [1000, 4000, 7000, 10000]);
  t.same(aus.map((a) => a.complete), [true, true, false, false]);
  t.equal(d.stats.duplicates, 1);
  t.equal(d.stats.late, 1);
  t.equal(d.stats.sequenceRestarts, 2, 'the jumps to 5000 and back to 1');
});

t.test('emitted units own their bytes: reusing the packet buffer does not change them', async (t) => {
  const { d, aus } = collector();
  const payload = hex(IDR);
  d.push(rtp(1, 1000, true, payload));
  payload.fill(0);
  t.same(toHex(aus[0].nalus), [IDR]);
});

t.test('reset() drops the unit in progress and forgets the sequence', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, IDR));
  d.reset();
  d.push(rtp(500, 4000, true, P));
  t.equal(aus.length, 1);
  t.ok(aus[0].complete);
  t.equal(d.stats.accessUnitsDiscarded, 1);
});

t.test('padding-only packets are ignored; a far jump forward is a restart, not 30000 losses', async (t) => {
  const { d, aus } = collector();
  d.push(rtp(1, 1000, false, IDR));
  d.push(rtp(2, 1000, false, new Uint8Array(0)));
  d.push(rtp(3, 1000, true, '0605ff'));
  t.ok(aus[0].complete);
  t.equal(d.stats.emptyPayloads, 1);
  d.push(rtp(30003, 4000, true, P));
  t.equal(d.stats.lostPackets, 0);
  t.equal(d.stats.sequenceRestarts, 1);
  t.notOk(aus[1].complete);
});
