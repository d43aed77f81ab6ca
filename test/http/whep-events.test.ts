import t from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import { sseEvent, wanted, EVENTS_REL } from '../../lib/http/whep-events.js';
import { openEvents } from '../support/sse-reader.js';

class PlayingSource implements VideoSource {
  start(sink: SourceSink) {
    sink.onState('playing');
  }
  stop() {}
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
}

async function withGateway(fn: (gw: GatewayHandle) => Promise<void>, token?: string): Promise<void> {
  const gw = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0, token },
      streams: {
        cam: { renditions: [{ name: '720p', url: 'rtsp://cam.invalid/main' }, { name: '360p', url: 'rtsp://cam.invalid/sub' }] },
        plain: { url: 'rtsp://cam.invalid/plain' },
      },
    },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: () => new PlayingSource() },
  );
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

const offer = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
const EVENTS_LINK = /<([^>]+)>; rel="urn:ietf:params:whep:ext:core:server-sent-events"; events="([^"]+)"/;

t.test('framing: event line, one data line of JSON, blank line', async (t) => {
  t.equal(sseEvent('viewercount', { viewercount: 3 }), 'event: viewercount\ndata: {"viewercount":3}\n\n');
  t.equal(sseEvent('layers', { 0: [{ rid: 'a\nb' }] }), 'event: layers\ndata: {"0":[{"rid":"a\\nb"}]}\n\n', 'a newline in a value stays escaped on the one line');
  t.equal(EVENTS_REL, 'urn:ietf:params:whep:ext:core:server-sent-events');
});

t.test('the POSTed event list: kept to what is offered; empty asks for all; not an array of strings is 400', async (t) => {
  const all = ['layers', 'active', 'inactive', 'viewercount'] as const;
  t.same([...wanted('["active","inactive","layers","reconnect","viewercount"]', all)], ['layers', 'active', 'inactive', 'viewercount'], 'reconnect is not offered');
  t.same([...wanted('["viewercount"]', all)], ['viewercount']);
  t.same([...wanted('', all)], [...all]);
  t.same([...wanted('["layers"]', ['active'])], []);
  for (const bad of ['{}', '[1]', 'nope', '"layers"']) t.throws(() => wanted(bad, all), { code: 'BAD_JSON' }, bad);
});

t.test('WHEP answer links the event URL; POST gives a Location; GET streams active, viewercount and layers', (t) =>
  withGateway(async (gw) => {
    const r = await offer(gw.address + '/whep/cam');
    t.equal(r.status, 201);
    const link = (r.headers.get('link') ?? '').match(EVENTS_LINK);
    t.ok(link, 'Link rel=urn:ietf:params:whep:ext:core:server-sent-events');
    t.equal(link![1], r.headers.get('location') + '/sse');
    t.equal(link![2], 'layers,active,inactive,viewercount');
    const created = await fetch(gw.address + link![1], { method: 'POST', headers: { 'content-type': 'application/json' }, body: '["active","inactive","layers","viewercount"]' });
    t.equal(created.status, 201);
    const location = created.headers.get('location')!;
    t.match(location, new RegExp(`^${link![1]}/[0-9a-f-]{36}$`));
    const reader = await openEvents(gw.address + location);
    t.equal(reader.status, 200);
    const events = await reader.until(3);
    reader.close();
    t.same(events.slice(0, 2), [{ event: 'active', data: {} }, { event: 'viewercount', data: { viewercount: 1 } }]);
    t.same(events[2], { event: 'layers', data: { 0: {
      active: [
        { id: '720p', simulcastIdx: 1, bitrate: 0, width: 0, height: 0 },
        { id: '360p', simulcastIdx: 0, bitrate: 0, width: 0, height: 0 },
      ],
      inactive: [],
      layers: [
        { encodingId: '720p', simulcastIdx: 1, spatialLayerId: 0, temporalLayerId: 0, bitrate: 0, width: 0, height: 0 },
        { encodingId: '360p', simulcastIdx: 0, spatialLayerId: 0, temporalLayerId: 0, bitrate: 0, width: 0, height: 0 },
      ],
    } } }, 'the draft\'s shape under the video m-line: both renditions play (nothing measured from a source that sends nothing)');

    const plain = await offer(gw.address + '/whep/plain');
    t.equal((plain.headers.get('link') ?? '').match(EVENTS_LINK)![2], 'active,inactive,viewercount', 'no layers without renditions');
  }));

t.test('a second viewer is counted on the next tick; the session DELETE ends the event stream and its URL', (t) =>
  withGateway(async (gw) => {
    const r = await offer(gw.address + '/whep/cam');
    const session = gw.address + r.headers.get('location');
    const created = await fetch(session + '/sse', { method: 'POST', body: '["viewercount"]' });
    const url = gw.address + created.headers.get('location');
    const reader = await openEvents(url);
    await reader.until(1);
    await offer(gw.address + '/whep/cam');
    const events = await reader.until(2);
    t.same(events, [{ event: 'viewercount', data: { viewercount: 1 } }, { event: 'viewercount', data: { viewercount: 2 } }], 'only the asked-for type');
    t.equal((await fetch(session, { method: 'DELETE' })).status, 200);
    await reader.ended;
    t.equal(reader.events.length, 2, 'the stream ended with the session');
    t.equal((await fetch(url)).status, 404, 'and its URL is gone');
  }));

t.test('refusals: unknown session 404, bad list 400, wrong method 405, DELETE of the event stream', (t) =>
  withGateway(async (gw) => {
    t.equal((await fetch(gw.address + '/whep/cam/nobody/sse', { method: 'POST', body: '[]' })).status, 404);
    const r = await offer(gw.address + '/whep/cam');
    const session = gw.address + r.headers.get('location');
    t.equal((await fetch(session + '/sse', { method: 'POST', body: '{"x":1}' })).status, 400);
    t.equal((await fetch(session + '/sse/not-an-id')).status, 404);
    const created = await fetch(session + '/sse', { method: 'POST', body: '' });
    t.same(await created.json(), ['layers', 'active', 'inactive', 'viewercount'], 'an empty body asks for all');
    const url = gw.address + created.headers.get('location');
    t.equal((await fetch(url, { method: 'PUT' })).status, 405);
    t.equal((await fetch(url, { method: 'DELETE' })).status, 200);
    t.equal((await fetch(url)).status, 404, 'deleted');
  }));

t.test('with http.token: the POST needs it, the event stream GET (an EventSource sends no header) is opened by its id', (t) =>
  withGateway(async (gw) => {
    const auth = { authorization: 'Bearer s3cret' };
    const r = await fetch(gw.address + '/whep/cam', { method: 'POST', headers: { 'content-type': 'application/sdp', ...auth }, body: CHROMIUM_OFFER });
    t.equal(r.status, 201);
    const session = gw.address + r.headers.get('location');
    t.equal((await fetch(session + '/sse', { method: 'POST', body: '["viewercount"]' })).status, 401, 'no token, no event stream');
    const created = await fetch(session + '/sse', { method: 'POST', headers: auth, body: '["viewercount"]' });
    t.equal(created.status, 201);
    const reader = await openEvents(gw.address + created.headers.get('location'));
    t.equal(reader.status, 200);
    t.same(await reader.until(1), [{ event: 'viewercount', data: { viewercount: 1 } }]);
    reader.close();
    t.equal((await fetch(session + '/sse/' + '0'.repeat(36))).status, 404, 'a made-up id is not an event stream');
    t.equal((await fetch(session + '/sse')).status, 401, 'anything else there still needs the token');
  }, 's3cret'));
