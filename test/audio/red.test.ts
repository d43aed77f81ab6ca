/** RFC 2198 RED: the encoder's redundancy decisions, the parser, round trips. */
import t from 'tap';
import fc from 'fast-check';
import { parseRed, RedEncoder, redSize, serializeRed, type RedBlock } from '../../lib/audio/red.js';
import { AudioPayloadError } from '../../lib/audio/errors.js';
import { hex, toHex } from './arbitraries.js';

const bytes = (n: number, v = 1) => new Uint8Array(n).fill(v);

t.test('first packet primary only, then the previous one rides along (Opus 20 ms = 960 ticks)', async (t) => {
  const red = new RedEncoder({ payloadType: 111 });
  t.equal(toHex(red.encode(hex('aabb'), 1000)), '6faabb', 'F=0, PT 111, data');
  const second = red.encode(hex('cc'), 1960);
  // F=1 PT 111 | offset 960 (14 bits) | length 2 (10 bits) | F=0 PT 111 | aabb | cc
  t.equal(toHex(second), 'ef' + '0f' + '00' + '02' + '6f' + 'aabb' + 'cc');
  t.same(parseRed(second).map((b) => [b.payloadType, b.timestampOffset, toHex(b.data)]), [[111, 960, 'aabb'], [111, 0, 'cc']]);
  t.same(red.stats, { packets: 2, withRedundancy: 1, droppedOffset: 0, droppedLength: 0, droppedMtu: 0, droppedOrder: 0 });
});

t.test('redundancy left out when a field or the MTU cannot hold it', async (t) => {
  const red = new RedEncoder({ payloadType: 100, maxPayloadBytes: 100 });
  red.encode(bytes(10), 0);
  t.equal(red.encode(bytes(10), 16384)[0], 100, 'offset 16384 does not fit 14 bits');
  t.equal(red.stats.droppedOffset, 1);
  t.equal(red.encode(bytes(10), 16384 + 16383)[0] & 0x80, 0x80, 'offset 16383 fits');
  red.encode(bytes(90), 40000);
  t.equal(red.encode(bytes(10), 41000)[0], 100, '5 + 90 + 10 bytes over the 100-byte MTU');
  t.equal(red.stats.droppedMtu, 2, 'the 90-byte packet could not carry its predecessor either');
  t.equal(red.encode(bytes(10), 41000)[0], 100, 'same timestamp again: no redundancy');
  t.equal(red.stats.droppedOrder, 1);
  const big = new RedEncoder({ payloadType: 100, maxPayloadBytes: 3000 });
  big.encode(bytes(1024), 0);
  t.equal(big.encode(bytes(10), 960)[0], 100, 'a 1024-byte block does not fit 10 bits');
  t.equal(big.stats.droppedLength, 1);
  big.encode(bytes(1023), 1920);
  const withMax = parseRed(big.encode(bytes(10), 2880));
  t.equal(withMax[0].data.length, 1023, 'a 1023-byte block does');
  t.throws(() => red.encode(bytes(100), 50000), { code: 'AUDIO_BUFFER_TOO_SMALL' }, 'the primary alone over the MTU');
  red.reset();
  t.equal(red.encode(bytes(5), 60000)[0], 100, 'after reset: primary only');
  t.throws(() => new RedEncoder({ payloadType: 128 }), { code: 'AUDIO_BAD_OPTION' });
});

t.test('parser: typed errors for truncated headers and blocks', async (t) => {
  for (const h of ['', 'ef', 'ef0f00', 'ef0f0002', 'ef0f00026faa']) {
    t.throws(() => parseRed(hex(h)), { code: 'AUDIO_RED_TRUNCATED' }, h);
  }
  t.same(parseRed(hex('6f')).map((b) => b.data.length), [0], 'an empty primary is valid (Opus DTX)');
  t.throws(() => serializeRed([]), { code: 'AUDIO_BAD_OPTION' });
  t.throws(() => serializeRed([{ payloadType: 1, timestampOffset: 16384, data: bytes(1) }, { payloadType: 1, timestampOffset: 0, data: bytes(1) }]), { code: 'AUDIO_BAD_OPTION' });
});

const blockArb: fc.Arbitrary<RedBlock> = fc.record({
  payloadType: fc.integer({ min: 0, max: 127 }),
  timestampOffset: fc.integer({ min: 0, max: 0x3fff }),
  data: fc.uint8Array({ maxLength: 1023, size: 'max' }),
});

t.test('property: serializeRed -> parseRed is the identity', async (t) => {
  fc.assert(fc.property(fc.array(blockArb, { maxLength: 4 }), blockArb, (redundant, primary) => {
    const blocks = [...redundant, { ...primary, timestampOffset: 0 }];
    const wire = serializeRed(blocks);
    if (wire.length !== redSize(blocks)) throw new Error('size');
    const back = parseRed(wire);
    if (back.length !== blocks.length) throw new Error('count');
    back.forEach((b, i) => {
      if (b.payloadType !== blocks[i].payloadType || b.timestampOffset !== blocks[i].timestampOffset || toHex(b.data) !== toHex(blocks[i].data)) throw new Error(`block ${i}`);
    });
  }), { numRuns: 300 });
  t.pass();
});

t.test('property: every encoded packet parses to its primary and, when it fits, the previous packet', async (t) => {
  const frames = fc.array(fc.record({ data: fc.uint8Array({ maxLength: 1100, size: 'max' }), step: fc.integer({ min: -10, max: 20000 }) }), { minLength: 1, maxLength: 30 });
  fc.assert(fc.property(frames, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 16, max: 1500 }), (list, ts0, mtu) => {
    const red = new RedEncoder({ payloadType: 111, maxPayloadBytes: mtu });
    let ts = ts0;
    let prev: { data: Uint8Array; ts: number } | undefined;
    for (const f of list) {
      ts = (ts + f.step) >>> 0;
      let wire: Uint8Array;
      try {
        wire = red.encode(f.data, ts);
      } catch (e) {
        if (e instanceof AudioPayloadError && e.code === 'AUDIO_BUFFER_TOO_SMALL' && f.data.length + 1 > mtu) continue;
        throw e;
      }
      if (wire.length > mtu) throw new Error(`${wire.length} bytes over ${mtu}`);
      const blocks = parseRed(wire);
      const primary = blocks[blocks.length - 1];
      if (toHex(primary.data) !== toHex(f.data) || primary.payloadType !== 111) throw new Error('primary changed');
      if (blocks.length === 2) {
        if (!prev || toHex(blocks[0].data) !== toHex(prev.data) || ((ts - blocks[0].timestampOffset) >>> 0) !== prev.ts) throw new Error('redundancy is not the previous packet');
      }
      const fits = prev !== undefined && ((ts - prev.ts) | 0) > 0 && ((ts - prev.ts) | 0) <= 0x3fff && prev.data.length <= 1023 && 5 + prev.data.length + f.data.length <= mtu;
      if (fits !== (blocks.length === 2)) throw new Error(`redundancy ${blocks.length === 2} but fits ${fits}`);
      prev = { data: f.data, ts };
    }
  }), { numRuns: 300 });
  t.pass();
});

t.test('property: arbitrary bytes parse or throw AUDIO_RED_TRUNCATED', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    try {
      let total = 0;
      for (const blk of parseRed(b)) total += blk.data.length;
      if (total > b.length) throw new Error('blocks longer than the payload');
    } catch (e) {
      if (!(e instanceof AudioPayloadError && e.code === 'AUDIO_RED_TRUNCATED')) throw e;
    }
  }), { numRuns: 3000 });
  t.pass();
});
