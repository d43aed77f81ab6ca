import t from 'tap';
import fc from 'fast-check';
import {
  parseRtcp, parseTransportCc, isTransportCc, transportCcCount, transportCcSize, writeTransportCc, RtcpParseError,
  TRANSPORT_CC_MAX_PACKETS, TWCC_LARGE_DELTA, TWCC_NOT_RECEIVED, TWCC_SMALL_DELTA, type TransportCcFeedback,
} from '../../lib/rtcp/index.js';

const body = (pkt: Uint8Array) => parseTransportCc(pkt, 4, pkt.length);

t.test('a hand-made packet: run-length chunk, small deltas, negative reference time', (t) => {
  const pkt = Uint8Array.of(
    0x8f, 205, 0x00, 0x06, // V=2 FMT=15 RTPFB, 7 words
    0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78, // sender, media SSRC
    0xff, 0xfe, 0x00, 0x03, // base seq 65534, 3 packets (wrapping)
    0xff, 0xff, 0xfe, 0x07, // reference time -2 (x 64 ms), feedback count 7
    0x20, 0x03, // run of 3 "small delta"
    0x04, 0x08, 0x0c, 0x00, 0x00, 0x00, // deltas 1 ms, 2 ms, 3 ms, padding
  );
  const [unknown] = parseRtcp(pkt);
  t.equal(unknown.type, 'unknown', 'parseRtcp keeps it whole');
  t.ok(isTransportCc(pkt[1], pkt[0] & 0x1f));
  const fb = body(pkt);
  t.match(fb, { senderSsrc: 1, mediaSsrc: 0x12345678, baseSeq: 65534, referenceTime: -2, feedbackCount: 7 });
  t.same([...fb.statuses], [1, 1, 1]);
  t.same([...fb.deltas], [4, 8, 12]);
  t.end();
});

t.test('status vector chunks (one-bit and two-bit) and large negative deltas', (t) => {
  const pkt = Uint8Array.of(
    0x8f, 205, 0x00, 0x06,
    0, 0, 0, 1, 0, 0, 0, 2,
    0x00, 0x0a, 0x00, 0x10, // base 10, 16 packets
    0x00, 0x00, 0x01, 0x00,
    0xa0, 0x01, // one-bit vector: 1 0 0 0 0 0 0 0 0 0 0 0 0 1 (14 packets)
    0xe0, 0x00, // two-bit vector: 2 0 ... (the last 2 packets of 16; the rest ignored)
    0x05, 0x06, 0xff, 0x38, // small 5, small 6, large -200
  );
  const fb = body(pkt);
  t.same([...fb.statuses], [1, ...Array(12).fill(0), 1, 2, 0]);
  t.equal(fb.deltas[0], 5);
  t.equal(fb.deltas[13], 6);
  t.equal(fb.deltas[14], -200);
  t.end();
});

const feedback = fc.integer({ min: 0, max: 600 }).chain((n) =>
  fc.record({
    senderSsrc: fc.integer({ min: 0, max: 0xffffffff }),
    mediaSsrc: fc.integer({ min: 0, max: 0xffffffff }),
    baseSeq: fc.integer({ min: 0, max: 0xffff }),
    referenceTime: fc.integer({ min: -0x800000, max: 0x7fffff }),
    feedbackCount: fc.integer({ min: 0, max: 255 }),
    // runs and mixtures, so both chunk kinds are written
    statuses: fc.array(fc.oneof(fc.constantFrom(0, 1, 2), fc.constant(1)), { minLength: n, maxLength: n }),
    small: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n }),
    large: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: n, maxLength: n }),
  }).map((r): TransportCcFeedback => {
    const statuses = Uint8Array.from(r.statuses);
    const deltas = Int32Array.from(r.statuses, (s, i) => (s === TWCC_SMALL_DELTA ? r.small[i] : s === TWCC_LARGE_DELTA ? r.large[i] : 0));
    return { senderSsrc: r.senderSsrc, mediaSsrc: r.mediaSsrc, baseSeq: r.baseSeq, referenceTime: r.referenceTime, feedbackCount: r.feedbackCount, statuses, deltas };
  }),
);

