import t from 'tap';
import { describeRtspTracks } from '../../lib/rtsp/client/describe.js';
import { RtspMessageParser, bodyText, type RtspMessage } from '../../lib/rtsp/protocol/index.js';
import { baseUrlFor } from '../../lib/rtsp/protocol/url.js';
import { RtspClientError } from '../../lib/rtsp/client/errors.js';
import { readCorpus } from '../support/env.js';

function corpusDescribe(name: string, requestUrl: string) {
  const buf = readCorpus(`cameras/${name}`);
  if (!buf) return undefined;
  let msg: RtspMessage | undefined;
  new RtspMessageParser({ onMessage: (m) => (msg = m), onFrame: () => {} }).push(buf);
  const base = baseUrlFor(msg!.headers, requestUrl);
  return describeRtspTracks(bodyText(msg!), base, () => true);
}

t.test('Dahua: relative controls joined to a Content-Base that carries the query', async (t) => {
  const d = corpusDescribe('dahua_describe_h264_aac_onvif.txt', 'rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif');
  if (!d) return t.comment('skip: corpus absent');
  t.equal(d.aggregateUrl, 'rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/', 'a=control:* is the base');
  t.equal(d.tracks[0].control, 'rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/trackID=0');
  t.equal(d.tracks[0].codec, 'H264');
});

t.test('Hikvision: absolute controls with the query after the track', async (t) => {
  const d = corpusDescribe('hikvision_describe.txt', 'rtsp://192.168.5.106:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1');
  if (!d) return t.comment('skip: corpus absent');
  t.equal(d.tracks[0].control, 'rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1');
  t.equal(d.aggregateUrl, 'rtsp://192.168.5.106:554/Streaming/Channels/101/?transportmode=unicast&profile=Profile_1', 'absolute session control');
});

t.test('Axis SSM: multicast group, TTL and source from the SDP; video only by default', async (t) => {
  const sdp = [
    'v=0', 'o=- 1 1 IN IP4 192.168.0.30', 's=Session streamed with GStreamer', 't=0 0',
    'a=control:rtsp://192.168.0.30/axis-media/ssm/media.amp',
    'a=source-filter: incl IN IP4 239.194.168.96 192.168.0.30',
    'm=video 0 RTP/AVP 96', 'c=IN IP4 239.194.168.96/5', 'a=rtpmap:96 H264/90000',
    'a=control:rtsp://192.168.0.30/axis-media/ssm/media.amp/stream=0',
    'm=audio 0 RTP/AVP 97', 'c=IN IP4 239.194.168.96/5', 'a=rtpmap:97 MPEG4-GENERIC/16000/1', 'a=control:stream=1', '',
  ].join('\r\n');
  const d = describeRtspTracks(sdp, 'rtsp://192.168.0.30/axis-media/ssm/media.amp/');
  t.equal(d.tracks.length, 1);
  t.equal(d.aggregateUrl, 'rtsp://192.168.0.30/axis-media/ssm/media.amp');
  t.same(d.multicast[0], { address: '239.194.168.96', ttl: 5, source: '192.168.0.30' });
});

t.test('bad or empty descriptions are typed errors', async (t) => {
  const code = (sdp: string) => {
    try {
      describeRtspTracks(sdp, 'rtsp://h/');
      return 'none';
    } catch (e) {
      return e instanceof RtspClientError ? e.code : String(e);
    }
  };
  t.equal(code(''), 'RTSP_BAD_SDP');
  t.equal(code('<html>404</html>'), 'RTSP_BAD_SDP');
  t.equal(code('v=0\r\ns=-\r\nm=audio 0 RTP/AVP 0\r\n'), 'RTSP_NO_TRACKS');
});
