/**
 * GET /ws/<stream> on a running gateway: a good upgrade gets 101, the init segment and live
 * fragments, pong for ping, its close echoed, and counts as a websocket viewer in /api/streams
 * and /metrics while it lasts. Bad upgrades are answered with a 4xx and never reach the stream:
 * not WebSocket, a wrong version or key, a body, oversized headers, unknown paths and streams,
 * no credentials, a source outside the allow-list.
 */
import t from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { FakeTransport } from '../support/fake-transport.js';
import { PPS, SPS } from '../support/h264-synthetic.js';
import { find, readBoxes, readFragment } from '../support/mp4-boxes.js';
import { GOOD_UPGRADE, rawUpgrade, WsOpcode } from '../support/ws-client.js';
import { createLogger, type Logger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';

/** A camera of synthetic 30 fps units, IDR every 15, SPS/PPS in-band. */
class TickingSource implements VideoSource {
  private timer: NodeJS.Timeout | undefined;
  private n = 0;
  constructor(readonly url: string) {}
  start(sink: SourceSink): void {
    sink.onState('playing');
    this.timer = setInterval(() => {
      const key = this.n % 15 === 0;
      const slice = new Uint8Array(key ? 3000 : 400).fill(0x11);
      slice[0] = key ? 0x65 : 0x41;
      slice[1] = 0x88;
      sink.onAccessUnit({ nalus: key ? [SPS, PPS, slice] : [slice], timestamp: (this.n++ * 3000) >>> 0, keyframe: key });
    }, 33);
  }
  stop(): void {
    clearInterval(this.timer);
  }
  requestKeyframe(): void {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
}

async function withGateway(http: Record<string, unknown>, fn: (gw: GatewayHandle) => Promise<void>, stream: Record<string, unknown> = {}, log?: Logger): Promise<void> {
  const gw = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0, ...http },
      streams: { demo: { url: 'rtsp://cam.invalid/stream1', ...stream } },
      allowSources: ['rtsp://allowed.invalid/*'],
      maxSourceStreams: 2,
    },
    { transport: new FakeTransport(), deps: createDeps(), log, sourceFactory: (_name, cfg) => new TickingSource(cfg.url) },
  );
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

const streamsJson = async (gw: GatewayHandle) => (await (await fetch(gw.address + '/api/streams')).json()) as {
  streams: { name: string; viewersByPath: { webrtc: number; websocket: number }; websocketViewers: { fragmentsSent: number }[] }[];
};

t.test('a good upgrade: 101, init segment, fragments, ping answered, close echoed; counted per path while it lasts', (t) =>
  withGateway({}, async (gw) => {
    const ws = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    t.equal(ws.status, 101);
    t.match(ws.head, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i, 'the RFC 6455 example key answered');
    await ws.frameCount(5);
    t.ok(ws.frames.slice(0, 5).every((f) => f.opcode === WsOpcode.Binary));
    t.ok(find(readBoxes(ws.frames[0].payload), 'moov'), 'the init segment first');
    const first = readFragment(ws.frames[1].payload);
    t.equal(first.baseDecodeTime, 0, 'fragments start at decode time 0');
    t.ok(first.samples[0].flags >>> 0 === 0x0200_0000, 'the first fragment is a keyframe (sync sample)');
    t.ok(readFragment(ws.frames[2].payload).baseDecodeTime > 0);

    ws.send(WsOpcode.Text, new TextEncoder().encode('ignored'));
    ws.send(WsOpcode.Binary, new Uint8Array(100));
    ws.send(WsOpcode.Ping, Uint8Array.of(7, 7));
    await new Promise((r) => setTimeout(r, 200));
    const pong = ws.frames.find((f) => f.opcode === WsOpcode.Pong);
    t.same(pong && [...pong.payload], [7, 7], 'ping answered with its payload');

    const during = await streamsJson(gw);
    t.same(during.streams[0].viewersByPath, { webrtc: 0, websocket: 1 });
    t.equal(during.streams[0].websocketViewers.length, 1);
    const metrics = await (await fetch(gw.address + '/metrics')).text();
    t.match(metrics, /camwire_stream_viewers_by_path\{stream="demo",path="websocket"\} 1/);
    t.match(metrics, /camwire_stream_viewers_by_path\{stream="demo",path="webrtc"\} 0/);

    ws.send(WsOpcode.Close, Uint8Array.of(0x03, 0xe8));
    await ws.closed;
    for (let i = 0; i < 50 && (await streamsJson(gw)).streams[0].viewersByPath.websocket > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const close = ws.frames.find((f) => f.opcode === WsOpcode.Close);
    t.same(close && [...close.payload], [0x03, 0xe8], 'the close echoed');
    const after = await streamsJson(gw);
    t.same(after.streams[0].viewersByPath, { webrtc: 0, websocket: 0 }, 'gone from the counts when it closed');
  }));

t.test('a WebSocket viewer\'s join and leave are logged with path "websocket" and the reason', async (t) => {
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l), { format: 'json' });
  let closing: Awaited<ReturnType<typeof rawUpgrade>> | undefined;
  await withGateway({}, async (gw) => {
    const ws = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    await ws.frameCount(2);
    ws.send(WsOpcode.Close, Uint8Array.of(0x03, 0xe8));
    await ws.closed;
    closing = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    await closing.frameCount(2);
    for (let i = 0; i < 50 && lines.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  }, {}, log);
  await closing!.closed;
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => String(e.event).startsWith('viewer.'));
  t.match(events, [
    { event: 'viewer.join', stream: 'demo', viewer: 'demo-ws-1', address: '127.0.0.1', path: 'websocket', viewers: 1 },
    { event: 'viewer.leave', stream: 'demo', viewer: 'demo-ws-1', path: 'websocket', reason: 'peer-closed', viewers: 0 },
    { event: 'viewer.join', viewer: 'demo-ws-2', path: 'websocket' },
    { event: 'viewer.leave', viewer: 'demo-ws-2', path: 'websocket', reason: 'stream-closed' },
  ], 'one line each, like a WebRTC viewer\'s');
  t.equal(events.length, 4, 'and no more');
});

