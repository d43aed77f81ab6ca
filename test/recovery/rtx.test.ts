import t from 'tap';
import fc from 'fast-check';
import { buildRtx, parseRtx, rtxOriginalSeq, rtxSize } from '../../lib/recovery/rtx.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { CamwireError } from '../../lib/errors.js';

function rtp(over: Partial<RtpPacket> = {}): RtpPacket {
  return {
    version: 2, padding: false, extension: false, marker: true, payloadType: 96, sequenceNumber: 4660,
    timestamp: 0x11223344, ssrc: 0xdeadbeef, csrc: [], headerExtension: undefined,
    payload: Uint8Array.of(0x65, 1, 2, 3), paddingLength: 0, ...over,
  };
}

t.test('RFC 4588 layout: RTX PT and SSRC, own seq, OSN in the first two payload bytes', async (t) => {
  const original = serializeRtp(rtp());
  const x = buildRtx(original, 97, 0x01020304, 9);
  t.same([...x], [0x80, 0x80 | 97, 0, 9, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 0x12, 0x34, 0x65, 1, 2, 3]);
  t.equal(rtxSize(original), x.length);
  t.equal(rtxOriginalSeq(x), 4660);
  t.same(parseRtx(x, 96, 0xdeadbeef), original);
});

t.test('padding of the original is dropped; CSRCs and header extension carried', async (t) => {
  const original = serializeRtp(rtp({ paddingLength: 4, csrc: [1, 2], headerExtension: { profile: 0xbede, data: Uint8Array.of(0x10, 0xaa, 0, 0) } }));
  const x = buildRtx(original, 97, 5, 0);
  const px = parseRtp(x);
  t.equal(px.padding, false);
  t.same(px.csrc, [1, 2]);
  t.same(px.headerExtension?.data, Uint8Array.of(0x10, 0xaa, 0, 0));
  const back = parseRtp(parseRtx(x, 96, 0xdeadbeef));
  t.same(back.payload, Uint8Array.of(0x65, 1, 2, 3));
  t.equal(back.sequenceNumber, 4660);
});

t.test('errors are typed: no OSN, buffer too small, malformed input', async (t) => {
  const noOsn = serializeRtp(rtp({ payload: Uint8Array.of(1) }));
  t.throws(() => parseRtx(noOsn, 96, 1), { code: 'RTX_NO_OSN' });
  t.throws(() => buildRtx(serializeRtp(rtp()), 97, 1, 1, new Uint8Array(10)), { code: 'RTX_BUFFER_TOO_SMALL' });
  t.throws(() => buildRtx(Uint8Array.of(1, 2, 3), 97, 1, 1), { code: 'RTP_TOO_SHORT' });
});

const packetArb = fc.record({
  marker: fc.boolean(), payloadType: fc.integer({ min: 0, max: 127 }), sequenceNumber: fc.integer({ min: 0, max: 65535 }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }), ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrc: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }), payload: fc.uint8Array({ maxLength: 1400 }),
});

t.test('property: build then parse gives the original back (padding aside)', async (t) => {
  fc.assert(fc.property(packetArb, fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 65535 }),
    (p, rtxPt, rtxSsrc, rtxSeq) => {
      const original = serializeRtp(rtp(p));
      const x = buildRtx(original, rtxPt, rtxSsrc, rtxSeq);
      const hx = parseRtp(x);
      if (hx.payloadType !== rtxPt || hx.ssrc !== rtxSsrc || hx.sequenceNumber !== rtxSeq || hx.marker !== p.marker) return false;
      const back = parseRtx(x, p.payloadType, p.ssrc);
      return back.length === original.length && back.every((b, i) => b === original[i]);
    }));
});

t.test('property: arbitrary bytes never throw anything but typed errors', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    for (const f of [() => parseRtx(bytes, 96, 1), () => buildRtx(bytes, 97, 1, 1), () => rtxOriginalSeq(bytes)]) {
      try { f(); } catch (e) { if (!(e instanceof CamwireError)) return false; }
    }
    return true;
  }));
});

t.test('gateway flow: a NACK answered from the shared history as RTX restores the exact original', async (t) => {
  const { RetransmissionHistory, ResendLimiter } = await import('../../lib/recovery/history.js');
  const history = new RetransmissionHistory();
  const originals = [65534, 65535, 0, 1].map((seq) => serializeRtp(rtp({ sequenceNumber: seq, payload: Uint8Array.of(seq & 0xff, 9, 9) })));
  originals.forEach((p, i) => history.store(p, i));
  let rtxSeq = 65535;
  const out = new Uint8Array(1500);
  const sent: Uint8Array[] = [];
  history.serve([65535, 0, 7], 10, new ResendLimiter(), 100, {
    resend: (pkt) => {
      sent.push(buildRtx(pkt, 97, 0x5555, rtxSeq, out).slice());
      rtxSeq = (rtxSeq + 1) & 0xffff;
    },
  });
  t.equal(sent.length, 2);
  t.same(sent.map((x) => parseRtp(x).sequenceNumber), [65535, 0], 'the RTX stream numbers its own packets');
  t.same(sent.map((x) => parseRtp(x).ssrc), [0x5555, 0x5555]);
  t.same(parseRtx(sent[0], 96, 0xdeadbeef), originals[1]);
  t.same(parseRtx(sent[1], 96, 0xdeadbeef), originals[2]);
  t.equal(history.stats.unknown, 1);
});
