/** MP4A-LATM depacketizer: GStreamer's form, subframes, several elements, fragments, in-band configs, losses. */
import t from 'tap';
import fc from 'fast-check';
import { LatmDepacketizer, type LatmConfig, type LatmOptions } from '../../lib/audio/latm.js';
import { parseStreamMuxConfig, type StreamMuxConfig } from '../../lib/audio/stream-mux-config.js';
import { packetizeLatm, type SentPacket } from '../support/audio-packetizers.js';
import { frameCollector, throughNetwork, type NetworkFaults } from './helpers.js';
import { ausArb, hex, toHex } from './arbitraries.js';

const GST = parseStreamMuxConfig(hex('40002810'));
const RFC_EXAMPLE = parseStreamMuxConfig(hex('400026203fc0'));

function setup(config: LatmConfig = { clockRate: 16000, muxConfigPresent: false, streamMuxConfig: GST }, options: LatmOptions = {}) {
  const c = frameCollector();
  const d = new LatmDepacketizer(c.sink, config, options);
  const send = (ps: readonly SentPacket[]) => { for (const p of ps) d.pushPayload(p.payload, p.seq, p.ts, p.marker); };
  return { d, frames: c.frames, send };
}

const frame = (n: number, v: number) => new Uint8Array(n).fill(v);

t.test('GStreamer rtpmp4apay (cpresent=0, config=40002810): one frame per packet, 255-continued lengths', async (t) => {
  const { d, frames, send } = setup();
  const sent = packetizeLatm([frame(100, 1), frame(300, 2), frame(255, 3)], { config: GST, seq0: 65535, ts0: 0xfffffc00 });
  t.equal(toHex(sent[1].payload.subarray(0, 3)), 'ff2d02', '300 = 255 + 45');
  t.equal(toHex(sent[2].payload.subarray(0, 3)), 'ff0003', '255 = 255 + 0');
  send(sent);
  t.same(frames.map((f) => [f.data.length, f.timestamp, f.data[0]]), [[100, 0xfffffc00, 1], [300, 0, 2], [255, 1024, 3]]);
  t.equal(d.stats.malformed, 0);
});

t.test('subframes and several elements in one packet get consecutive timestamps', async (t) => {
  const two: StreamMuxConfig = { ...RFC_EXAMPLE, numSubFrames: 1 };
  const { frames, d } = setup({ clockRate: 24000, muxConfigPresent: false, streamMuxConfig: two });
  const [a, b] = packetizeLatm([frame(3, 1), frame(4, 2), frame(5, 3), frame(6, 4)], { config: two });
  d.pushPayload(new Uint8Array([...a.payload, ...b.payload]), 1, 9000, true);
  t.same(frames.map((f) => [f.data.length, f.timestamp]), [[3, 9000], [4, 10024], [5, 11048], [6, 12072]]);
});

t.test('an element over several packets is reassembled; a lost fragment drops it; a tail alone is not trusted', async (t) => {
  const big = Uint8Array.from({ length: 700 }, (_, i) => i & 0xff);
  const sent = packetizeLatm([frame(50, 1), big, frame(60, 3)], { config: GST, mtu: 300 });
  t.same(sent.map((p) => p.marker), [true, false, false, true, true]);
  const ok = setup();
  ok.send(sent);
  t.same(ok.frames.map((f) => f.data.length), [50, 700, 60]);
  t.equal(toHex(ok.frames[1].data), toHex(big));
  t.equal(ok.d.stats.fragmentedElements, 1);
  const middle = setup();
  middle.send([sent[0], sent[1], sent[3], sent[4]]);
  t.same(middle.frames.map((f) => [f.data.length, f.discontinuity]), [[50, false], [60, true]]);
  const head = setup();
  head.send([sent[0], sent[3], sent[4]]);
  t.same(head.frames.map((f) => f.data.length), [50, 60], 'the tail of the 700-byte element never parses as one');
  t.equal(head.d.stats.unverifiedAfterLoss, 1);
  const whole = setup();
  whole.send([sent[0], sent[4]]);
  t.same(whole.frames.map((f) => f.data.length), [50], 'three lost packets, one element of time: 60 cannot be trusted');
  const one = packetizeLatm([frame(10, 1), frame(11, 2), frame(12, 3)], { config: GST });
  const gap = setup();
  gap.send([one[0], one[2]]);
  t.same(gap.frames.map((f) => [f.data.length, f.discontinuity]), [[10, false], [12, true]], 'one lost packet, one element of time: trusted');
});

