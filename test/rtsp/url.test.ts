import t from 'tap';
import fc from 'fast-check';
import { RtspHeaders } from '../../lib/rtsp/protocol/header-map.js';
import { splitCredentials, stripCredentials, redactUrl, redactText, redactSecret, baseUrlFor, resolveControl, rtspUrlParts } from '../../lib/rtsp/protocol/url.js';

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

t.test('a password with @ in it: credentials end at the last @, nothing of the password is left', async (t) => {
  const url = 'rtsp://user:p@ss@cam.lan/x';
  t.same(splitCredentials(url), { url: 'rtsp://cam.lan/x', credentials: { username: 'user', password: 'p@ss' } });
  t.equal(stripCredentials(url), 'rtsp://cam.lan/x');
  t.equal(redactUrl(url), 'rtsp://***@cam.lan/x');
  t.equal(redactText(`DESCRIBE ${url} failed: refused`), 'DESCRIBE rtsp://***@cam.lan/x failed: refused', 'was rtsp://***@ss@cam.lan/x');
  t.same(rtspUrlParts(url), { host: 'cam.lan', port: 554, origin: 'rtsp://cam.lan' }, 'the host is not "ss@cam.lan"');
  t.same(splitCredentials('rtsp://user:p%40ss@cam.lan/x').credentials, { username: 'user', password: 'p@ss' }, 'percent-encoded');
  t.same(splitCredentials('rtsp://me@uni.example:pw@cam.lan/x').credentials, { username: 'me@uni.example', password: 'pw' }, 'an e-mail address as user');
  t.same(splitCredentials('rtsp://admin:a/b?c#d@10.0.0.2:554/y'), { url: 'rtsp://10.0.0.2:554/y', credentials: { username: 'admin', password: 'a/b?c#d' } }, 'unencoded / ? # in the password');
  t.equal(redactText('x rtsp://u:p@ss@h/ and rtsp://v:w@k/ y'), 'x rtsp://***@h/ and rtsp://***@k/ y', 'two URLs in one text');
  t.equal(redactSecret('lower layer said p@ss w0rd', 'rtsp://u:p@ss w0rd@h/x'), 'lower layer said ***', 'a password with a space, echoed outside a URL');
  t.equal(redactSecret('port 1234', 'rtsp://u:123@h/x'), 'port 1234', 'passwords under 4 characters are not scrubbed from text');
});

// The host and path never contain the characters the generated passwords are checked against.
const HOST = '10.0.0.5:554';
const PATH = '/axis-media/media.amp';
const anyText = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 24 }));
/** Credentials as users write them: unencoded, any character except a `:` in the user and `%` (which would be decoded). */
const raw = fc.record({ user: fc.string({ maxLength: 12 }).filter((u) => !/[:%]/.test(u)), password: anyText.filter((p) => !p.includes('%')) })
  .map(({ user, password }) => ({ user, password, userinfo: `${user}:${password}` }));
/** Credentials percent-encoded as RFC 3986 asks: any character at all. */
const encoded = fc.record({ user: anyText, password: anyText })
  .map(({ user, password }) => ({ user, password, userinfo: `${encodeURIComponent(user)}:${encodeURIComponent(password)}` }));

t.test('property: any user and password are split off exactly and never survive redaction', async (t) => {
  fc.assert(
    fc.property(fc.oneof(raw, encoded), ({ user, password, userinfo }) => {
      const url = `rtsp://${userinfo}@${HOST}${PATH}`;
      const bare = `rtsp://${HOST}${PATH}`;
      const split = splitCredentials(url);
      if (split.url !== bare || split.credentials?.username !== user || split.credentials.password !== password) return false;
      if (stripCredentials(url) !== bare || rtspUrlParts(url).host !== '10.0.0.5') return false;
      if (redactUrl(url) !== `rtsp://***@${HOST}${PATH}`) return false;
      const text = `DESCRIBE ${url} failed`;
      // In free text a URL ends at whitespace: redactText alone cannot know where such a password ends.
      if (!/\s/.test(userinfo) && redactText(text) !== `DESCRIBE rtsp://***@${HOST}${PATH} failed`) return false;
      const scrubbed = redactSecret(text, url);
      if (password.length < 4) return true;
      // A password that is a piece of the text around it (e.g. "fail") says nothing about leaks.
      fc.pre(!`DESCRIBE rtsp://***@${HOST}${PATH} failed`.includes(password));
      return !scrubbed.includes(password) && !redactUrl(url).includes(password) && !stripCredentials(url).includes(password);
    }),
    { numRuns: 2000 },
  );
});

t.test('redaction stays fast on long hostile text', async (t) => {
  const text = 'a://'.repeat(5000) + 'x@'.repeat(5000);
  const start = performance.now();
  redactText(text);
  redactUrl(text);
  redactSecret(text, 'rtsp://u:' + 'p@'.repeat(5000) + '@h/x');
  t.ok(performance.now() - start < 2000, `${(performance.now() - start).toFixed(0)} ms`);
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
