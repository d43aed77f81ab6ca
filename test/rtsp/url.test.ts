import t from 'tap';
import { RtspHeaders } from '../../lib/rtsp/header-map.js';
import { splitCredentials, redactUrl, redactText, baseUrlFor, resolveControl, rtspUrlParts } from '../../lib/rtsp/url.js';

t.test('credentials are split off and redacted', async (t) => {
  t.same(splitCredentials('rtsp://admin:p%40ss:w@10.0.0.2:554/axis-media/media.amp?x=1'), {
    url: 'rtsp://10.0.0.2:554/axis-media/media.amp?x=1',
    credentials: { username: 'admin', password: 'p@ss:w' },
  });
  t.same(splitCredentials('rtsp://10.0.0.2/a'), { url: 'rtsp://10.0.0.2/a' });
  t.equal(redactUrl('rtsp://admin:secret@10.0.0.2/a'), 'rtsp://***@10.0.0.2/a');
  t.equal(redactText('connect rtsp://admin:secret@10.0.0.2/a failed'), 'connect rtsp://***@10.0.0.2/a failed');
  t.notMatch(redactText('x rtsp://u:secret@h/ y'), /secret/);
  t.same(rtspUrlParts('rtsp://u:p@[::1]:8554/x'), { host: '::1', port: 8554, origin: 'rtsp://[::1]:8554' });
  t.equal(rtspUrlParts('rtsp://cam/x').port, 554);
});

t.test('base URL: Content-Base, then Content-Location, then request URL', async (t) => {
  const req = 'rtsp://192.168.1.10:554/stream0';
  t.equal(baseUrlFor(new RtspHeaders({ 'Content-Base': 'rtsp://192.168.1.10/b/', 'Content-Location': 'rtsp://x/l' }), req), 'rtsp://192.168.1.10/b/');
  t.equal(baseUrlFor(new RtspHeaders({ 'Content-Location': 'rtsp://x/l/' }), req), 'rtsp://x/l/');
  t.equal(baseUrlFor(new RtspHeaders(), req), req, 'VStarcam: none');
  t.equal(baseUrlFor(new RtspHeaders({ 'Content-Base': '192.168.1.10:554/stream0/' }), req), 'rtsp://192.168.1.10:554/stream0/', 'Anjvision: no scheme');
  t.equal(baseUrlFor(new RtspHeaders({ 'Content-Base': 'rtsp://rtsp://turret2-cam.lan:554/stream1/' }), req), 'rtsp://turret2-cam.lan:554/stream1/', 'doubled scheme');
  t.equal(baseUrlFor(new RtspHeaders({ 'Content-Base': '/relative-content-base' }), req), 'rtsp://192.168.1.10:554/relative-content-base');
});

t.test('control resolution as cameras expect', async (t) => {
  t.equal(resolveControl('rtsp://cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/', 'trackID=0'),
    'rtsp://cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/trackID=0', 'Dahua: query kept, string join');
  t.equal(resolveControl('rtsp://cam/axis-media/media.amp/', 'rtsp://cam/axis-media/media.amp/stream=0?videocodec=h264'),
    'rtsp://cam/axis-media/media.amp/stream=0?videocodec=h264', 'Axis absolute control');
  t.equal(resolveControl('rtsp://cam/stream', 'track1'), 'rtsp://cam/stream/track1');
  t.equal(resolveControl('rtsp://cam/stream/', '*'), 'rtsp://cam/stream/', 'aggregate *');
  t.equal(resolveControl('rtsp://cam:554/', '?inst=2&h26x=4&stream=video'), 'rtsp://cam:554/?inst=2&h26x=4&stream=video', 'Bosch query control');
  t.equal(resolveControl('rtsp://cam:554/a/b', '/c/d'), 'rtsp://cam:554/c/d', 'absolute path');
  t.equal(resolveControl('rtsp://cam/x', undefined), 'rtsp://cam/x');
});
