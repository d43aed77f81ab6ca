import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WhepEvents, WHEP_EVENTS_DEFAULTS } from '../../lib/http/whep-events.js';
import type { HttpError } from '../../lib/http/body.js';
import type { Stream } from '../../lib/gateway/stream.js';
import type { SourceState } from '../../lib/gateway/source.js';
import { FakeTimers } from '../support/fake-clock.js';
import { openEvents } from '../support/sse-reader.js';

/** Just what the event streams read of a Stream. */
function fakeStream() {
  const s = {
    name: 'cam',
    renditionNames: undefined as string[] | undefined,
    sourceState: 'starting' as SourceState,
    viewerCount: 1,
    viewer: true,
    getViewer: (id: string) => (s.viewer && id === 'v1' ? { peer: { answerSdp: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n' } } : undefined),
    stats: () => ({ renditions: [] }),
  };
  return s;
}

async function serve(t: Test, events: WhepEvents): Promise<string> {
  const server: Server = createServer((req, res) => {
    const parts = new URL(req.url!, 'http://x').pathname.split('/').filter(Boolean);
    events.handle(parts, req.method!, req, res).catch((e: HttpError) => {
      res.writeHead(e.status);
      res.end(e.code);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const create = (base: string, body = '[]') => fetch(`${base}/whep/cam/v1/sse`, { method: 'POST', body });

t.test('maxPerStream: one event stream beyond it is refused 503 EVENTS_LIMIT, and counted', async (t) => {
  const stream = fakeStream();
  const events = new WhepEvents(new FakeTimers(), () => stream as unknown as Stream, { maxPerStream: 2 });
  const base = await serve(t, events);
  t.equal((await create(base)).status, 201);
  t.equal((await create(base)).status, 201);
  const refused = await create(base);
  t.equal(refused.status, 503);
  t.equal(await refused.text(), 'EVENTS_LIMIT');
  t.match(events.stats(), { open: 2, created: 2, refused: 1 });
  events.endSession('cam', 'v1');
  t.equal(events.stats().open, 0, 'the session\'s end frees them');
});

t.test('no initial inactive; active and inactive follow the source on the ticks; keep-alive; a vanished viewer ends it', async (t) => {
  const stream = fakeStream();
  const clock = new FakeTimers();
  const events = new WhepEvents(clock, () => stream as unknown as Stream, { tickMs: 1000, keepAliveMs: 3000 });
  const base = await serve(t, events);
  const created = await create(base, '["active","inactive"]');
  const reader = await openEvents(base + created.headers.get('location'));
  await clock.advance(1000);
  t.same(reader.events, [], 'nothing plays yet: no inactive');
  stream.sourceState = 'playing';
  await clock.advance(1000);
  t.same(await reader.until(1), [{ event: 'active', data: {} }]);
  stream.sourceState = 'reconnecting';
  await clock.advance(1000);
  t.same((await reader.until(2))[1], { event: 'inactive', data: {} });
  stream.viewer = false;
  await clock.advance(1000);
  await reader.ended;
  t.equal(events.stats().open, 0, 'closed on the tick after the session went');
  t.equal(clock.pendingCount, 0, 'no timer left without event streams');
});

t.test('a reconnect replaces the older connection and gets the current state again', async (t) => {
  const stream = fakeStream();
  stream.sourceState = 'playing';
  const events = new WhepEvents(new FakeTimers(), () => stream as unknown as Stream);
  const base = await serve(t, events);
  const url = base + (await create(base, '["active"]')).headers.get('location');
  const first = await openEvents(url);
  t.same(await first.until(1), [{ event: 'active', data: {} }]);
  const second = await openEvents(url);
  await first.ended;
  t.same(await second.until(1), [{ event: 'active', data: {} }]);
  second.close();
});

t.test('a slow reader is closed once more than maxBufferedBytes are unsent, and counted', async (t) => {
  const stream = fakeStream();
  stream.sourceState = 'playing';
  const clock = new FakeTimers();
  const events = new WhepEvents(clock, () => stream as unknown as Stream, { maxBufferedBytes: 100 });
  const base = await serve(t, events);
  const location = (await create(base, '["viewercount"]')).headers.get('location')!;
  // A response whose bytes never leave: what a reader that stopped reading looks like to the server.
  let ended = false;
  const res = {
    writableLength: 0,
    writeHead() {},
    write(s: string) {
      this.writableLength += s.length;
    },
    end() {
      ended = true;
    },
    on() {},
  };
  const req = { resume() {} };
  await events.handle(location.split('/').filter(Boolean), 'GET', req as never, res as never);
  t.equal(ended, false, 'the first event fits');
  for (let n = 2; n < 10 && !ended; n++) {
    stream.viewerCount = n;
    await clock.advance(WHEP_EVENTS_DEFAULTS.tickMs);
  }
  t.equal(ended, true, 'closed when the unsent bytes passed the bound');
  t.match(events.stats(), { open: 0, slowReadersClosed: 1 });
});

t.test('layers: a rendition whose camera is down is inactive and not selectable; resent when that changes or after layersEveryMs', async (t) => {
  const stream = fakeStream();
  stream.sourceState = 'playing';
  stream.renditionNames = ['720p', '360p'];
  let subState: SourceState = 'reconnecting';
  let mainBps = 600_000;
  stream.stats = (() => ({ renditions: [
    { name: '720p', sourceState: 'playing', bitrateBps: mainBps, width: 1280, height: 720 },
    { name: '360p', sourceState: subState, bitrateBps: 0, width: 640, height: 360 },
  ] })) as never;
  const clock = new FakeTimers();
  const events = new WhepEvents(clock, () => stream as unknown as Stream, { tickMs: 1000, layersEveryMs: 5000 });
  const base = await serve(t, events);
  const reader = await openEvents(base + (await create(base, '["layers"]')).headers.get('location'));
  t.same((await reader.until(1))[0], { event: 'layers', data: { 0: {
    active: [{ id: '720p', simulcastIdx: 1, bitrate: 600_000, width: 1280, height: 720 }],
    inactive: [{ id: '360p', simulcastIdx: 0, width: 640, height: 360 }],
    layers: [{ encodingId: '720p', simulcastIdx: 1, spatialLayerId: 0, temporalLayerId: 0, bitrate: 600_000, width: 1280, height: 720 }],
  } } });
  mainBps = 610_000;
  await clock.advance(1000);
  t.equal(reader.events.length, 1, 'a bitrate that moved is not news before layersEveryMs');
  subState = 'playing';
  await clock.advance(1000);
  const second = (await reader.until(2))[1].data as Record<string, { active: unknown[]; layers: { encodingId: string }[] }>;
  t.same(second[0].layers.map((l) => l.encodingId), ['720p', '360p'], 'the sub stream came back: sent on the next tick');
  await clock.advance(5000);
  t.equal((await reader.until(3)).length, 3, 'and again once layersEveryMs passed');
  reader.close();
});
