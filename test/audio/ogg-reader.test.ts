/** OggReader: whatever the chunking of the bytes, the packets that went in come out, in order. */
import t from 'tap';
import fc from 'fast-check';
import { OggReader, OGG_MAX_PAGE_BYTES } from '../../lib/audio/ogg-reader.js';
import { oggStream } from '../support/ogg-opus.js';

function readAll(bytes: Uint8Array, cuts: number[], maxPacketBytes?: number) {
  const got: Buffer[] = [];
  const reader = new OggReader((p) => got.push(Buffer.from(p)), maxPacketBytes === undefined ? {} : { maxPacketBytes });
  let at = 0;
  for (const c of [...cuts.filter((c) => c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    reader.push(bytes.subarray(at, c));
    at = Math.max(at, c);
  }
  return { got, reader };
}

const packetArb = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  // around the lacing boundaries and past one page (255 * 255 bytes)
  fc.integer({ min: 0, max: 3 }).chain((k) => fc.constantFrom(255 * k, 255 * k + 1, 255 * 255 + 7)).map((n) => new Uint8Array(n).fill(n & 0xff)),
);

t.test('every packet, whatever the packets per page and the chunk boundaries', async (t) => {
  fc.assert(fc.property(fc.array(packetArb, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(200_000), { maxLength: 20 }), (packets, perPage, cuts) => {
    const { got, reader } = readAll(oggStream(packets, perPage), cuts);
    return got.length === packets.length && got.every((g, i) => g.equals(packets[i])) && reader.stats.resyncBytes === 0 && reader.stats.packetsDropped === 0;
  }), { numRuns: 100 });
  t.pass('100 streams read back');
});

t.test('garbage between pages is skipped and counted; the pages around it still read', async (t) => {
  const a = oggStream([Uint8Array.of(1, 2, 3)]);
  const b = oggStream([Uint8Array.of(4, 5)]);
  const { got, reader } = readAll(Buffer.concat([a, Buffer.from('junk-OggX'), b]), [5, 30]);
  t.same(got.map((g) => [...g]), [[1, 2, 3], [4, 5]]);
  t.equal(reader.stats.resyncBytes, 9);
});

t.test('a continued packet larger than maxPacketBytes is dropped and counted, the next one reads', async (t) => {
  const big = new Uint8Array(255 * 255 + 7);
  const { got, reader } = readAll(oggStream([big, Uint8Array.of(9)]), [], 1000);
  t.same(got.map((g) => [...g]), [[9]]);
  t.ok(reader.stats.packetsDropped >= 1);
});

t.test('a continuation whose first part never came is dropped; reset forgets a half page', async (t) => {
  const stream = oggStream([new Uint8Array(255 * 255 + 7), Uint8Array.of(7)]);
  const firstPage = 27 + 255 + 255 * 255;
  t.ok(firstPage <= OGG_MAX_PAGE_BYTES);
  const { got, reader } = readAll(stream.subarray(firstPage), []);
  t.same(got.map((g) => [...g]), [[7]]);
  t.equal(reader.stats.packetsDropped, 1);
  const r2 = new OggReader(() => t.fail('nothing whole was given'));
  r2.push(stream.subarray(0, 100));
  r2.reset();
  t.equal(r2.stats.pages, 0);
});
