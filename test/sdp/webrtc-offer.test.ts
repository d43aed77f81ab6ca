/**
 * A browser offer, written by hand in the shape Chromium produces for a recvonly video
 * transceiver: BUNDLE, ICE/DTLS, many codecs with rtx partners, rtcp-fb and extmap lines.
 * The gateway parses such offers to pick the H.264 payload type to answer with.
 */
import t from 'tap';
import {
  bundleGroups,
  effectiveDirection,
  findH264PayloadTypes,
  getAttribute,
  getAttributes,
  parseExtmap,
  parseRtcpFb,
  parseSdp,
  serializeSdp,
  transportParameters,
} from '../../lib/sdp/index.js';

const codecs: [number, string, string | undefined, number][] = [
  // pt, rtpmap, fmtp, rtx pt
  [96, 'VP8/90000', undefined, 97],
  [98, 'VP9/90000', 'profile-id=0', 99],
  [102, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f', 103],
  [104, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f', 105],
  [106, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', 107],
  [108, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f', 109],
  [112, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f', 113],
  [127, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f', 0],
  [45, 'AV1/90000', 'level-idx=5;profile=0;tier=0', 46],
];

function offer(): string {
  const pts = codecs.flatMap(([pt, , , rtx]) => (rtx ? [pt, rtx] : [pt]));
  const lines = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS',
    `m=video 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')} 114 115 116`,
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Xq3a',
    'a=ice-pwd:9bBvM0YkqHcGrT7bXa1cPq4z',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 4B:1A:7C:9E:22:D3:5F:60:81:AA:0C:3E:19:B4:6D:72:E8:05:F1:9A:33:C2:47:8B:DE:10:6F:25:A9:54:BC:07',
    'a=setup:actpass',
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 urn:3gpp:video-orientation',
    'a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
    'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
    'a=recvonly',
    'a=rtcp-mux',
    'a=rtcp-rsize',
  ];
  for (const [pt, map, fmtp, rtx] of codecs) {
    lines.push(`a=rtpmap:${pt} ${map}`);
    for (const fb of ['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli']) lines.push(`a=rtcp-fb:${pt} ${fb}`);
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
    if (rtx) lines.push(`a=rtpmap:${rtx} rtx/90000`, `a=fmtp:${rtx} apt=${pt}`);
  }
  lines.push('a=rtpmap:114 red/90000', 'a=rtpmap:115 rtx/90000', 'a=fmtp:115 apt=114', 'a=rtpmap:116 ulpfec/90000');
  return lines.join('\r\n') + '\r\n';
}

t.test('Chromium recvonly video offer: serialize(parse(x)) === x, but for the trimmed attribute value', async (t) => {
  const text = offer();
  // the one normalization: whitespace around an attribute value is not kept
  t.equal(serializeSdp(parseSdp(text)), text.replace('a=msid-semantic: WMS', 'a=msid-semantic:WMS'));
  t.same(parseSdp(serializeSdp(parseSdp(text))), parseSdp(text));
});

t.test('Chromium offer: BUNDLE, ICE/DTLS, direction, extmap, rtcp-fb', async (t) => {
  const d = parseSdp(offer());
  const [video] = d.media;
  t.same(bundleGroups(d), [['0']]);
  t.equal(getAttribute(video.attributes, 'mid'), '0');
  t.equal(effectiveDirection(d, video), 'recvonly');
  const tp = transportParameters(d, video);
  t.equal(tp.iceUfrag, 'Xq3a');
  t.equal(tp.setup, 'actpass');
  t.equal(tp.fingerprint?.algorithm, 'sha-256');
  const ext = getAttributes(video.attributes, 'extmap').map(parseExtmap);
  t.equal(ext.length, 8);
  t.same(ext.find((e) => e?.uri.endsWith('sdes:mid')), { id: 9, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' });
  const fbFor102 = getAttributes(video.attributes, 'rtcp-fb').map(parseRtcpFb).filter((f) => f?.payloadType === 102);
  t.same(fbFor102.map((f) => [f?.type, f?.parameter]), [['goog-remb', undefined], ['transport-cc', undefined], ['ccm', 'fir'], ['nack', undefined], ['nack', 'pli']]);
});

t.test('findH264PayloadTypes: every H.264 PT in offer order with fmtp and RTX partner', async (t) => {
  const found = findH264PayloadTypes(parseSdp(offer()).media[0]);
  t.same(
    found.map((f) => [f.payloadType, f.profileLevelIdText, f.packetizationMode, f.levelAsymmetryAllowed, f.rtxPayloadType]),
    [
      [102, '42001f', 1, true, 103],
      [104, '42001f', 0, true, 105],
      [106, '42e01f', 1, true, 107],
      [108, '42e01f', 0, true, 109],
      [112, '64001f', 1, true, 113],
      [127, '4d001f', 1, true, undefined],
    ],
  );
  t.same(found[2].profileLevelId, { profileIdc: 0x42, constraintFlags: 0xe0, levelIdc: 0x1f });
  // what the gateway will do: constrained baseline, packetization-mode 1
  const pick = found.find((f) => f.profileLevelId?.profileIdc === 0x42 && (f.profileLevelId.constraintFlags & 0x40) !== 0 && f.packetizationMode === 1);
  t.equal(pick?.payloadType, 106);
});

t.test('findH264PayloadTypes: no fmtp means packetization-mode 0; non-H264 media yields nothing', async (t) => {
  const d = parseSdp('m=video 9 RTP/AVP 96 97\r\na=rtpmap:96 h264/90000\r\na=rtpmap:97 VP8/90000\r\nm=audio 9 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n');
  t.same(findH264PayloadTypes(d.media[0]), [{ payloadType: 96, packetizationMode: 0, levelAsymmetryAllowed: false }]);
  t.same(findH264PayloadTypes(d.media[1]), []);
});
