import t from 'tap';
import { renditionCandidates } from '../../lib/ingest/rendition-candidates.js';

const urls = (main: string) => renditionCandidates(main).map((c) => c.url);

t.test('Hikvision: channel N01 -> N02, N03', async (t) => {
  t.same(urls('rtsp://admin:pw@192.168.5.106:554/Streaming/Channels/101/'), [
    'rtsp://admin:pw@192.168.5.106:554/Streaming/Channels/102/',
    'rtsp://admin:pw@192.168.5.106:554/Streaming/Channels/103/',
  ]);
  t.same(urls('rtsp://h/Streaming/Channels/201?transportmode=unicast'), ['rtsp://h/Streaming/Channels/202?transportmode=unicast', 'rtsp://h/Streaming/Channels/203?transportmode=unicast']);
  t.same(renditionCandidates('rtsp://h/Streaming/Channels/101').map((c) => c.pattern), ['hikvision', 'hikvision']);
});

t.test('Dahua and the corpus gw_main: subtype=0 -> 1, 2; no subtype -> subtype=1', async (t) => {
  t.same(urls('rtsp://192.168.1.110:5050/H264?channel=1&subtype=0&unicast=true&proto=Onvif'), [
    'rtsp://192.168.1.110:5050/H264?channel=1&subtype=1&unicast=true&proto=Onvif',
    'rtsp://192.168.1.110:5050/H264?channel=1&subtype=2&unicast=true&proto=Onvif',
  ]);
  t.same(urls('rtsp://u:p@cam/cam/realmonitor?channel=1&subtype=0'), ['rtsp://u:p@cam/cam/realmonitor?channel=1&subtype=1', 'rtsp://u:p@cam/cam/realmonitor?channel=1&subtype=2']);
  t.same(urls('rtsp://cam/cam/realmonitor?channel=2'), ['rtsp://cam/cam/realmonitor?channel=2&subtype=1']);
  t.same(urls('rtsp://cam/cam/realmonitor?channel=1&subtype=1'), [], 'already a sub stream');
});

t.test('Axis: the resolution parameter, replaced or added', async (t) => {
  t.same(urls('rtsp://cam/axis-media/media.amp?resolution=1280x720'), ['rtsp://cam/axis-media/media.amp?resolution=640x360', 'rtsp://cam/axis-media/media.amp?resolution=480x270']);
  t.same(urls('rtsp://cam/axis-media/media.amp'), ['rtsp://cam/axis-media/media.amp?resolution=640x360', 'rtsp://cam/axis-media/media.amp?resolution=480x270']);
  t.same(urls('rtsp://cam/axis-media/media.amp?camera=2'), ['rtsp://cam/axis-media/media.amp?camera=2&resolution=640x360', 'rtsp://cam/axis-media/media.amp?camera=2&resolution=480x270']);
  t.same(urls('rtsp://cam/axis-media/media.amp?resolution=640x360&fps=15'), ['rtsp://cam/axis-media/media.amp?resolution=480x270&fps=15'], 'the main URL itself is never a candidate');
});

t.test('Reolink, Foscam, Tapo, /0/main and Vivotek-style paths', async (t) => {
  t.same(urls('rtsp://192.168.5.206/h264Preview_01_main/'), ['rtsp://192.168.5.206/h264Preview_01_sub/']);
  t.same(urls('rtsp://192.168.5.107:65534/videoMain'), ['rtsp://192.168.5.107:65534/videoSub']);
  t.same(urls('rtsp://cam/stream1'), ['rtsp://cam/stream2']);
  t.same(urls('rtsp://192.168.1.19:554/0/main'), ['rtsp://192.168.1.19:554/0/sub']);
  t.same(urls('rtsp://192.168.5.237/media/video1'), ['rtsp://192.168.5.237/media/video2']);
});

t.test("camwire's own demo camera: /demo -> /demo-360p", async (t) => {
  t.same(renditionCandidates('rtsp://127.0.0.1:8554/demo'), [{ pattern: 'camwire-demo', url: 'rtsp://127.0.0.1:8554/demo-360p' }]);
  t.same(urls('rtsp://127.0.0.1:8554/demo-360p'), []);
  t.same(urls('rtsp://127.0.0.1:8554/demos'), []);
});

t.test('credentials holding / and @ stay as typed; nothing for unknown paths or non-RTSP', async (t) => {
  t.same(urls('rtsp://admin:p@ss/w0rd@10.0.0.5/Streaming/Channels/101'), ['rtsp://admin:p@ss/w0rd@10.0.0.5/Streaming/Channels/102', 'rtsp://admin:p@ss/w0rd@10.0.0.5/Streaming/Channels/103']);
  t.same(urls('rtsp://admin:main@10.0.0.5/live'), [], 'a password "main" is not a path');
  t.same(urls('rtsps://cam/stream1'), ['rtsps://cam/stream2']);
  t.same(urls('rtsp://cam'), []);
  t.same(urls('http://cam/stream1'), []);
});
