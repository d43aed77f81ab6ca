import t from 'tap';
import { negotiateOffer } from '../../lib/gateway/negotiate.js';
import { CodecPacketizer } from '../../lib/gateway/codec-packetizer.js';
import { findH265PayloadTypes, parseSdp } from '../../lib/sdp/index.js';
import { CHROMIUM_OFFER, H265_OFFER } from '../support/offers.js';
import { PPS, SPS, VPS, nal } from '../h265/vectors.js';

t.test('the crafted offer lists its H.265 format with RTX', (t) => {
  const video = parseSdp(H265_OFFER).media[0];
  const h265 = findH265PayloadTypes(video);
  t.equal(h265.length, 1);
  t.match(h265[0], { payloadType: 49, rtxPayloadType: 50 });
  t.equal(findH265PayloadTypes(parseSdp(CHROMIUM_OFFER).media[0]).length, 0, 'none in Chromium\'s');
  t.end();
});

t.test('an H.265 camera: answered H.265 with the offer\'s own parameters, or refused naming the codec', (t) => {
  t.same(negotiateOffer(H265_OFFER, { codec: 'h265' }, true), {
    mid: '0', codec: 'h265', payloadType: 49, fmtp: 'level-id=180;profile-id=1;tier-flag=0;tx-mode=SRST', rtxPayloadType: 50,
  });
  t.equal(negotiateOffer(H265_OFFER, { codec: 'h265' }, false).rtxPayloadType, undefined, 'no RTX unless wanted');
  t.throws(() => negotiateOffer(CHROMIUM_OFFER, { codec: 'h265' }, true), { code: 'OFFER_NO_H265', message: /H\.265/ });
  t.end();
});

t.test('an H.264 camera is answered H.264 even when the browser also offers H.265', (t) => {
  const a = negotiateOffer(H265_OFFER, { codec: 'h264', profileLevelId: '42e01f' }, true);
  t.equal(a.payloadType, 108);
  t.equal(a.codec, undefined, 'H.264, as before');
  t.end();
});

t.test('the codec packetizer switches payload format between units and keeps SSRC and payload type', (t) => {
  const pz = new CodecPacketizer(1200);
  pz.ssrc = 42;
  pz.payloadType = 111;
  t.equal(pz.codec, 'h264');
  pz.setCodec('h265');
  t.equal(pz.codec, 'h265');
  t.same([pz.ssrc, pz.payloadType], [42, 111]);
  pz.setParameterSets([VPS, SPS, PPS]);
  t.ok(pz.parameterSets?.complete, 'the H.265 sets are the current ones');
  const out = new Uint8Array(1200);
  pz.start([nal(19, [0x80, 1, 2])], 90);
  const n = pz.writeNext(out);
  t.equal((out[12] >> 1) & 0x3f, 48, 'an IRAP goes out behind an AP of VPS/SPS/PPS');
  t.ok(n > 12);
  pz.setCodec('h264');
  t.equal(pz.codec, 'h264');
  t.end();
});
