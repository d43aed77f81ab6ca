/** RFC 3640 properties: identity through packetize/depacketize; under loss, duplication and reordering only true AUs come out. */
import t from 'tap';
import fc from 'fast-check';
import { Rfc3640Depacketizer } from '../../lib/audio/rfc3640.js';
import { AAC_HBR_LAYOUT } from '../../lib/audio/au-headers.js';
import { packetizeRfc3640, type SentPacket } from '../support/audio-packetizers.js';
import { frameCollector, throughNetwork, type NetworkFaults } from './helpers.js';
import { ausArb, toHex } from './arbitraries.js';

const streamArb = fc.record({
  aus: ausArb(3000, 20),
  seq0: fc.integer({ min: 0, max: 0xffff }),
  ts0: fc.integer({ min: 0, max: 0xffffffff }),
  mtu: fc.integer({ min: 60, max: 1400 }),
  perPacket: fc.integer({ min: 1, max: 5 }),
});
const faultsArb: fc.Arbitrary<NetworkFaults> = fc.record({
  loss: fc.array(fc.boolean(), { maxLength: 7 }),
  dup: fc.array(fc.boolean(), { maxLength: 5 }),
  swap: fc.array(fc.boolean(), { maxLength: 5 }),
});

function run(packets: readonly SentPacket[], firstSequenceNumber?: number) {
  const c = frameCollector();
  const d = new Rfc3640Depacketizer(c.sink, { layout: AAC_HBR_LAYOUT, frameTicks: 1024 }, firstSequenceNumber === undefined ? {} : { firstSequenceNumber });
  for (const p of packets) d.pushPayload(p.payload, p.seq, p.ts, p.marker);
  return { d, frames: c.frames };
}

/** Every frame is one of the AUs sent, at its timestamp, each at most once, in order. */
function onlyTrueAus(frames: { data: Uint8Array; timestamp: number }[], aus: Uint8Array[], ts0: number): void {
  let last = -1;
  for (const f of frames) {
    const k = (((f.timestamp - ts0) >>> 0) / 1024);
    if (!Number.isInteger(k) || k >= aus.length) throw new Error(`frame at ${f.timestamp} matches no AU`);
    if (k <= last) throw new Error(`AU ${k} out of order or twice`);
    if (toHex(f.data) !== toHex(aus[k])) throw new Error(`AU ${k} (${aus[k].length} bytes) came out as ${f.data.length} other bytes`);
    last = k;
  }
}

t.test('packetize -> depacketize is the identity (aggregation, fragments, AU or fragment sizes, across the wraps)', async (t) => {
  fc.assert(fc.property(streamArb, fc.boolean(), ({ aus, seq0, ts0, mtu, perPacket }, fragmentSizes) => {
    const packets = packetizeRfc3640(aus, { seq0, ts0, mtu, perPacket, fragmentSizes: fragmentSizes ? 'fragment' : 'au' });
    const { d, frames } = run(packets, seq0);
    if (frames.length !== aus.length) throw new Error(`${frames.length} of ${aus.length} AUs`);
    onlyTrueAus(frames, aus, ts0);
    if (frames.some((f) => f.discontinuity)) throw new Error('a discontinuity without a loss');
    if (d.stats.malformed + d.stats.framesDropped + d.stats.unverifiedAfterLoss !== 0) throw new Error(JSON.stringify(d.stats));
  }), { numRuns: 200 });
  t.pass();
});

t.test('AU sizes (RFC 3640): under loss, duplication and reordering every frame is a true AU, and no loss means none missing', async (t) => {
  fc.assert(fc.property(streamArb, faultsArb, fc.boolean(), ({ aus, seq0, ts0, mtu, perPacket }, faults, knownStart) => {
    const sent = packetizeRfc3640(aus, { seq0, ts0, mtu, perPacket });
    const { frames } = run(throughNetwork(sent, faults), knownStart ? seq0 : undefined);
    onlyTrueAus(frames, aus, ts0);
    const lossless = !sent.some((_, i) => faults.loss.length > 0 && faults.loss[i % faults.loss.length]);
    const reordered = faults.swap.some(Boolean);
    if (lossless && !reordered && frames.length !== aus.length) throw new Error(`${frames.length} of ${aus.length} without loss`);
  }), { numRuns: 300 });
  t.pass();
});

/** AUs of up to three fragments: losing every fragment but the tail has to happen often. */
const fewFragmentsArb = fc.integer({ min: 60, max: 300 }).chain((mtu) => fc.record({
  aus: ausArb(3 * (mtu - 4), 20),
  seq0: fc.integer({ min: 0, max: 0xffff }),
  ts0: fc.integer({ min: 0, max: 0xffffffff }),
  mtu: fc.constant(mtu),
}));

t.test('fragment sizes, one AU or fragment per packet: the timestamp check keeps tails out after a loss', async (t) => {
  fc.assert(fc.property(fewFragmentsArb, faultsArb, ({ aus, seq0, ts0, mtu }, faults) => {
    const sent = packetizeRfc3640(aus, { seq0, ts0, mtu, perPacket: 1, fragmentSizes: 'fragment' });
    // the first packet arrives: a stream that starts on a headless tail cannot be told from one that does not
    const net = throughNetwork(sent.slice(1), faults);
    const { frames } = run([sent[0], ...net], seq0);
    onlyTrueAus(frames, aus, ts0);
  }), { numRuns: 300 });
  t.pass();
});

t.test('arbitrary payloads never throw, and no frame exceeds maxAuBytes', async (t) => {
  fc.assert(fc.property(fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 300 }), marker: fc.boolean(), step: fc.integer({ min: 0, max: 2 }) }), { maxLength: 30 }), (list) => {
    const c = frameCollector();
    const d = new Rfc3640Depacketizer(c.sink, { layout: AAC_HBR_LAYOUT, frameTicks: 1024 }, { maxAuBytes: 200 });
    let seq = 65530;
    let ts = 0;
    for (const p of list) {
      seq = (seq + p.step) & 0xffff;
      ts = (ts + p.step * 1024) >>> 0;
      d.pushPayload(p.payload, seq, ts, p.marker);
    }
    if (c.frames.some((f) => f.data.length > 200 || f.data.length === 0)) throw new Error('frame out of bounds');
  }), { numRuns: 1000 });
  t.pass();
});
