/** RFC 3640 depacketizer: aggregation, interleaving, CTS, fragments, losses and malformed packets. */
import t from 'tap';
import { Rfc3640Depacketizer, type Rfc3640Config } from '../../lib/audio/rfc3640.js';
import { AAC_HBR_LAYOUT, EMPTY_LAYOUT, type AuHeaderLayout } from '../../lib/audio/au-headers.js';
import { adtsFrame } from '../../lib/audio/adts.js';
import { parseAudioSpecificConfig } from '../../lib/audio/audio-specific-config.js';
import { BitWriter } from '../../lib/audio/bits.js';
import type { AudioDepacketizerOptions } from '../../lib/audio/frame.js';
import { packetizeRfc3640, type SentPacket } from '../support/audio-packetizers.js';
import { frameCollector } from './helpers.js';
import { hex, toHex } from './arbitraries.js';

const HBR: Rfc3640Config = { layout: AAC_HBR_LAYOUT, frameTicks: 1024 };

function setup(config: Rfc3640Config = HBR, options: AudioDepacketizerOptions = {}) {
  const c = frameCollector();
  const d = new Rfc3640Depacketizer(c.sink, config, options);
  const send = (ps: readonly SentPacket[]) => { for (const p of ps) d.pushPayload(p.payload, p.seq, p.ts, p.marker); };
  return { d, frames: c.frames, send };
}

const au = (n: number, v: number) => new Uint8Array(n).fill(v);

/** An AU-header section written field by field: [size, index/delta, extra bits...] per AU. */
function payload(layout: AuHeaderLayout, headers: [number, number, ...[number, number][]][], data: Uint8Array): Uint8Array {
  const w = new BitWriter();
  headers.forEach(([size, index, ...extra]) => {
    w.writeBits(size, layout.sizeLength);
    w.writeBits(index, index === headers[0][1] && headers[0] === headers.find((h) => h[1] === index) ? layout.indexLength : layout.indexDeltaLength);
    for (const [v, bits] of extra) w.writeBits(v, bits);
  });
  const bits = w.bitLength;
  const hdr = w.toBytes();
  const out = new Uint8Array(2 + hdr.length + data.length);
  out[0] = bits >> 8;
  out[1] = bits & 0xff;
  out.set(hdr, 2);
  out.set(data, 2 + hdr.length);
  return out;
}

t.test('one AU per packet (GStreamer rtpmp4gpay, Axis): frames with their timestamps', async (t) => {
  const { d, frames, send } = setup();
  send(packetizeRfc3640([au(100, 1), au(120, 2), au(90, 3)], { seq0: 65534, ts0: 0xfffffc00 }));
  t.same(frames.map((f) => [f.data.length, f.timestamp, f.sequenceNumber, f.discontinuity]), [[100, 0xfffffc00, 65534, false], [120, 0, 65535, false], [90, 1024, 0, false]]);
  t.equal(d.stats.frames, 3);
  t.equal(d.stats.malformed + d.stats.framesDropped, 0);
});

t.test('several AUs in one packet: each 1024 ticks after the one before', async (t) => {
  const { d, frames, send } = setup();
  send(packetizeRfc3640([au(10, 1), au(20, 2), au(30, 3)], { perPacket: 3, ts0: 5000 }));
  t.same(frames.map((f) => [toHex(f.data.subarray(0, 1)), f.data.length, f.timestamp]), [['01', 10, 5000], ['02', 20, 6024], ['03', 30, 7048]]);
  t.equal(d.stats.packets, 1);
});

t.test('AU-index-delta (interleaving) and constantduration move the timestamps', async (t) => {
  const { d, frames } = setup({ layout: AAC_HBR_LAYOUT, frameTicks: 960 });
  d.pushPayload(payload(AAC_HBR_LAYOUT, [[2, 0], [3, 2]], hex('aabb ccddee')), 1, 10000, true);
  t.same(frames.map((f) => [toHex(f.data), f.timestamp]), [['aabb', 10000], ['ccddee', 10000 + 3 * 960]]);
  t.equal(d.stats.interleavedAus, 1);
});

