/**
 * Issue 9: camera passwords with `@` (and `/`, `#`) in them, written as they are or
 * percent-encoded, against a real gateway on loopback whose cameras (port 9) refuse, so the
 * sources fail and report why. No piece of either password may reach a client or a log.
 */
import t from 'tap';
import { startGateway } from '../../lib/app/start.js';
import { parseConfig } from '../../lib/gateway/config.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import { captureOutput } from '../support/capture-output.js';

// Pieces a naive split (at the first `@`, or within the authority) would leave behind.
const RAW_PIECES = ['Qw3rty', 'Zx9v', 'Mn8b'];
const RAW_PASSWORD = 'Qw3rty@Zx9v/Mn8b';
const ENCODED_PIECES = ['Lk4jh', 'Pp7oi'];
const ENCODED_PASSWORD = encodeURIComponent('Lk4jh@Pp7oi#');

t.test('/api/streams, /metrics, pages, errors and logs carry no piece of a password with @', async (t) => {
  const { logged, restore } = captureOutput();
  t.teardown(restore);
  const reconnect = { rtsp: { reconnect: { initialDelayMs: 50, maxDelayMs: 100 } } };
  const gw = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0 },
    metrics: { host: '127.0.0.1', port: 0 },
    streams: {
      raw: { url: `rtsp://admin:${RAW_PASSWORD}@127.0.0.1:9/axis-media/media.amp`, onDemand: false, ...reconnect },
      encoded: { url: `rtsp://admin:${ENCODED_PASSWORD}@127.0.0.1:9/live`, onDemand: false, ...reconnect },
    },
  }), { transport: new FakeTransport() });
  t.teardown(() => gw.close());

  let api = '';
  for (let i = 0; i < 100; i++) {
    api = await (await fetch(gw.address + '/api/streams')).text();
    if ((api.match(/ECONNREFUSED|refused/gi) ?? []).length >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const streams = (JSON.parse(api) as { streams: { name: string; url: string; source: { lastError: string } }[] }).streams;
  const byName = new Map(streams.map((s) => [s.name, s]));
  t.equal(byName.get('raw')?.url, 'rtsp://127.0.0.1:9/axis-media/media.amp', 'publicUrl: the host and path, nothing before the last @');
  t.equal(byName.get('encoded')?.url, 'rtsp://127.0.0.1:9/live');
  t.match(byName.get('raw')?.source.lastError ?? '', /refused|ECONNREFUSED/i, 'the source really failed and said why');

  const seen = [
    api,
    await (await fetch(gw.address + '/metrics')).text(),
    await (await fetch(gw.metricsAddress + '/metrics')).text(),
    await (await fetch(gw.address + '/')).text(),
    await (await fetch(gw.address + '/watch/raw')).text(),
    await (await fetch(gw.address + '/whep/raw', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n' })).text(),
    await (await fetch(gw.address + '/whep/encoded', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER })).text(),
  ];
  const all = [...seen, ...logged].join('\n');
  t.match(seen[2], /camwire_stream_viewers\{stream="raw"\}/, 'the metrics listener lists the stream');
  for (const piece of [...RAW_PIECES, ...ENCODED_PIECES, ENCODED_PASSWORD]) t.notOk(all.includes(piece), `"${piece}" appears nowhere`);
});
