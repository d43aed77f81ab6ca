import t from 'tap';
import { parseConfig } from '../../lib/gateway/config.js';
import { MAX_RENDITIONS } from '../../lib/gateway/rendition-config.js';

const TWO = [{ name: '720p', url: 'rtsp://cam/main' }, { name: '360p', url: 'rtsp://cam/sub' }];

t.test('renditions in place of url: taken as they are', (t) => {
  const cfg = { streams: { hall: { renditions: structuredClone(TWO), transport: 'tcp' }, one: { renditions: [TWO[0]] } } };
  t.same(parseConfig(structuredClone(cfg)), cfg);
  t.end();
});

t.test('bad renditions are refused at start, the field named', (t) => {
  const bad = (renditions: unknown, msg: RegExp, extra: object = {}) =>
    t.throws(() => parseConfig({ streams: { hall: { renditions, ...extra } } }), { code: 'CONFIG_INVALID', message: msg }, msg.source);
  bad([], /config\.streams\.hall\.renditions must be an array of 1 to 8/);
  bad({ name: 'a', url: 'rtsp://x/' }, /config\.streams\.hall\.renditions must be an array/);
  bad(Array.from({ length: MAX_RENDITIONS + 1 }, (_, i) => ({ name: `r${i}`, url: 'rtsp://x/' })), /must be an array of 1 to 8/);
  bad(['rtsp://x/'], /config\.streams\.hall\.renditions\[0\] must be an object/);
  bad([{ name: '720p' }], /config\.streams\.hall\.renditions\[0\]\.url must be an rtsp:\/\/ URL/);
  bad([TWO[0], { name: '360p', url: 'http://cam/sub' }], /renditions\[1\]\.url must be an rtsp:\/\/ URL/);
  bad([TWO[0], { name: '360 p', url: 'rtsp://cam/sub' }], /renditions\[1\]\.name must be 1 to 32 of/);
  bad([TWO[0], { name: '720p', url: 'rtsp://cam/sub' }], /renditions\[1\]\.name "720p" is listed twice/);
  bad([{ ...TWO[0], bitrate: 1 }], /renditions\[0\]\.bitrate is not a known setting \(known: name, url\)/);
  bad(TWO, /config\.streams\.hall has both url and renditions/, { url: 'rtsp://cam/main' });
  t.throws(() => parseConfig({ streams: { hall: { transport: 'tcp' } } }), { message: /config\.streams\.hall\.url is required \(or renditions\)/ });
  t.end();
});