t.test('CTS-delta, DTS-delta, RAP flag and stream state are read past; CTS sets the timestamp', async (t) => {
  const layout: AuHeaderLayout = { ...AAC_HBR_LAYOUT, ctsDeltaLength: 8, dtsDeltaLength: 4, randomAccessIndication: true, streamStateIndication: 2 };
  const { frames, d } = setup({ layout, frameTicks: 1024 });
  // AU 1: CTS-flag 0, DTS-flag 1 + delta, RAP 1, state 3; AU 2: CTS-flag 1, delta -24 (0xE8), DTS-flag 0, RAP 0, state 0
  const p = payload(layout, [[1, 0, [0, 1], [1, 1], [5, 4], [1, 1], [3, 2]], [2, 0, [1, 1], [0xe8, 8], [0, 1], [0, 1], [0, 2]]], hex('11 2233'));
  d.pushPayload(p, 7, 50000, true);
  t.same(frames.map((f) => [toHex(f.data), f.timestamp]), [['11', 50000], ['2233', 50000 - 24]]);
});

t.test('a fragmented AU (AU-size = the whole AU, RFC 3640) is reassembled; a lost fragment drops it', async (t) => {
  const big = Uint8Array.from({ length: 2500 }, (_, i) => (i * 7) & 0xff);
  const packets = packetizeRfc3640([big, au(50, 9)], { mtu: 1000, seq0: 100, ts0: 0 });
  t.equal(packets.length, 4, '3 fragments and one whole AU');
  const ok = setup();
  ok.send(packets);
  t.same(ok.frames.map((f) => [f.data.length, f.timestamp, f.sequenceNumber]), [[2500, 0, 102], [50, 1024, 103]]);
  t.equal(toHex(ok.frames[0].data), toHex(big));
  t.equal(ok.d.stats.fragmentedAus, 1);

  const lossy = setup();
  lossy.send([packets[0], packets[2], packets[3]]);
  t.same(lossy.frames.map((f) => [f.data.length, f.discontinuity]), [[50, true]], 'the broken AU is dropped, the next marked');
  t.equal(lossy.d.stats.framesDropped, 1);
  t.equal(lossy.d.stats.lostPackets, 1);

  const dup = setup();
  dup.send([packets[0], packets[1], packets[1], packets[2], packets[3]]);
  t.equal(dup.frames.length, 2, 'a duplicated fragment changes nothing');
  t.equal(dup.d.stats.duplicates, 1);

  const headless = setup();
  headless.send(packets.slice(1));
  t.same(headless.frames.map((f) => f.data.length), [50], 'a tail without its start never reaches the decoder');
  t.equal(headless.d.stats.fragmentsIncomplete, 1);
});

t.test('senders that write each fragment its own size (as gortsplib reads it)', async (t) => {
  const big = Uint8Array.from({ length: 2500 }, (_, i) => i & 0xff);
  const packets = packetizeRfc3640([au(40, 1), big, au(50, 9)], { mtu: 1000, fragmentSizes: 'fragment' });
  const ok = setup();
  ok.send(packets);
  t.same(ok.frames.map((f) => f.data.length), [40, 2500, 50]);
  t.equal(toHex(ok.frames[1].data), toHex(big));
  // the first fragment lost: its tail could pass for a whole AU, and the timestamps say it may not be one
  const lossy = setup();
  lossy.send([packets[0], packets[2], packets[3], packets[4]]);
  t.same(lossy.frames.map((f) => f.data.length), [40, 50]);
  t.equal(lossy.d.stats.unverifiedAfterLoss, 1);
  // a whole AU lost: the next one is trusted, the timestamps account for the loss
  const whole = packetizeRfc3640([au(40, 1), au(41, 2), au(42, 3)], { fragmentSizes: 'fragment' });
  const gap = setup();
  gap.send([whole[0], whole[2]]);
  t.same(gap.frames.map((f) => [f.data.length, f.discontinuity]), [[40, false], [42, true]]);
});

t.test('malformed packets are counted and dropped, never thrown', async (t) => {
  const { d, frames } = setup();
  d.pushPayload(hex('00'), 1, 0, true);
  d.pushPayload(hex('0010 00'), 2, 1024, true);
  d.pushPayload(hex('0020 0010 0010 aa'), 3, 2048, true);
  d.pushPayload(hex('0000 aa'), 4, 3072, true);
  d.pushPayload(new Uint8Array(0), 5, 4096, true);
  d.pushPayload(hex('ffff 00'), 6, 5120, true);
  d.pushPayload(hex('0010 0008 aa'), 7, 6144, true);
  t.same(frames.map((f) => [toHex(f.data), f.discontinuity]), [['aa', true]]);
  t.match(d.stats, { payloadsTooShort: 1, auHeadersPastEnd: 2, ausPastEnd: 1, ausEmpty: 1, emptyPayloads: 1, malformed: 5 });
});

