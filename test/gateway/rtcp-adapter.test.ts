import t from 'tap';
import fc from 'fast-check';
import { CamwireError } from '../../lib/errors.js';
import { gatewayRtcp } from '../../lib/gateway/rtcp-adapter.js';
import { ntpToMs, parseRtcp, sdesCname, seqsToNackItems, serializeRtcp } from '../../lib/rtcp/index.js';

t.test('browser RTCP (RR + REMB, NACK across the wrap, PLI, FIR) becomes viewer events', (t) => {
  const compound = serializeRtcp([
    { type: 'rr', ssrc: 1, reports: [{ ssrc: 0x1111, fractionLost: 64, cumulativeLost: 7, highestSeq: 65540, jitter: 12, lsr: 0xabcd1234, dlsr: 6553 }], profileExtension: new Uint8Array(0) },
    { type: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: 1_500_000, ssrcs: [0x1111] },
  ]);
  const events = gatewayRtcp.parse(compound);
  t.same(events[0], { type: 'report', ssrc: 0x1111, fractionLost: 0.25, cumulativeLost: 7, jitter: 12, lastSr: 0xabcd1234, delaySinceLastSr: 6553 });
  t.equal(events[1].type, 'remb');
  const lost = [65534, 65535, 0, 3, 40];
  const nack = gatewayRtcp.parse(serializeRtcp([{ type: 'nack', senderSsrc: 1, mediaSsrc: 0x1111, items: seqsToNackItems(lost) }]));
  t.same(nack, [{ type: 'nack', mediaSsrc: 0x1111, lost }]);
  t.same(gatewayRtcp.parse(serializeRtcp([{ type: 'pli', senderSsrc: 1, mediaSsrc: 0x1111 }])), [{ type: 'pli', mediaSsrc: 0x1111 }]);
  t.same(gatewayRtcp.parse(serializeRtcp([{ type: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 0x1111, seqNr: 3 }] }])), [{ type: 'fir', mediaSsrc: 0x1111 }]);
  t.end();
});

t.test('XR RRTR becomes an rrtr event; the DLRR answer parses back with the delay in 1/65536 s', (t) => {
  const xr = serializeRtcp([
    { type: 'rr', ssrc: 0xbeef, reports: [], profileExtension: new Uint8Array(0) },
    { type: 'xr', ssrc: 0xbeef, blocks: [{ type: 'rrtr', ntpSeconds: 0xe9d3c2b1, ntpFraction: 0x40001234 }] },
  ]);
  t.same(gatewayRtcp.parse(xr), [{ type: 'rrtr', ssrc: 0xbeef, lastRr: 0xc2b14000 }], 'LRR = middle 32 bits of the NTP time');
  const [dlrr] = parseRtcp(gatewayRtcp.dlrr(0x1111, 0xbeef, 0xc2b14000, 500));
  t.same(dlrr, { type: 'xr', ssrc: 0x1111, blocks: [{ type: 'dlrr', items: [{ ssrc: 0xbeef, lastRr: 0xc2b14000, delaySinceLastRr: 32768 }] }] });
  t.end();
});

t.test('SR + SDES: what the viewer sends parses back', (t) => {
  const wall = 1_700_000_000_250;
  const sr = gatewayRtcp.senderReport({ ssrc: 0x1111, wallClockMs: wall, rtpTimestamp: 0xfffffff0, packetCount: 10, octetCount: 9000, cname: 'camwire-demo' });
  const [a, b] = parseRtcp(sr);
  t.equal(a.type, 'sr');
  if (a.type === 'sr') {
    t.equal(a.rtpTimestamp, 0xfffffff0);
    t.equal(a.packetCount, 10);
    t.ok(Math.abs(ntpToMs(a.ntpSeconds, a.ntpFraction) - wall) < 1);
    t.equal(gatewayRtcp.ntpMiddle(wall), (((a.ntpSeconds & 0xffff) << 16) | (a.ntpFraction >>> 16)) >>> 0, 'LSR matches what the receiver echoes');
  }
  t.equal(b.type === 'sdes' ? sdesCname(b) : undefined, 'camwire-demo');
  t.end();
});

t.test('arbitrary bytes never throw anything but typed errors', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        gatewayRtcp.parse(bytes);
      } catch (err) {
        if (!(err instanceof CamwireError)) throw err;
      }
    }),
    { numRuns: 2000 },
  );
  t.end();
});
