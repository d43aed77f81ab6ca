/**
 * The embedder's path, as the README shows it: camwire's demo camera and a gateway in one
 * program, a WHEP offer answered through the real node-datachannel transport, the camera
 * pulled on demand, counters in /api/streams and /metrics, and a clean shutdown.
 */
import t from 'tap';
import { startGateway } from '../../lib/app/index.js';
import { parseConfig } from '../../lib/gateway/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('embedding: demo camera + gateway + WHEP + API in one process', async (t) => {
  // --- README example starts ---
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const gateway = await startGateway(
    parseConfig({
      http: { host: '127.0.0.1', port: 0 },
      streams: { demo: { url: camera.url, transport: 'tcp' } },
      webrtc: { bindAddress: '127.0.0.1' },
    }),
  );
  // Browsers POST their offer to `${gateway.address}/whep/demo`; the player is at gateway.address.
  // --- README example ends ---
  try {
    const r = await fetch(`${gateway.address}/whep/demo`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
    t.equal(r.status, 201, 'offer answered');
    const answer = await r.text();
    t.match(answer, /a=fmtp:108 .*packetization-mode=1/, 'H.264 format from the offer');
    t.match(answer, /a=candidate:/, 'non-trickle: candidates in the answer');
    let api: any;
    for (let i = 0; i < 50; i++) {
      api = await (await fetch(`${gateway.address}/api/streams`)).json();
      if (api.streams[0].accessUnits > 10) break;
      await sleep(100);
    }
    t.equal(api.streams[0].sourceState, 'playing', 'the camera was pulled on demand');
    t.ok(api.streams[0].accessUnits > 10, `access units from the camera (${api.streams[0].accessUnits})`);
    t.equal(api.streams[0].source.transport, 'tcp');
    const metrics = await (await fetch(`${gateway.address}/metrics`)).text();
    t.match(metrics, /camwire_stream_access_units_total\{stream="demo"\} [1-9]/);
    t.equal((await fetch(gateway.address + r.headers.get('location'), { method: 'DELETE' })).status, 200);
  } finally {
    await gateway.close();
    await camera.close();
  }
});
