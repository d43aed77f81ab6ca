import t from 'tap';
import fc from 'fast-check';
import { parseRtp, serializeRtp, rtpSize, looksLikeRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { RtpParseError } from '../../lib/rtp/errors.js';
import { buildExtension, parseExtensionElements } from '../../lib/rtp/extension.js';
import { interleavedFrames, readCorpus } from '../support/env.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

t.test('RFC 3550 header by hand', async (t) => {
  // V=2 P=0 X=0 CC=0 M=1 PT=96 seq=0x1234 ts=0xdeadbeef ssrc=0x01020304
  const buf = hex('80e0 1234 deadbeef 01020304 aabbcc');
  const p = parseRtp(buf);
  t.equal(p.version, 2);
  t.equal(p.marker, true);
  t.equal(p.payloadType, 96);
  t.equal(p.sequenceNumber, 0x1234);
  t.equal(p.timestamp, 0xdeadbeef);
  t.equal(p.ssrc, 0x01020304);
  t.same([...p.payload], [0xaa, 0xbb, 0xcc]);
  t.equal(p.payload.buffer, buf.buffer, 'payload is a view, not a copy');
  t.same(serializeRtp(p), buf);
});

t.test('CSRC, one-byte extension (RFC 8285 example shape) and padding', async (t) => {
  const buf = hex('b2 60 0001 00000010 11111111 22222222 33333333 bede0002 10aa 21bbcc 00 00 00 dead 00 00 03');
  const p = parseRtp(buf);
  t.same(p.csrc, [0x22222222, 0x33333333]);
  t.equal(p.headerExtension?.profile, 0xbede);
  const els = parseExtensionElements(p.headerExtension!);
  t.same(els.map((e) => [e.id, [...e.value]]), [[1, [0xaa]], [2, [0xbb, 0xcc]]]);
  t.same([...p.payload], [0xde, 0xad]);
  t.equal(p.paddingLength, 3);
  t.same(serializeRtp(p), buf);
});

t.test('two-byte extension elements', async (t) => {
  const ext = buildExtension([{ id: 20, value: new Uint8Array([1, 2, 3]) }, { id: 1, value: new Uint8Array(0) }]);
  t.equal(ext.profile, 0x1000);
  t.same(parseExtensionElements(ext).map((e) => [e.id, e.value.length]), [[20, 3], [1, 0]]);
});

t.test('malformed packets throw typed errors with stable codes', async (t) => {
  const cases: [string, string][] = [
    ['80e0 1234', 'RTP_TOO_SHORT'],
    ['40e0 1234 deadbeef 01020304', 'RTP_BAD_VERSION'],
    ['83e0 1234 deadbeef 01020304 00000001', 'RTP_CSRC_OVERFLOW'],
    ['90e0 1234 deadbeef 01020304 bede', 'RTP_EXTENSION_OVERFLOW'],
    ['90e0 1234 deadbeef 01020304 bede0002 00000000', 'RTP_EXTENSION_OVERFLOW'],
    ['a0e0 1234 deadbeef 01020304 0005', 'RTP_BAD_PADDING'],
    ['a0e0 1234 deadbeef 01020304 0000', 'RTP_BAD_PADDING'],
  ];
  for (const [h, code] of cases) {
    t.throws(() => parseRtp(hex(h)), { code }, code);
  }
});

const arbPacket: fc.Arbitrary<RtpPacket> = fc.record({
  version: fc.constant(2),
  padding: fc.constant(false),
  extension: fc.constant(false),
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: fc.integer({ min: 0, max: 65535 }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrc: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
  headerExtension: fc.option(fc.record({ profile: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 64 }).map((d) => d.subarray(0, d.length & ~3)) }), { nil: undefined }),
  payload: fc.uint8Array({ maxLength: 1400 }),
  paddingLength: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })),
}).map((p) => ({ ...p, padding: p.paddingLength > 0, extension: p.headerExtension !== undefined }));

t.test('property: parse(serialize(p)) == p, into a caller buffer too', async (t) => {
  const scratch = new Uint8Array(2048);
  fc.assert(fc.property(arbPacket, (p) => {
    const bytes = serializeRtp(p);
    if (bytes.length !== rtpSize(p)) return false;
    const q = parseRtp(bytes);
    const same = JSON.stringify({ ...q, payload: [...q.payload], headerExtension: q.headerExtension && { p: q.headerExtension.profile, d: [...q.headerExtension.data] } })
      === JSON.stringify({ ...p, payload: [...p.payload], headerExtension: p.headerExtension && { p: p.headerExtension.profile, d: [...p.headerExtension.data] } });
    const into = serializeRtp(p, scratch);
    return same && Buffer.compare(into, bytes) === 0 && into.buffer === scratch.buffer;
  }));
});

t.test('property: serialize(parse(bytes)) == bytes for every parseable input', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 300 }), (raw) => {
    raw[0] = (raw[0] & 0x3f) | 0x80;
    let p: RtpPacket;
    try { p = parseRtp(raw); } catch (e) { return e instanceof RtpParseError; }
    // padding bytes other than the count are not preserved (we write zeros), compare the rest
    const out = serializeRtp(p);
    const n = raw.length - p.paddingLength;
    return out.length === raw.length && Buffer.compare(out.subarray(0, n), raw.subarray(0, n)) === 0 && out[out.length - 1] === raw[raw.length - 1];
  }), { numRuns: 2000 });
});

t.test('property: arbitrary bytes only ever throw RtpParseError', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
    try { parseRtp(raw); } catch (e) { return e instanceof RtpParseError && typeof e.code === 'string'; }
    return true;
  }), { numRuns: 5000 });
});

t.test('Wowza bunny capture: 269 H.264 and 102 AAC packets parse and re-serialize byte for byte', async (t) => {
  const cap = readCorpus('bunny.rtsp');
  if (!cap) { t.comment('skip: corpus not present'); return; }
  const frames = interleavedFrames(cap);
  t.equal(frames.length, 371);
  const video = frames.filter((f) => f.channel === 2).map((f) => parseRtp(f.data));
  const audio = frames.filter((f) => f.channel === 0).map((f) => parseRtp(f.data));
  t.equal(video.length, 269);
  t.equal(audio.length, 102);
  t.ok(video.every((p) => p.payloadType === 97));
  t.ok(audio.every((p) => p.payloadType === 96));
  t.equal(video.filter((p) => p.marker).length, 245);
  t.same(video.map((p) => p.sequenceNumber), video.map((_, i) => i + 1), 'seq from 1 without gaps');
  for (const f of frames) t.same(serializeRtp(parseRtp(f.data)), f.data);
  t.ok(frames.every((f) => looksLikeRtp(f.data)));
});
