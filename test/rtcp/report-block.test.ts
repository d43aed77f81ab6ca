import t from 'tap';
import fc from 'fast-check';
import {
  fractionLost, clampCumulativeLost, extendedHighestSeq, splitExtendedSeq, updateJitter, rttFromReportBlock,
  msToNtp, ntpToMs, ntpMiddle32, ntpMiddle32FromMs, msToDlsr, dlsrToMs, NTP_UNIX_OFFSET_S,
} from '../../lib/rtcp/index.js';

t.test('fraction lost (RFC 3550 A.3)', async (t) => {
  t.equal(fractionLost(100, 25), 64, 'a quarter is 64/256');
  t.equal(fractionLost(3, 1), 85, 'rounded down');
  t.equal(fractionLost(1, 1), 255, 'all lost saturates at 255');
  t.equal(fractionLost(0, 0), 0, 'nothing expected');
  t.equal(fractionLost(10, -3), 0, 'duplicates: more received than expected');
});

t.test('cumulative lost is 24-bit signed and saturates', async (t) => {
  t.equal(clampCumulativeLost(5), 5);
  t.equal(clampCumulativeLost(1e9), 0x7fffff);
  t.equal(clampCumulativeLost(-1e9), -0x800000);
});

t.test('extended highest sequence number', async (t) => {
  t.equal(extendedHighestSeq(0, 65535), 65535);
  t.equal(extendedHighestSeq(1, 5), 65541);
  t.equal(extendedHighestSeq(0xffff, 0xffff), 0xffffffff);
  t.same(splitExtendedSeq(0x00030010), { cycles: 3, seq: 16 });
});

t.test('interarrival jitter (RFC 3550 A.8)', async (t) => {
  t.equal(updateJitter(0, 3000, 90000, 93000), 0, 'steady transit: no jitter');
  t.equal(updateJitter(0, 3016, 90000, 93000), 1, 'D = 16 moves J by 16/16');
  t.equal(updateJitter(16, 3000, 90000, 93000), 15, 'decays by 1/16');
  t.equal(updateJitter(0, 512, 0xffffff00, 0x00000100), 0, 'timestamps compared across the 32-bit wrap');
});

t.test('NTP timestamps', async (t) => {
  t.same(msToNtp(0), { seconds: NTP_UNIX_OFFSET_S, fraction: 0 });
  t.same(msToNtp(1500), { seconds: NTP_UNIX_OFFSET_S + 1, fraction: 0x80000000 });
  t.equal(ntpMiddle32(0x1234abcd, 0x5678ffff), 0xabcd5678);
  t.equal(ntpMiddle32FromMs(1500), ntpMiddle32(NTP_UNIX_OFFSET_S + 1, 0x80000000));
  const after2036 = Date.UTC(2040, 0, 1, 12, 0, 0, 250);
  const t2040 = msToNtp(after2036);
  t.ok(t2040.seconds < 0x80000000, 'era 1 wraps the 32-bit seconds');
  t.equal(ntpToMs(t2040.seconds, t2040.fraction), after2036, 'and comes back');
  t.equal(msToDlsr(5250), 0x00054000);
  t.equal(dlsrToMs(0x00054000), 5250);
  t.equal(msToDlsr(-1), 0);
  t.equal(msToDlsr(1e12), 0xffffffff);
});

t.test('property: ms -> NTP -> ms within a microsecond, 1970-2100', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (ms) => {
    const n = msToNtp(ms);
    return Math.abs(ntpToMs(n.seconds, n.fraction) - ms) < 1e-3;
  }));
});

t.test('round-trip time: the RFC 3550 6.4.1 example', async (t) => {
  // A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s)
  t.equal(rttFromReportBlock(0xb7108000, 0xb7052000, 0x00054000), 6125);
  t.equal(rttFromReportBlock(0xb7108000, 0, 0x00054000), undefined, 'no SR seen yet');
  t.equal(rttFromReportBlock(0xb7050000, 0xb7052000, 0), 0, 'negative (rounding) reported as 0');
  t.equal(rttFromReportBlock(0x00010000, 0xffff0000, 0), 2000, 'across the 16-bit seconds wrap of the middle 32 bits');
});

t.test('property: RTT from LSR/DLSR recovers the true delay, also across the middle-32 wrap', async (t) => {
  const wrapMs = (65536 - NTP_UNIX_OFFSET_S % 65536) * 1000; // unix ms where the middle 32 bits wrap
  fc.assert(fc.property(
    fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: wrapMs - 20_000, max: wrapMs + 20_000 })),
    fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 60_000 }),
    (sentMs, rttMs, holdMs) => {
      const lsr = ntpMiddle32FromMs(sentMs);
      if (lsr === 0) return true;
      const arrival = ntpMiddle32FromMs(sentMs + rttMs + holdMs);
      const rtt = rttFromReportBlock(arrival, lsr, msToDlsr(holdMs));
      return rtt !== undefined && Math.abs(rtt - rttMs) < 0.1;
    }));
});
