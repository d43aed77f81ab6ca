/**
 * Camera faults (issue 9) with real cameras and a viewer that must keep playing: GStreamer's
 * RTSP server paused (SIGSTOP: TCP stays open, media stops) and resumed; camwire's demo camera
 * killed and restarted on the same port; and hostile RTSP servers (an endless header line,
 * endless headers, a 2 GB Content-Length, garbage) next to a healthy camera whose viewer must
 * not notice. Viewers are in-process fakes counting RTP and keyframes; Chromium watches a
 * restart in spec/gateway/rtsp.test.ts.
 */
import t, { type Test } from 'tap';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { StreamConfig } from '../../lib/gateway/gateway.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { FakeTransport, type FakePeer } from '../../test/support/fake-transport.js';
import { carriesIdr } from '../../test/support/h264-synthetic.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';
import { missingGstRtspServer, startGstServer } from '../support/gst-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FAST_RECOVERY = { mediaTimeoutMs: 2000, requestTimeoutMs: 2000, connectTimeoutMs: 2000, reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } };

async function gatewayWith(streams: Record<string, StreamConfig>): Promise<{ gw: GatewayHandle; transport: FakeTransport }> {
  const transport = new FakeTransport();
  const gw = await startGateway({ http: { host: '127.0.0.1', port: 0 }, streams }, { transport });
  return { gw, transport };
}

/** A viewer that, like a browser, sends a receiver report every second (else it would be reaped as gone). */
async function viewerOf(t: Test, gw: GatewayHandle, transport: FakeTransport, stream: string): Promise<FakePeer> {
  await gw.gateway.addViewer(gw.gateway.stream(stream)!, CHROMIUM_OFFER);
  const peer = transport.peers[transport.peers.length - 1];
  const rr = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 9]);
  const timer = setInterval(() => peer.handlers.onRtcp(rr), 1000);
  t.teardown(() => clearInterval(timer));
  return peer;
}

/** Keyframes (packets starting an IDR slice) among a viewer's packets from index `from`. */
function keyframesSince(peer: FakePeer, from: number): number {
  let n = 0;
  for (let i = from; i < peer.rtp.length; i++) if (carriesIdr(peer.rtp[i])) n++;
  return n;
}

async function until(cond: () => boolean, ms = 15000): Promise<boolean> {
  for (let waited = 0; waited < ms && !cond(); waited += 50) await sleep(50);
  return cond();
}

t.test('GStreamer camera paused (SIGSTOP) and resumed: the viewer stays and resumes on a keyframe', async (t) => {
  const why = missingGstRtspServer();
  if (why) { t.comment('skip: ' + why); return; }
  const cam = await startGstServer({ protocols: 'udp' });
  t.teardown(() => cam.stop());
  const { gw, transport } = await gatewayWith({ cam: { url: cam.url(), transport: 'udp', onDemand: false, rtsp: FAST_RECOVERY } });
  t.teardown(() => gw.close());
  const peer = await viewerOf(t, gw, transport, 'cam');
  t.ok(await until(() => peer.rtp.length > 50), 'playing');
  cam.process.kill('SIGSTOP');
  const stream = gw.gateway.stream('cam')!;
  const ok = await until(() => stream.stats().sourceState === 'reconnecting');
  t.ok(ok, `the stalled camera was noticed (media timeout): ${stream.stats().sourceState}`);
  const mark = peer.rtp.length;
  cam.process.kill('SIGCONT');
  const resumed = await until(() => keyframesSince(peer, mark) > 0 && peer.rtp.length > mark + 50, 30000);
  t.ok(resumed, 'video and a keyframe again after SIGCONT');
  if (!resumed) t.comment(JSON.stringify({ packets: peer.rtp.length - mark, keyframes: keyframesSince(peer, mark), stats: stream.stats() }));
  t.equal(stream.viewerCount, 1, 'the viewer stayed');
  t.equal(peer.state, 'connected');
  t.ok(Number(stream.stats().source.sessions) >= 2, `a new RTSP session (${stream.stats().source.sessions})`);
});

