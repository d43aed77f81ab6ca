import t from 'tap';
import fc from 'fast-check';
import { CamwireError } from '../../lib/errors.js';
import { negotiateOffer } from '../../lib/gateway/negotiate.js';
import { CHROMIUM_OFFER } from '../support/offers.js';



t.test('the H.264 format matching the camera profile, with its RTX partner', (t) => {
  const cb = negotiateOffer(CHROMIUM_OFFER, { profileLevelId: '42e01f' }, true);
  t.same(cb, { mid: '0', payloadType: 108, fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', rtxPayloadType: 109 });
  t.equal(negotiateOffer(CHROMIUM_OFFER, { profileLevelId: '4D0029' }, true).payloadType, 114, 'Main: same profile_idc, any level');
  t.equal(negotiateOffer(CHROMIUM_OFFER, { profileLevelId: '420029' }, true).payloadType, 103, 'Baseline without constraints');
  t.equal(negotiateOffer(CHROMIUM_OFFER, { profileLevelId: '640028' }, true).payloadType, 108, 'High (not offered): constrained baseline fallback');
  t.equal(negotiateOffer(CHROMIUM_OFFER, {}, true).payloadType, 108, 'unknown camera profile: the fallback');
  t.equal(negotiateOffer(CHROMIUM_OFFER, { profileLevelId: '42e01f' }, false).rtxPayloadType, undefined, 'no RTX unless wanted');
  t.end();
});

t.test('offers camwire cannot answer are typed errors', (t) => {
  const noMode1 = CHROMIUM_OFFER.replace(/packetization-mode=1/g, 'packetization-mode=0');
  t.throws(() => negotiateOffer(noMode1, {}, true), { code: 'OFFER_NO_H264' });
  const vp8only = CHROMIUM_OFFER.split('\r\n').filter((l) => !/H264|apt=1|rtpmap:1/.test(l)).join('\r\n');
  t.throws(() => negotiateOffer(vp8only, {}, true), { code: 'OFFER_NO_H264' });
  const audio = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n';
  t.throws(() => negotiateOffer(audio, {}, true), { code: 'OFFER_NO_VIDEO' });
  t.throws(() => negotiateOffer(CHROMIUM_OFFER.replace('a=mid:0\r\n', ''), {}, true), { code: 'OFFER_NO_VIDEO' });
  t.end();
});

t.test('arbitrary offers never throw anything but typed errors', (t) => {
  const lines = CHROMIUM_OFFER.split('\r\n');
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 300 }), fc.shuffledSubarray(lines).map((l) => l.join('\n')), fc.array(fc.constantFrom(...lines, 'm=video 0 X 1', 'a=fmtp:108 ;;;', 'a=rtpmap:x'), { maxLength: 30 }).map((l) => l.join('\r\n'))),
      (sdp) => {
        try {
          negotiateOffer(sdp, { profileLevelId: '42e01f' }, true);
        } catch (err) {
          if (!(err instanceof CamwireError)) throw err;
        }
      },
    ),
    { numRuns: 500 },
  );
  t.end();
});
