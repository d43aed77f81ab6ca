/** SDP parse/serialize and describeTracks on a typical camera DESCRIBE body and a browser-sized offer. */
import { describeTracks, findH264PayloadTypes, parseSdp, serializeSdp } from '../lib/sdp/index.js';
import { measureNs, withPeer, type Benchmark } from './harness.js';

/** Shaped like a Hikvision DESCRIBE answer (hand-written, not a corpus copy). */
const CAMERA = [
  'v=0', 'o=- 1700000000000000 1700000000000000 IN IP4 192.0.2.10', 's=Media Presentation', 'e=NONE', 'b=AS:5050', 't=0 0',
  'a=control:rtsp://192.0.2.10:554/Streaming/Channels/101/',
  'm=video 0 RTP/AVP 96', 'c=IN IP4 0.0.0.0', 'b=AS:5000', 'a=recvonly', 'a=x-dimensions:1920,1080',
  'a=control:rtsp://192.0.2.10:554/Streaming/Channels/101/trackID=1', 'a=rtpmap:96 H264/90000',
  'a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AH5WoFAFuQA==,aO48gA==',
  'm=audio 0 RTP/AVP 8', 'c=IN IP4 0.0.0.0', 'b=AS:50', 'a=recvonly', 'a=control:rtsp://192.0.2.10:554/Streaming/Channels/101/trackID=2',
  'a=rtpmap:8 PCMA/8000', '',
].join('\r\n');

/** A browser-sized offer: 20 payload types, each with rtcp-fb and rtx lines. */
function offer(): string {
  const lines = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0'];
  const pts: number[] = [];
  for (let pt = 96; pt < 116; pt += 2) pts.push(pt, pt + 1);
  lines.push(`m=video 9 UDP/TLS/RTP/SAVPF ${pts.join(' ')}`, 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:0123456789abcdef01234567', 'a=setup:actpass', 'a=mid:0', 'a=recvonly');
  for (let i = 1; i <= 8; i++) lines.push(`a=extmap:${i} urn:example:ext:${i}`);
  for (let pt = 96; pt < 116; pt += 2) {
    lines.push(`a=rtpmap:${pt} H264/90000`, `a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`, `a=rtcp-fb:${pt} ccm fir`);
    lines.push(`a=fmtp:${pt} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f`, `a=rtpmap:${pt + 1} rtx/90000`, `a=fmtp:${pt + 1} apt=${pt}`);
  }
  return lines.join('\r\n') + '\r\n';
}

const OFFER = offer();
let sink = 0;

export const benchmarks: Benchmark[] = [
  {
    name: 'sdp',
    run() {
      const opts = { iterations: 20_000, runs: 7 };
      const cam = parseSdp(CAMERA);
      const off = parseSdp(OFFER);
      return [
        withPeer('sdp.parse.camera', 'ns/sdp', measureNs(() => { sink += parseSdp(CAMERA).media.length; }, opts), undefined, undefined, { bytes: CAMERA.length }),
        withPeer('sdp.describeTracks.camera', 'ns/sdp', measureNs(() => { sink += describeTracks(cam).length; }, opts)),
        withPeer('sdp.serialize.camera', 'ns/sdp', measureNs(() => { sink += serializeSdp(cam).length; }, opts)),
        withPeer('sdp.parse.offer', 'ns/sdp', measureNs(() => { sink += parseSdp(OFFER).media.length; }, { iterations: 5_000, runs: 7 }), undefined, undefined, { bytes: OFFER.length }),
        withPeer('sdp.findH264PayloadTypes.offer', 'ns/sdp', measureNs(() => { sink += findH264PayloadTypes(off.media[0]).length; }, { iterations: 5_000, runs: 7 })),
      ];
    },
  },
];

export const _sink = () => sink;
