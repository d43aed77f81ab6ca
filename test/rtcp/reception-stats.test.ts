import t from 'tap';
import fc from 'fast-check';
import { ReceptionStats, msToNtp, ntpMiddle32FromMs, rttFromReportBlock, parseRtcp, serializeRtcp } from '../../lib/rtcp/index.js';
import { seqAdd } from '../../lib/rtp/seq.js';

t.test('no report block before the first packet', async (t) => {
  t.equal(new ReceptionStats(1, 90000).reportBlock(0), undefined);
});

t.test('loss across 65535 -> 0: cumulative, fraction per interval, extended highest seq', async (t) => {
  const s = new ReceptionStats(0xcafe, 90000);
  let now = 1000;
  for (let i = 0; i < 12; i++) {
    const seq = seqAdd(65530, i);
    if (seq === 65533 || seq === 2) continue; // lost
    s.onRtp(seq, 3000 * i, (now += 33));
  }
  const b1 = s.reportBlock(now)!;
  t.equal(b1.ssrc, 0xcafe);
  t.equal(b1.cumulativeLost, 2);
  t.equal(b1.fractionLost, Math.floor((2 * 256) / 12));
  t.equal(b1.highestSeq, 65536 + 5, 'one cycle, seq 5');
  t.match(s.counters, { received: 10, expected: 12, lost: 2, senderReports: 0 });
  for (let i = 12; i < 22; i++) s.onRtp(seqAdd(65530, i), 3000 * i, (now += 33));
  const b2 = s.reportBlock(now)!;
  t.equal(b2.fractionLost, 0, 'nothing lost in the second interval');
  t.equal(b2.cumulativeLost, 2);
  t.equal(b2.highestSeq, 65536 + 15);
});

t.test('duplicates make cumulative loss negative; late packets do not move the highest seq', async (t) => {
  const s = new ReceptionStats(1, 90000);
  for (const seq of [10, 11, 12, 12, 13, 13, 11]) s.onRtp(seq, 0, 0);
  const b = s.reportBlock(0)!;
  t.equal(b.cumulativeLost, -3);
  t.equal(b.fractionLost, 0);
  t.equal(b.highestSeq, 13);
});

t.test('jitter: 0 on a steady stream, about 5 ms when arrivals alternate +-2.5 ms', async (t) => {
  const steady = new ReceptionStats(1, 90000);
  for (let i = 0; i < 100; i++) steady.onRtp(i, 3000 * i, (1000 * i) / 30);
  t.equal(steady.reportBlock(4000)!.jitter, 0);
  const wobbly = new ReceptionStats(1, 90000);
  for (let i = 0; i < 300; i++) wobbly.onRtp(i, (0xffff0000 + 3000 * i) >>> 0, (1000 * i) / 30 + (i % 2 ? 2.5 : -2.5));
  const j = wobbly.reportBlock(11000)!.jitter;
  t.ok(Math.abs(j - 450) <= 2, `jitter ${j} RTP units ~ 450 (5 ms at 90 kHz), across the timestamp wrap`);
  t.ok(Math.abs(wobbly.counters.jitterMs - 5) < 0.05);
});

t.test('LSR/DLSR from a sender report give the round-trip time back to its sender', async (t) => {
  const oneWayMs = 40;
  const holdMs = 250;
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0, 123); // virtual clock, same on both ends
  const srNtp = msToNtp(t0);
  const receiver = new ReceptionStats(0xcafe, 90000);
  receiver.onRtp(1, 0, t0);
  receiver.onSenderReport(srNtp.seconds, srNtp.fraction, t0 + oneWayMs);
  const block = receiver.reportBlock(t0 + oneWayMs + holdMs)!;
  t.equal(block.lsr, ntpMiddle32FromMs(t0));
  // through the wire and back, as the sender would read it
  const rr = parseRtcp(serializeRtcp([{ type: 'rr', ssrc: 2, reports: [block], profileExtension: new Uint8Array(0) }]))[0];
  if (rr.type !== 'rr') throw new Error('not an RR');
  const rtt = rttFromReportBlock(ntpMiddle32FromMs(t0 + 2 * oneWayMs + holdMs), rr.reports[0].lsr, rr.reports[0].dlsr)!;
  t.ok(Math.abs(rtt - 2 * oneWayMs) < 0.1, `rtt ${rtt} ms`);
  t.equal(receiver.counters.senderReports, 1);
});

t.test('property: counted loss equals packets dropped, with reordering, across the wrap', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 65535 }),
    fc.array(fc.boolean(), { minLength: 2, maxLength: 400 }),
    fc.array(fc.nat(), { maxLength: 20 }),
    (start, kept, swaps) => {
      kept[0] = true; // the first and last packets define the range
      kept[kept.length - 1] = true;
      const arrivals = kept.flatMap((k, i) => (k ? [i] : []));
      for (const w of swaps) {
        const i = w % (arrivals.length - 1);
        if (i > 0 && i + 1 < arrivals.length - 1) [arrivals[i], arrivals[i + 1]] = [arrivals[i + 1], arrivals[i]];
      }
      const s = new ReceptionStats(1, 90000);
      arrivals.forEach((i, n) => s.onRtp(seqAdd(start, i), 3000 * i, n * 10));
      const dropped = kept.filter((k) => !k).length;
      const b = s.reportBlock(0)!;
      const last = kept.length - 1;
      return b.cumulativeLost === dropped && s.counters.lost === dropped
        && b.highestSeq === start + last // cycles counted from the first packet
        && b.fractionLost === Math.min(255, Math.floor((dropped * 256) / kept.length));
    }), { numRuns: 1000 });
});

t.test('baseFollowsLatePackets: a first packet that arrived late still counts as expected, across the wrap', async (t) => {
  const rfc = new ReceptionStats(1, 90000);
  const follow = new ReceptionStats(1, 90000, { baseFollowsLatePackets: true });
  // seq 65535 was sent first but arrives after 0 and 1; seq 3 is lost.
  for (const seq of [0, 1, 65535, 2, 4]) {
    t.equal(follow.peekExtended(seq), follow.onRtp(seq, 0, 0), 'peek matches what onRtp records');
    rfc.onRtp(seq, 0, 0);
  }
  t.match(rfc.counters, { received: 5, expected: 5, lost: 0 }, 'RFC 3550: the range starts at the first packet received');
  t.match(follow.counters, { received: 5, expected: 6, lost: 1 });
  const b = follow.reportBlock(0)!;
  t.equal(b.cumulativeLost, 1);
  t.equal(b.highestSeq, 65536 + 4, 'cycles counted from the late base, before the wrap');
  t.equal(rfc.reportBlock(0)!.highestSeq, 4, 'cycles counted from the first packet, after the wrap');
  t.equal(follow.highestExtended, 65536 + 4);
});