t.test('demo camera killed and restarted on the same port: the viewer resumes on a keyframe', async (t) => {
  let cam = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const port = cam.server.port;
  const { gw, transport } = await gatewayWith({ cam: { url: cam.url, transport: 'udp', onDemand: false, rtsp: FAST_RECOVERY } });
  t.teardown(() => gw.close());
  const peer = await viewerOf(t, gw, transport, 'cam');
  t.ok(await until(() => peer.rtp.length > 50), 'playing');
  await cam.close();
  const stream = gw.gateway.stream('cam')!;
  t.ok(await until(() => stream.stats().sourceState !== 'playing'), 'the loss of the camera was noticed');
  await sleep(500);
  cam = await startDemoCamera({ host: '127.0.0.1', port });
  t.teardown(() => cam.close());
  const mark = peer.rtp.length;
  t.ok(await until(() => keyframesSince(peer, mark) > 0 && peer.rtp.length > mark + 50), 'video and a keyframe from the restarted camera');
  t.equal(stream.viewerCount, 1);
  // The browser sees one continuous stream: sequence numbers go on by one across the restart.
  const seqs = peer.rtp.slice(mark - 5, mark + 5).map((p) => (p[2] << 8) | p[3]);
  t.ok(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1] + 1) & 0xffff)), `egress sequence continuous (${seqs})`);
});

type Hostile = 'endless-line' | 'endless-headers' | 'huge-body' | 'garbage';

/** An "RTSP server" that answers every connection with `mode`, writing up to 8 MB per connection. */
async function hostileServer(mode: Hostile): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.once('data', () => {
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, mode === 'garbage' ? 0x24 : 0x41);
      const head = mode === 'endless-headers' ? 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n' : mode === 'huge-body' ? 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: 2147483648\r\n\r\n'
        : mode === 'endless-line' ? 'RTSP/1.0 200 OK\r\nX-Endless: ' : '';
      s.write(head);
      const pump = () => {
        while (sent < 8 * 1024 * 1024 && !s.destroyed) {
          const body = mode === 'endless-headers' ? Buffer.from('X-Header: value\r\n'.repeat(3000)) : chunk;
          sent += body.length;
          if (!s.write(body)) return void s.once('drain', pump);
        }
      };
      pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `rtsp://127.0.0.1:${(server.address() as AddressInfo).port}/hostile`,
    connections: () => connections,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

for (const mode of ['endless-line', 'endless-headers', 'huge-body', 'garbage'] as const) {
  t.test(`hostile RTSP server (${mode}): typed error, bounded memory, reconnect with backoff; the healthy viewer plays on`, async (t) => {
    const healthy = await startDemoCamera({ host: '127.0.0.1', port: 0 });
    t.teardown(() => healthy.close());
    const hostile = await hostileServer(mode);
    t.teardown(() => hostile.close());
    const { gw, transport } = await gatewayWith({
      good: { url: healthy.url, transport: 'tcp', onDemand: false },
      // the configured bound, not the parser's default, is what stops the body
      bad: { url: hostile.url, transport: 'tcp', onDemand: false, rtsp: { ...FAST_RECOVERY, parserLimits: { maxBodyBytes: 1 << 20 } } },
    });
    t.teardown(() => gw.close());
    const peer = await viewerOf(t, gw, transport, 'good');
    t.ok(await until(() => peer.rtp.length > 20), 'the healthy viewer plays');
    const heap0 = process.memoryUsage().heapUsed;
    const mark = peer.rtp.length;
    t.ok(await until(() => hostile.connections() >= 3, 20000), `camwire reconnected to the hostile server (${hostile.connections()} connections)`);
    const bad = gw.gateway.stream('bad')!.stats();
    t.comment(`hostile stream: ${JSON.stringify(bad.source)}`);
    t.ok(Number(bad.source.errors) >= 2, 'each attempt ended in a counted error');
    t.match(String(bad.source.lastError), /^RTSP_|^[A-Z_]+:/, `typed error: ${bad.source.lastError}`);
    t.not(bad.sourceState, 'playing');
    if (mode === 'huge-body') t.match(String(bad.source.lastError), /1048576-byte limit/, 'the stream\'s parserLimits applied');
    const grown = process.memoryUsage().heapUsed - heap0;
    t.ok(grown < 64 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MB while 8 MB per connection was thrown at camwire`);
    t.ok(await until(() => peer.rtp.length > mark + 20), 'the healthy viewer kept receiving');
  });
}
