import t from 'tap';
import { normalizePath, resolveRequestUrl, splitRequestUrl } from '../../lib/rtsp/server/paths.js';
import { buildVideoSdp, profileLevelId } from '../../lib/rtsp/server/sdp.js';
import { PPS, SPS } from '../support/h264-synthetic.js';
import { parseSdp } from '../../lib/sdp/parse.js';
import { describeTracks } from '../../lib/sdp/tracks.js';

const paths = ['/demo', '/cams/hall', '/cams'];
const origin = 'rtsp://10.0.0.1:8554';

t.test('request URLs resolve to the longest served path and a track control', (t) => {
  t.same(resolveRequestUrl('rtsp://127.0.0.1:8554/demo', paths, origin), { path: '/demo', control: '', base: 'rtsp://127.0.0.1:8554/demo/' });
  t.same(resolveRequestUrl('rtsp://127.0.0.1:8554/demo/', paths, origin)?.control, '');
  t.same(resolveRequestUrl('rtsp://127.0.0.1:8554/demo/trackID=0', paths, origin)?.control, 'trackID=0');
  t.same(resolveRequestUrl('rtsp://127.0.0.1:8554/demo/trackID=0?x=1', paths, origin)?.control, 'trackID=0', 'query dropped');
  t.same(resolveRequestUrl('rtsp://h/cams/hall/trackID=0', paths, origin)?.path, '/cams/hall');
  t.same(resolveRequestUrl('rtsp://h/cams/other', paths, origin), { path: '/cams', control: 'other', base: 'rtsp://h/cams/' });
  t.equal(resolveRequestUrl('rtsp://h/demonstration', paths, origin), undefined, 'a prefix must end at a slash');
  t.equal(resolveRequestUrl('rtsp://h/', paths, origin), undefined);
  t.same(resolveRequestUrl('/demo', paths, origin)?.base, 'rtsp://10.0.0.1:8554/demo/', 'path-only requests use the local origin');
  t.same(resolveRequestUrl('rtsp://user:secret@h:1/demo', paths, origin)?.base, 'rtsp://h:1/demo/', 'credentials never echoed');
  t.end();
});

t.test('paths normalise', (t) => {
  t.equal(normalizePath('demo/'), '/demo');
  t.equal(normalizePath('//a//b/'), '/a/b');
  t.equal(normalizePath(''), '/');
  t.same(splitRequestUrl('RTSP://H:5/x#y', origin), { origin: 'rtsp://H:5', path: '/x' });
  t.end();
});

t.test('SDP: H.264 with packetization-mode=1, profile-level-id and sprop-parameter-sets from the SPS/PPS', (t) => {
  const sdp = buildVideoSdp({ sessionId: 42, originAddress: '127.0.0.1', sessionName: 'camwire /demo', sps: SPS, pps: PPS, payloadType: 96, trackControl: 'trackID=0', frameRate: 25 });
  t.equal(profileLevelId(SPS), '42c01e');
  t.match(sdp, /^v=0\r\n/);
  t.match(sdp, /\r\nm=video 0 RTP\/AVP 96\r\n/);
  t.match(sdp, /\r\na=rtpmap:96 H264\/90000\r\n/);
  t.match(sdp, `a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=${Buffer.from(SPS).toString('base64')},${Buffer.from(PPS).toString('base64')}\r\n`);
  t.match(sdp, /\r\na=control:trackID=0\r\n$/);
  t.ok(sdp.indexOf('a=control:*') < sdp.indexOf('m=video'), 'aggregate control at session level');
  t.notMatch(sdp, /[^\r]\n/, 'CRLF line ends only');
  const [track] = describeTracks(parseSdp(sdp));
  t.match(track, { mediaType: 'video', codec: 'H264', clockRate: 90000, control: 'trackID=0', payloadTypes: [96] }, 'lib/sdp reads it back');
  t.end();
});
