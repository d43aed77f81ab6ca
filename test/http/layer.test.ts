import t from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

class IdleSource implements VideoSource {
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

async function withGateway(fn: (gw: GatewayHandle) => Promise<void>): Promise<void> {
  const gw = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0 },
      streams: {
        cam: { renditions: [{ name: '720p', url: 'rtsp://u:secret@cam.invalid/main' }, { name: '360p', url: 'rtsp://cam.invalid/sub' }] },
        plain: { url: 'rtsp://cam.invalid/plain' },
      },
    },
    { transport: new FakeTransport(), deps: createDeps(), sourceFactory: () => new IdleSource() },
  );
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}

const offer = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
const LAYER_LINK = /<([^>]+)>; rel="urn:ietf:params:whep:ext:core:layer"/;

t.test('WHEP layer extension: the answer links the layer URL; POST pins a rendition, {} or DELETE returns to Auto', (t) =>
  withGateway(async (gw) => {
    const r = await offer(gw.address + '/whep/cam');
    t.equal(r.status, 201);
    const link = (r.headers.get('link') ?? '').match(LAYER_LINK);
    t.ok(link, 'Link rel=urn:ietf:params:whep:ext:core:layer');
    const layer = gw.address + link![1];
    t.equal(link![1], r.headers.get('location') + '/layer');
    const post = (body: string) => fetch(layer, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const viewer = () => gw.gateway.stream('cam')!.viewerInfo()[0].rendition!;
    t.equal((await post('{"mediaId":"0","encodingId":"360p"}')).status, 200);
    t.equal(viewer().mode, '360p', 'pinned');
    t.equal((await post('{}')).status, 200);
    t.equal(viewer().mode, 'auto', '{} is Auto again');
    t.equal((await post('{"encodingId":"360p"}')).status, 200);
    t.equal((await fetch(layer, { method: 'DELETE' })).status, 200);
    t.equal(viewer().mode, 'auto', 'DELETE is Auto again (the reference client\'s unselectLayer)');
    const bad = await post('{"encodingId":"4k"}');
    t.equal(bad.status, 400);
    t.match(await bad.text(), /LAYER_UNKNOWN: no rendition "4k" \(have 720p, 360p\)/);
    t.equal((await post('not json')).status, 400);
    t.equal((await post('[1]')).status, 400);
    t.equal((await post('{"encodingId":3}')).status, 400);
    t.equal((await fetch(layer, { method: 'PUT' })).status, 405);
    t.equal((await fetch(gw.address + '/whep/cam/nobody/layer', { method: 'DELETE' })).status, 404, 'unknown session');

    const plain = await offer(gw.address + '/whep/plain');
    t.notMatch(plain.headers.get('link') ?? '', LAYER_LINK, 'no layer link for a stream without renditions');
    t.equal((await fetch(gw.address + plain.headers.get('location') + '/layer', { method: 'DELETE' })).status, 404);
  }));

t.test('/api/streams and /metrics show each rendition, without credentials', (t) =>
  withGateway(async (gw) => {
    await offer(gw.address + '/whep/cam');
    const api = await (await fetch(gw.address + '/api/streams')).json() as { streams: { name: string; url: string; renditions?: { name: string; url: string }[]; viewers: { rendition?: { current: string } }[] }[] };
    const cam = api.streams.find((s) => s.name === 'cam')!;
    t.same(cam.renditions!.map((r) => [r.name, r.url]), [['720p', 'rtsp://cam.invalid/main'], ['360p', 'rtsp://cam.invalid/sub']]);
    t.equal(cam.url, 'rtsp://cam.invalid/main', 'the stream\'s url is its first rendition\'s');
    t.equal(cam.viewers[0].rendition!.current, '720p');
    t.equal(api.streams.find((s) => s.name === 'plain')!.renditions, undefined);
    const metrics = await (await fetch(gw.address + '/metrics')).text();
    t.match(metrics, /camwire_rendition_bitrate_bps\{stream="cam",rendition="360p"\} 0/);
    t.match(metrics, /camwire_rendition_viewers\{stream="cam",rendition="720p"\} 1/);
    t.match(metrics, /camwire_viewer_rendition_switches\{stream="cam"\} 0/);
    t.notMatch(metrics + JSON.stringify(api), /secret/);
  }));
