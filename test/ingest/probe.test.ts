import t from 'tap';
import { probe, formatProbe } from '../../lib/ingest/probe.js';
import { parseProbeArgs } from '../../lib/app/cli-probe.js';
import { RtspHeaders } from '../../lib/rtsp/protocol/header-map.js';
import { FakeTimers, until } from '../support/fake-clock.js';
import { rtpPacket } from '../support/fake-rtsp-server.js';
import { fakeCamera } from '../rtsp/client-support.js';

t.test('probe over TCP: tracks, SPS facts, packets and access units', async (t) => {
  const cam = await fakeCamera({ override: (req) => (req.method === 'OPTIONS' ? { status: 200, headers: new RtspHeaders({ Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN', Server: 'FakeCam/1.0' }) } : undefined) });
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const running = probe({ url: `rtsp://user:topsecret@127.0.0.1:${cam.server.port}/stream`, transport: 'tcp', seconds: 2, clock });
  await until(() => cam.server.methods().includes('PLAY'), 'PLAY');
  await until(() => clock.pendingCount > 0, 'probe timer');
  const conn = cam.server.connections[0];
  const nal = (type: number, n = 20) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x60 | type : i));
  let seq = 1;
  const send = (type: number, ts: number, marker: boolean) => {
    const p = rtpPacket(seq++, ts, 0x1234, 96, nal(type));
    if (!marker) p[1] &= 0x7f;
    cam.server.sendFrame(conn, 0, p);
  };
  send(7, 0, false);
  send(8, 0, false);
  send(5, 0, true);
  send(1, 3000, true);
  seq++; // one packet lost
  send(1, 9000, true);
  send(1, 12000, true);
  await until(() => cam.server.connections[0].requests.length >= 4, 'requests');
  await new Promise((r) => setTimeout(r, 50));
  await clock.advance(2000);
  const r = await running;
  t.equal(r.ok, true);
  t.equal(r.server, 'FakeCam/1.0');
  t.equal(r.transport, 'tcp');
  t.match(r.tracks, [{ codec: 'H264', payloadType: 96, clockRate: 90000, profile: 'Constrained Baseline', level: 3, width: 320, height: 240 }]);
  t.same(r.packets, { received: 6, lost: 1, recovered: 0, reordered: 0, duplicated: 0 });
  t.same({ reorder: r.recovery.reorder, nack: r.recovery.nack, nacksSent: r.recovery.nacksSent }, { reorder: false, nack: false, nacksSent: 0 }, 'TCP: no reorder buffer, no NACK');
  t.equal(r.accessUnits.keyframes, 1);
  t.equal(r.accessUnits.complete, 3, 'IDR, the P frame before the gap and the one after the damaged one');
  t.equal(r.accessUnits.incomplete, 1, 'the unit after the gap is incomplete');
  t.ok(r.bitrate > 0);
  t.notMatch(JSON.stringify(r) + formatProbe(r), /topsecret/);
  t.match(formatProbe(r), /Constrained Baseline level 3, 320x240/);
});

t.test('probe failure: typed code, non-ok', async (t) => {
  const cam = await fakeCamera({ override: () => ({ status: 404 }) });
  t.teardown(() => cam.close());
  const r = await probe({ url: cam.server.url('/nope'), transport: 'tcp', seconds: 1, clock: new FakeTimers() });
  t.equal(r.ok, false);
  t.match(r.error, { code: 'RTSP_NOT_FOUND' });
  t.match(formatProbe(r), /^FAILED/);
});

t.test('probe arguments', async (t) => {
  t.same(parseProbeArgs(['rtsp://h/x', '--transport', 'tcp', '--seconds=3', '--json']), { url: 'rtsp://h/x', transport: 'tcp', seconds: 3, json: true, nack: true, reorder: true });
  t.same(parseProbeArgs(['rtsp://h/x']), { url: 'rtsp://h/x', transport: 'auto', seconds: 5, json: false, nack: true, reorder: true });
  t.match(parseProbeArgs(['rtsp://h/x', '--no-nack', '--no-reorder']), { nack: false, reorder: false });
  t.type(parseProbeArgs(['rtsp://h/x', '--transport', 'quic']), 'string');
  t.type(parseProbeArgs(['http://h/x']), 'string');
  t.type(parseProbeArgs([]), 'string');
  t.same(parseProbeArgs(['rtsps://h/x', '--ca', '/etc/cam.pem', '--servername=cam.lan', '--insecure']),
    { url: 'rtsps://h/x', transport: 'auto', seconds: 5, json: false, nack: true, reorder: true, tls: { ca: '/etc/cam.pem', servername: 'cam.lan', insecure: true } });
  t.type(parseProbeArgs(['rtsps://h/x', '--ca']), 'string');
  t.type(parseProbeArgs(['rtsp://h/x', '--seconds', '-1']), 'string');
});

t.test('FLIR M400 (no marker bit at all): the unit open at the stop is truncatedAtEnd, not incomplete; no-marker-bit named', async (t) => {
  const cam = await fakeCamera({});
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const running = probe({ url: cam.server.url('/stream'), transport: 'tcp', seconds: 2, clock });
  await until(() => cam.server.methods().includes('PLAY'), 'PLAY');
  await until(() => clock.pendingCount > 0, 'probe timer');
  const conn = cam.server.connections[0];
  const nal = (type: number, n = 20) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x60 | type : i));
  let seq = 1;
  const send = (type: number, ts: number) => {
    const p = rtpPacket(seq++, ts, 0x1234, 96, nal(type));
    p[1] &= 0x7f;
    cam.server.sendFrame(conn, 0, p);
  };
  send(7, 0);
  send(8, 0);
  send(5, 0);
  for (let i = 1; i <= 4; i++) send(1, 3000 * i);
  await new Promise((r) => setTimeout(r, 100));
  await clock.advance(2000);
  const r = await running;
  t.equal(r.ok, true);
  t.same(r.accessUnits, { complete: 4, incomplete: 0, truncatedAtEnd: 1, keyframes: 1 });
  t.ok(r.quirks.includes('no-marker-bit'), r.quirks.join());
  t.match(formatProbe(r), /0 incomplete, 1 keyframes, 1 cut off by the stop/);
});