t.test('maxAuBytes bounds whole and fragmented AUs', async (t) => {
  const { d, frames, send } = setup(HBR, { maxAuBytes: 100 });
  send(packetizeRfc3640([au(101, 1), au(300, 2), au(100, 3)], { mtu: 120, seq0: 0 }));
  t.same(frames.map((f) => f.data.length), [100]);
  t.equal(d.stats.ausOversized, 2);
  t.throws(() => new Rfc3640Depacketizer(() => undefined, HBR, { maxAuBytes: 0 }), { code: 'AUDIO_BAD_OPTION' });
  t.throws(() => new Rfc3640Depacketizer(() => undefined, { layout: { ...AAC_HBR_LAYOUT, sizeLength: 33 }, frameTicks: 1024 }), { code: 'AUDIO_BAD_OPTION' });
  t.throws(() => new Rfc3640Depacketizer(() => undefined, { layout: AAC_HBR_LAYOUT, frameTicks: 0 }), { code: 'AUDIO_BAD_OPTION' });
});

t.test('auxiliary section skipped; no AU-header section when every length is 0', async (t) => {
  const aux = setup({ layout: { ...AAC_HBR_LAYOUT, auxiliaryDataSizeLength: 8 }, frameTicks: 1024 });
  // headers: one AU of 2 bytes; aux: size 12 bits + 12 bits of data + 0 padding = 3 bytes; then the AU
  aux.d.pushPayload(hex('0010 0010 0c abc0 7788'), 1, 0, true);
  t.same(aux.frames.map((f) => toHex(f.data)), ['7788']);
  const none = setup({ layout: EMPTY_LAYOUT, frameTicks: 1024 });
  none.d.pushPayload(hex('2110aabb'), 1, 0, true);
  none.d.pushPayload(hex('2110'), 2, 1024, false);
  none.d.pushPayload(hex('ccdd'), 3, 1024, true);
  t.same(none.frames.map((f) => toHex(f.data)), ['2110aabb', '2110ccdd']);
});

t.test('ADTS inside the AU (gortsplib decoder_generic.go: "some cameras wrap AUs into ADTS") is stripped', async (t) => {
  const { d, frames, send } = setup();
  const raw = hex('21100500');
  send(packetizeRfc3640([adtsFrame(parseAudioSpecificConfig(hex('1408')), raw)]));
  t.same(frames.map((f) => toHex(f.data)), ['21100500']);
  t.equal(d.stats.adtsHeadersStripped, 1);
});

t.test('a whole AU without its marker is delivered when the next timestamp shows up', async (t) => {
  const { d, frames } = setup();
  const [a, b] = packetizeRfc3640([au(10, 1), au(11, 2)]);
  d.pushPayload(a.payload, a.seq, a.ts, false);
  t.equal(frames.length, 0);
  d.pushPayload(b.payload, b.seq, b.ts, true);
  t.same(frames.map((f) => f.data.length), [10, 11]);
  t.equal(d.stats.markersMissing, 1);
});

t.test('markLoss, expectSequenceNumber and reset', async (t) => {
  const packets = packetizeRfc3640([au(10, 1), au(11, 2), au(12, 3), au(13, 4)], { seq0: 10 });
  const { d, frames, send } = setup(HBR, { firstSequenceNumber: 9 });
  send(packets.slice(0, 1));
  t.equal(d.stats.lostPackets, 1, 'RTP-Info said 9, 10 came');
  d.markLoss();
  send(packets.slice(2, 3));
  t.same(frames.map((f) => [f.data.length, f.discontinuity]), [[10, true], [12, true]], 'a loss the reorder buffer gave up on');
  d.markLoss();
  send(packets.slice(3, 4));
  t.equal(frames.length, 2, 'a loss of unknown size right before: a fragment-sized tail cannot be ruled out');
  t.equal(d.stats.unverifiedAfterLoss, 1);
  d.reset();
  send(packets.slice(0, 1));
  t.equal(d.stats.late, 0, 'after reset an older sequence number is a new stream');
  t.equal(frames.length, 3);
});