t.test('property: what is written parses back the same, through parseRtcp too', (t) => {
  fc.assert(fc.property(feedback, (fb) => {
    const buf = new Uint8Array(transportCcSize(fb));
    t.equal(writeTransportCc(fb, buf, 0), buf.length);
    const [p] = parseRtcp(buf);
    if (p.type !== 'unknown') return false;
    const back = body(buf);
    return JSON.stringify({ ...back, statuses: [...back.statuses], deltas: [...back.deltas] }) === JSON.stringify({ ...fb, statuses: [...fb.statuses], deltas: [...fb.deltas] });
  }), { numRuns: 300 });
  t.end();
});

t.test('property: parsing into one reused feedback gives what a fresh parse gives, feedback after feedback', (t) => {
  fc.assert(fc.property(fc.array(feedback, { minLength: 1, maxLength: 6 }), (list) => {
    const into: TransportCcFeedback = { senderSsrc: 0, mediaSsrc: 0, baseSeq: 0, referenceTime: 0, feedbackCount: 0, statuses: new Uint8Array(0), deltas: new Int32Array(0) };
    return list.every((fb) => {
      const buf = new Uint8Array(transportCcSize(fb));
      writeTransportCc(fb, buf, 0);
      const fresh = body(buf);
      const reused = parseTransportCc(buf, 4, buf.length, into);
      const n = transportCcCount(reused);
      return reused === into && n === fresh.statuses.length && n <= TRANSPORT_CC_MAX_PACKETS
        && reused.baseSeq === fresh.baseSeq && reused.referenceTime === fresh.referenceTime
        && [...reused.statuses.subarray(0, n)].join() === [...fresh.statuses].join() && [...reused.deltas.subarray(0, n)].join() === [...fresh.deltas].join();
    });
  }), { numRuns: 200 });
  const reused: TransportCcFeedback = { senderSsrc: 0, mediaSsrc: 0, baseSeq: 0, referenceTime: 0, feedbackCount: 0, statuses: new Uint8Array(16), deltas: new Int32Array(16), count: 3 };
  t.throws(() => writeTransportCc(reused, new Uint8Array(64), 0), { code: 'RTCP_BAD_FIELD' }, 'a reused feedback (count under its arrays) is not written as it is');
  t.end();
});

t.test('property: truncated feedback is a typed error, never a crash or a wrong answer', (t) => {
  fc.assert(fc.property(feedback.filter((f) => f.statuses.some((s) => s !== TWCC_NOT_RECEIVED)), fc.nat(), (fb, cut) => {
    const buf = new Uint8Array(transportCcSize(fb));
    writeTransportCc(fb, buf, 0);
    // the last receive delta's end: cutting anywhere before it loses something
    let deltaBytes = 0;
    for (const s of fb.statuses) deltaBytes += s === TWCC_SMALL_DELTA ? 1 : s === TWCC_LARGE_DELTA ? 2 : 0;
    const chunksEnd = buf.length - ((4 - ((20 + 2 * chunks(fb.statuses) + deltaBytes) % 4)) % 4);
    const end = 4 + (cut % (chunksEnd - 4));
    try {
      parseTransportCc(buf, 4, end);
      return false;
    } catch (err) {
      return err instanceof RtcpParseError && ['RTCP_TWCC_TRUNCATED', 'RTCP_BODY_TOO_SHORT'].includes(err.code);
    }
  }), { numRuns: 300 });
  t.end();
});

/** Chunks the writer uses for `statuses` (mirrors its rule, to find where the deltas end). */
function chunks(statuses: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < statuses.length; n++) {
    let j = i + 1;
    while (j < statuses.length && statuses[j] === statuses[i] && j - i < 0x1fff) j++;
    i += j - i >= 7 ? j - i : 7;
  }
  return n;
}

t.test('an enormous packet count is refused before anything is allocated for it', (t) => {
  const pkt = new Uint8Array(24);
  pkt.set([0x8f, 205, 0, 5]);
  pkt[14] = (TRANSPORT_CC_MAX_PACKETS + 1) >> 8;
  pkt[15] = (TRANSPORT_CC_MAX_PACKETS + 1) & 0xff;
  t.throws(() => body(pkt), { code: 'RTCP_TWCC_TOO_MANY' });
  pkt[14] = 0xff;
  pkt[15] = 0xff;
  t.throws(() => body(pkt), { code: 'RTCP_TWCC_TOO_MANY' });
  t.throws(() => parseTransportCc(pkt, 4, 14), { code: 'RTCP_TWCC_TRUNCATED' }, 'no room for the base sequence');
  t.throws(() => parseTransportCc(pkt, 4, 8), { code: 'RTCP_BODY_TOO_SHORT' }, 'no room for the SSRCs');
  t.end();
});