t.test('cpresent=1: the config comes in band (unaligned frames), or is missing', async (t) => {
  const { d, frames, send } = setup({ clockRate: 24000, muxConfigPresent: true });
  send(packetizeLatm([frame(7, 1), frame(8, 2), frame(9, 3)], { config: RFC_EXAMPLE, inBand: true }));
  t.same(frames.map((f) => [toHex(f.data), f.timestamp]), [['01'.repeat(7), 0], ['02'.repeat(8), 1024], ['03'.repeat(9), 2048]]);
  t.equal(d.stats.configsInBand, 1);
  t.same(d.streamMuxConfig, RFC_EXAMPLE);
  const none = setup({ clockRate: 24000, muxConfigPresent: true });
  none.send(packetizeLatm([frame(7, 1), frame(8, 2)], { config: RFC_EXAMPLE, inBand: true }).slice(1));
  t.equal(none.frames.length, 0);
  t.equal(none.d.stats.configErrors, 1);
  t.throws(() => new LatmDepacketizer(() => undefined, { clockRate: 16000, muxConfigPresent: false }), { code: 'AUDIO_MISSING_CONFIG' });
  t.throws(() => new LatmDepacketizer(() => undefined, { clockRate: 0, muxConfigPresent: true }), { code: 'AUDIO_BAD_CLOCK_RATE' });
  t.throws(() => new LatmDepacketizer(() => undefined, { clockRate: 1, muxConfigPresent: false, streamMuxConfig: GST }), { code: 'AUDIO_CONFIG_BAD_SAMPLE_RATE' });
  t.throws(() => new LatmDepacketizer(() => undefined, { clockRate: 1, muxConfigPresent: true }, { maxElementBytes: 0 }), { code: 'AUDIO_BAD_OPTION' });
});

t.test('other data is skipped; lengths past the end, oversized frames and elements are counted', async (t) => {
  const other: StreamMuxConfig = { ...RFC_EXAMPLE, otherDataLenBits: 12 };
  const o = setup({ clockRate: 24000, muxConfigPresent: false, streamMuxConfig: other });
  o.send(packetizeLatm([frame(5, 1), frame(6, 2)], { config: other }));
  t.same(o.frames.map((f) => f.data.length), [5, 6]);
  const { d, frames } = setup(undefined, { maxAuBytes: 100, maxElementBytes: 500 });
  d.pushPayload(hex('05 0102'), 1, 0, true);
  d.pushPayload(new Uint8Array([101, ...frame(101, 1)]), 2, 1024, true);
  d.pushPayload(new Uint8Array(400), 3, 2048, false);
  d.pushPayload(new Uint8Array(200), 4, 2048, true);
  d.pushPayload(hex('02 0102'), 5, 3072, true);
  t.same(frames.map((f) => toHex(f.data)), ['0102']);
  t.match(d.stats, { ausPastEnd: 1, ausOversized: 1, elementsOversized: 1, malformed: 1 });
});

t.test('an element whose marker never came is parsed when the next timestamp shows up', async (t) => {
  const { d, frames } = setup();
  const [a, b] = packetizeLatm([frame(10, 1), frame(11, 2)], { config: GST });
  d.pushPayload(a.payload, a.seq, a.ts, false);
  d.pushPayload(b.payload, b.seq, b.ts, true);
  t.same(frames.map((f) => f.data.length), [10, 11]);
  t.equal(d.stats.markersMissing, 1);
});

const latmStreamArb = fc.integer({ min: 40, max: 400 }).chain((mtu) => fc.record({
  frames: ausArb(2 * mtu, 16),
  mtu: fc.constant(mtu),
  seq0: fc.integer({ min: 0, max: 0xffff }),
  ts0: fc.integer({ min: 0, max: 0xffffffff }),
  numSubFrames: fc.integer({ min: 0, max: 2 }),
  inBand: fc.boolean(),
}));

