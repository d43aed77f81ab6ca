/** The passthrough (G.711, G.722, Opus) and the factory that picks a depacketizer for a description. */
import t from 'tap';
import { createAudioDepacketizer } from '../../lib/audio/depacketizer.js';
import { describeAudioFormat } from '../../lib/audio/audio-fmtp.js';
import { PassthroughDepacketizer } from '../../lib/audio/passthrough.js';
import { Rfc3640Depacketizer } from '../../lib/audio/rfc3640.js';
import { LatmDepacketizer } from '../../lib/audio/latm.js';
import { gapExplained } from '../../lib/audio/frame.js';
import { parseRtp, serializeRtp } from '../../lib/rtp/index.js';
import { parseFmtp } from '../../lib/sdp/index.js';
import { packetizeLatm, packetizeRfc3640 } from '../support/audio-packetizers.js';
import { frameCollector } from './helpers.js';
import { hex, toHex } from './arbitraries.js';

const fmt = (codec: string, clockRate: number, fmtp = '') => ({ payloadType: 96, codec, clockRate, channels: 1, fmtp: parseFmtp(`96 ${fmtp}`)!.parameters });

t.test('passthrough: every payload is a frame (a view, no copy); gaps mark a discontinuity; duplicates and late ones go', async (t) => {
  const { frames, sink } = frameCollector();
  const views: Uint8Array[] = [];
  const d = new PassthroughDepacketizer((f) => { views.push(f.data); sink(f); }, { maxAuBytes: 4 });
  const pkt = serializeRtp({ version: 2, padding: false, extension: false, marker: true, payloadType: 8, sequenceNumber: 65535, timestamp: 160, ssrc: 1, csrc: [], headerExtension: undefined, payload: hex('d5d5'), paddingLength: 0 });
  const parsed = parseRtp(pkt);
  d.push(parsed);
  t.equal(views[0].buffer, pkt.buffer, 'a view into the packet');
  d.pushPayload(hex('55'), 65535, 160);
  d.pushPayload(hex('aa'), 1, 480);
  d.pushPayload(hex('bb'), 0, 320);
  d.pushPayload(new Uint8Array(0), 2, 640);
  d.pushPayload(hex('0102030405'), 3, 800);
  d.pushPayload(hex('cc'), 4, 960);
  t.same(frames.map((f) => [toHex(f.data), f.timestamp, f.discontinuity]), [['d5d5', 160, false], ['aa', 480, true], ['cc', 960, true]]);
  t.match(d.stats, { packets: 7, duplicates: 1, late: 1, lostPackets: 1, emptyPayloads: 1, ausOversized: 1, frames: 3 });
});

t.test('the factory: RFC 3640 for mpeg4-generic, LATM for MP4A-LATM, passthrough otherwise', async (t) => {
  const aac = describeAudioFormat(fmt('mpeg4-generic', 16000, 'mode=AAC-hbr;config=1408'));
  const a = frameCollector();
  const da = createAudioDepacketizer(aac, a.sink);
  t.ok(da instanceof Rfc3640Depacketizer);
  for (const p of packetizeRfc3640([hex('2110'), hex('2111')])) da.pushPayload(p.payload, p.seq, p.ts, p.marker);
  t.same(a.frames.map((f) => toHex(f.data)), ['2110', '2111']);

  const latm = describeAudioFormat(fmt('MP4A-LATM', 16000, 'cpresent=0;config=40002810'));
  const l = frameCollector();
  const dl = createAudioDepacketizer(latm, l.sink);
  t.ok(dl instanceof LatmDepacketizer);
  for (const p of packetizeLatm([hex('2110')], { config: latm.latm!.streamMuxConfig! })) dl.pushPayload(p.payload, p.seq, p.ts, p.marker);
  t.same(l.frames.map((f) => toHex(f.data)), ['2110']);
  t.ok(createAudioDepacketizer(describeAudioFormat(fmt('MP4A-LATM', 16000)), () => undefined) instanceof LatmDepacketizer, 'cpresent=1 without config');

  for (const codec of ['PCMU', 'PCMA', 'G722', 'opus', 'L16']) {
    t.ok(createAudioDepacketizer(describeAudioFormat(fmt(codec, 8000)), () => undefined) instanceof PassthroughDepacketizer, codec);
  }
  t.throws(() => createAudioDepacketizer(aac, () => undefined, { maxMisorder: 0 }), { code: 'AUDIO_BAD_OPTION' });
});

t.test('gapExplained: one whole unit per lost packet, on a wrapping clock', async (t) => {
  t.equal(gapExplained(1, 1024, 2048, 1024), true);
  t.equal(gapExplained(2, 1024, 2048, 1024), false);
  t.equal(gapExplained(1, 0xfffffc00, 0, 1024), true, 'across the 32-bit wrap');
  t.equal(gapExplained(1, 1024, 1500, 1024), false, 'not a whole number of units');
  t.equal(gapExplained(1, 2048, 1024, 1024), false, 'backwards');
  t.equal(gapExplained(0, 2048, 2048, 1024), true);
});