t.test('the gateway closing ends its WebSocket viewers', async (t) => {
  let ws: Awaited<ReturnType<typeof rawUpgrade>> | undefined;
  await withGateway({}, async (gw) => {
    ws = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    await ws.frameCount(2);
  });
  await ws!.closed;
  t.ok(ws!.frames.some((f) => f.opcode === WsOpcode.Close), 'a close frame went out');
});

t.test('bad upgrades are refused with a 4xx', (t) =>
  withGateway({ token: 's3cret', maxHeaderBytes: 8192 }, async (gw) => {
    const auth = { authorization: 'Bearer s3cret' };
    const cases: [string, string, Record<string, string>, number, string?, string?][] = [
      ['no credentials', '/ws/demo', GOOD_UPGRADE, 401],
      ['a wrong token', '/ws/demo?token=nope', GOOD_UPGRADE, 401],
      ['not a WebSocket upgrade', '/ws/demo', { ...auth, ...GOOD_UPGRADE, upgrade: 'h2c' }, 400],
      ['no Connection: Upgrade (a plain GET)', '/ws/demo', { ...auth, ...GOOD_UPGRADE, connection: 'close' }, 426],
      ['version 8', '/ws/demo', { ...auth, ...GOOD_UPGRADE, 'sec-websocket-version': '8' }, 426],
      ['a short key', '/ws/demo', { ...auth, ...GOOD_UPGRADE, 'sec-websocket-key': 'c2hvcnQ=' }, 400],
      ['an unknown stream', '/ws/nope', { ...auth, ...GOOD_UPGRADE }, 404],
      ['another path', '/whep/demo', { ...auth, ...GOOD_UPGRADE }, 404],
      ['a deeper path', '/ws/demo/x', { ...auth, ...GOOD_UPGRADE }, 404],
      ['a source outside the allow-list', '/ws?src=' + encodeURIComponent('rtsp://evil.invalid/x'), { ...auth, ...GOOD_UPGRADE }, 403],
      ['a body', '/ws/demo', { ...auth, ...GOOD_UPGRADE, 'content-length': '5' }, 413, 'GET', 'hello'],
      ['POST', '/ws/demo', { ...auth, ...GOOD_UPGRADE }, 405, 'POST'],
      ['oversized headers', '/ws/demo', { ...auth, ...GOOD_UPGRADE, 'x-pad': 'a'.repeat(9000) }, 431],
    ];
    for (const [what, path, headers, status, method, extra] of cases) {
      const r = await rawUpgrade(gw.address, path, headers, method ?? 'GET', extra ?? '');
      t.equal(r.status, status, what);
      await r.closed;
      t.equal(r.frames.length, 0, `${what}: no frame`);
    }
    const version = await rawUpgrade(gw.address, '/ws/demo', { ...auth, ...GOOD_UPGRADE, 'sec-websocket-version': '8' });
    t.match(version.head, /sec-websocket-version: 13/i, '426 names the version spoken');
    const ok = await rawUpgrade(gw.address, '/ws/demo?token=s3cret', GOOD_UPGRADE);
    t.equal(ok.status, 101, 'the token as a query parameter, as the player page sends it');
    ok.socket.destroy();
  }));

t.test('WebSocket viewers count against the stream\'s maxViewers and free their place when they go', (t) =>
  withGateway({}, async (gw) => {
    const first = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    t.equal(first.status, 101);
    const second = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    t.equal(second.status, 503, 'the second is refused');
    t.match(second.head, /x-camwire-error: PEER_LIMIT/);
    first.socket.destroy();
    let again = 0;
    for (let i = 0; i < 50 && again !== 101; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const r = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
      again = r.status;
      r.socket.destroy();
    }
    t.equal(again, 101, 'its place is free once it closed');
  }, { maxViewers: 1 }));

t.test('an upgraded connection outlives the HTTP request, header and keep-alive timeouts', (t) =>
  withGateway({ requestTimeoutMs: 300, headersTimeoutMs: 300, keepAliveTimeoutMs: 300 }, async (gw) => {
    const ws = await rawUpgrade(gw.address, '/ws/demo', GOOD_UPGRADE);
    t.equal(ws.status, 101);
    await new Promise((r) => setTimeout(r, 2500));
    const before = ws.frames.length;
    await ws.frameCount(before + 5);
    t.notOk(ws.socket.destroyed, 'still open after 8x every timeout (the server checks once a second)');
    t.ok(ws.frames.every((f) => f.opcode === WsOpcode.Binary), 'nothing but media');
    ws.socket.destroy();
  }));