interface LatmStream { frames: Uint8Array[]; mtu: number; seq0: number; ts0: number; numSubFrames: number; inBand: boolean }

function sendLatm(s: LatmStream) {
  const config: StreamMuxConfig = { ...RFC_EXAMPLE, numSubFrames: s.numSubFrames };
  const per = s.numSubFrames + 1;
  const sent = packetizeLatm(s.frames, { config, inBand: s.inBand, mtu: s.mtu, seq0: s.seq0, ts0: s.ts0 });
  return { sent, frames: s.frames.slice(0, Math.floor(s.frames.length / per) * per), config };
}

function onlyTrueFrames(got: { data: Uint8Array; timestamp: number }[], frames: Uint8Array[], ts0: number): void {
  let last = -1;
  for (const f of got) {
    const k = ((f.timestamp - ts0) >>> 0) / 1024;
    if (!Number.isInteger(k) || k >= frames.length || k <= last) throw new Error(`frame at ${f.timestamp} is no frame sent, or out of order`);
    if (toHex(f.data) !== toHex(frames[k])) throw new Error(`frame ${k} changed`);
    last = k;
  }
}

t.test('property: packetize -> depacketize is the identity (subframes, fragments, in-band configs, wraps)', async (t) => {
  fc.assert(fc.property(latmStreamArb, (s) => {
    const { sent, frames } = sendLatm(s);
    const { d, frames: got, send } = setup({ clockRate: 24000, muxConfigPresent: s.inBand, ...(s.inBand ? {} : { streamMuxConfig: { ...RFC_EXAMPLE, numSubFrames: s.numSubFrames } }) }, { firstSequenceNumber: s.seq0 });
    send(sent);
    if (got.length !== frames.length) throw new Error(`${got.length} of ${frames.length}`);
    onlyTrueFrames(got, frames, s.ts0);
    if (d.stats.malformed + d.stats.framesDropped !== 0) throw new Error(JSON.stringify(d.stats));
  }), { numRuns: 200 });
  t.pass();
});

const faultsArb: fc.Arbitrary<NetworkFaults> = fc.record({
  loss: fc.array(fc.boolean(), { maxLength: 7 }),
  dup: fc.array(fc.boolean(), { maxLength: 5 }),
  swap: fc.array(fc.boolean(), { maxLength: 5 }),
});

t.test('property: under loss, duplication and reordering only frames that were sent come out, at their timestamps', async (t) => {
  fc.assert(fc.property(latmStreamArb, faultsArb, (s, faults) => {
    const { sent, frames } = sendLatm({ ...s, inBand: false });
    const { frames: got, send } = setup({ clockRate: 24000, muxConfigPresent: false, streamMuxConfig: { ...RFC_EXAMPLE, numSubFrames: s.numSubFrames } }, { firstSequenceNumber: s.seq0 });
    if (sent.length === 0) return;
    send([sent[0], ...throughNetwork(sent.slice(1), faults)]);
    onlyTrueFrames(got, frames, s.ts0);
  }), { numRuns: 300 });
  t.pass();
});

t.test('property: arbitrary payloads never throw (both cpresent values)', async (t) => {
  fc.assert(fc.property(fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 200 }), marker: fc.boolean(), step: fc.integer({ min: 0, max: 2 }) }), { maxLength: 30 }), fc.boolean(), (list, inBand) => {
    const { d, frames } = setup({ clockRate: 48000, muxConfigPresent: inBand, streamMuxConfig: GST }, { maxAuBytes: 150, maxElementBytes: 400 });
    let seq = 65534;
    let ts = 0;
    for (const p of list) {
      seq = (seq + p.step) & 0xffff;
      ts = (ts + p.step * 1024) >>> 0;
      d.pushPayload(p.payload, seq, ts, p.marker);
    }
    if (frames.some((f) => f.data.length > 150 || f.data.length === 0)) throw new Error('frame out of bounds');
  }), { numRuns: 1000 });
  t.pass();
});
