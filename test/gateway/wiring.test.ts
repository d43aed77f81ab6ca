import t from 'tap';
import { defaultSourceFactory } from '../../lib/gateway/wiring.js';
import { RtspSource } from '../../lib/gateway/rtsp-source.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';

t.test('rtsp.tls.insecure is logged once per stream, when its source is first made; nothing else is', async (t) => {
  const log: string[] = [];
  const make = defaultSourceFactory(createLogger(systemClock, (l) => log.push(l)));
  const loose = { url: 'rtsps://cam.invalid/live', rtsp: { tls: { insecure: true } } };
  t.type(make('loose', loose), RtspSource);
  make('loose', loose);
  make('strict', { url: 'rtsps://cam.invalid/live', rtsp: { tls: { ca: '/etc/ca.pem' } } });
  make('plain', { url: 'rtsp://cam.invalid/live', rtsp: { tls: { insecure: true } } });
  t.equal(log.length, 1);
  t.match(log[0], /source\.tls-insecure stream=loose .*rtsp\.tls\.insecure is set: the camera's certificate is not verified/);
});
