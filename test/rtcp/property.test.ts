import t from 'tap';
import fc from 'fast-check';
import { parseRtcp, serializeRtcp, rtcpSize, RtcpParseError, type RtcpPacket } from '../../lib/rtcp/index.js';
import { arbCompound, plain } from './arbitrary.js';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

t.test('property: parse(serialize(packets)) == packets and serialize(parse(bytes)) == bytes', async (t) => {
  const scratch = new Uint8Array(1 << 16);
  fc.assert(fc.property(arbCompound, (packets) => {
    const bytes = serializeRtcp(packets);
    if (bytes.length !== rtcpSize(packets)) return false;
    const parsed = parseRtcp(bytes);
    if (JSON.stringify(plain(parsed)) !== JSON.stringify(plain(packets))) return false;
    const into = serializeRtcp(parsed, scratch);
    return into.buffer === scratch.buffer && same(into, bytes);
  }), { numRuns: 2000 });
});

/** Valid compounds with some bytes overwritten and possibly cut short: reaches deep into the parsers. */
const arbDamaged = fc.tuple(arbCompound, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
  .map(([packets, edits, cut]) => {
    const bytes = serializeRtcp(packets).slice();
    for (const [at, v] of edits) bytes[at % bytes.length] = v;
    return cut % 3 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
  });

const arbBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => { b[0] = (b[0] & 0x3f) | 0x80; b[1] = 192 + (b[1] % 32); return b; }),
  arbDamaged,
);

t.test('property: arbitrary bytes only ever throw RtcpParseError; whatever parses re-serializes to the same packets', async (t) => {
  let parsedCount = 0;
  fc.assert(fc.property(arbBytes, (raw) => {
    let packets: RtcpPacket[];
    try { packets = parseRtcp(raw); } catch (e) { return e instanceof RtcpParseError && typeof e.code === 'string'; }
    parsedCount++;
    const again = parseRtcp(serializeRtcp(packets));
    return JSON.stringify(plain(again)) === JSON.stringify(plain(packets));
  }), { numRuns: 5000 });
  t.ok(parsedCount > 500, `enough inputs parsed to exercise re-serialization (${parsedCount})`);
});
