/**
 * Real cameras end to end: GStreamer's RTSP server (over UDP and over TCP) and camwire's own
 * demo camera, pulled by the gateway's RTSP source and watched in headless Chromium. Four
 * viewers share one RTSP session; killing and restarting the camera keeps viewers connected.
 */
import t, { type Test } from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import { missingTool } from '../../test/support/env.js';
import { launchChromium, startViewer, viewerStats, VIEWER_SCRIPT, type Chromium } from '../../test/support/chromium.js';
import { missingGstRtspServer, startGstServer, type GstServer } from '../support/gst-server.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function skip(t: { comment(s: string): void }, gst: boolean): boolean {
  const why = missingTool('chromium', '--version') || (gst && missingGstRtspServer());
  if (why) t.comment('skip: ' + why);
  return Boolean(why);
}

type Forwarding = 'frame' | 'packet';

async function gatewayFor(url: string, transport: 'udp' | 'tcp' | 'auto', forwarding: Forwarding = 'frame'): Promise<GatewayHandle> {
  return startGateway({
    http: { host: '127.0.0.1', port: 0 },
    streams: { cam: { url, transport, forwarding } },
    webrtc: { bindAddress: '127.0.0.1' },
  });
}

async function watch(gw: GatewayHandle, viewers: number, ms: number) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(gw.address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    const ids = await Promise.all(Array.from({ length: viewers }, () => startViewer(page, gw.address + '/whep/cam')));
    await sleep(ms);
    return await Promise.all(ids.map((i) => viewerStats(page, i)));
  } finally {
    await browser.close();
  }
}

/** In packet forwarding every camera packet went through the cut-through path (GStreamer's 1400-byte ones re-cut to 1200). */
function checkPacketForwarding(t: Test, gw: GatewayHandle, forwarding: Forwarding, splits: boolean): void {
  if (forwarding !== 'packet') return;
  const s = gw.gateway.stream('cam')!.stats();
  t.comment(`packet forwarding: ${JSON.stringify(s.cutThrough)}`);
  t.ok(s.cutThrough.packetsIn > 100, 'camera packets forwarded one by one');
  if (splits) t.ok(s.cutThrough.split > 0, 'packets larger than the egress MTU re-cut');
  t.equal(s.cutThrough.dropped, 0, 'nothing dropped');
}

for (const [transport, forwarding] of [['udp', 'frame'], ['tcp', 'frame'], ['udp', 'packet'], ['tcp', 'packet']] as const) {
  t.test(`GStreamer RTSP server over ${transport}, ${forwarding} forwarding: Chromium decodes at the camera's resolution`, async (t) => {
    if (skip(t, true)) return;
    const cam = await startGstServer({ protocols: transport });
    const gw = await gatewayFor(cam.url(), transport, forwarding);
    try {
      const [s] = await watch(gw, 1, 4000);
      t.comment(JSON.stringify(s));
      t.ok(s.framesDecoded > 30, `frames decoded (${s.framesDecoded})`);
      t.equal(s.frameWidth, 640);
      t.equal(s.frameHeight, 360);
      t.equal(s.freezeCount, 0);
      const src = gw.gateway.stream('cam')!.stats().source;
      t.equal(src.transport, transport, `camera leg on ${transport}`);
      checkPacketForwarding(t, gw, forwarding, true);
    } finally {
      await gw.close();
      await cam.stop();
    }
  });
}

for (const forwarding of ['frame', 'packet'] as const) {
  t.test(`four viewers, one RTSP session (${forwarding} forwarding)`, async (t) => {
    if (skip(t, true)) return;
    const cam = await startGstServer();
    const gw = await gatewayFor(cam.url(), 'auto', forwarding);
    try {
      const stats = await watch(gw, 4, 4000);
      t.ok(stats.every((s) => s.framesDecoded > 30), `every viewer decodes (${stats.map((s) => s.framesDecoded).join(', ')})`);
      t.ok(stats.every((s) => s.freezeCount === 0), 'no freezes');
      t.equal(gw.gateway.stream('cam')!.stats().source.sessions, 1, 'one RTSP session');
      checkPacketForwarding(t, gw, forwarding, true);
    } finally {
      await gw.close();
      await cam.stop();
    }
  });

  t.test(`camwire's own demo camera through the gateway (${forwarding} forwarding)`, async (t) => {
    if (skip(t, false)) return;
    const cam = await startDemoCamera({ host: '127.0.0.1', port: 0 });
    const gw = await gatewayFor(cam.url, 'auto', forwarding);
    try {
      const [s] = await watch(gw, 1, 4000);
      t.comment(JSON.stringify(s));
      t.ok(s.framesDecoded > 30, `frames decoded (${s.framesDecoded})`);
      t.equal(s.frameWidth, 1280);
      t.equal(s.frameHeight, 720);
      checkPacketForwarding(t, gw, forwarding, false);
    } finally {
      await gw.close();
      await cam.close();
    }
  });
}

for (const forwarding of ['frame', 'packet'] as const) {
  t.test(`killing and restarting the camera (${forwarding} forwarding): the viewer stays connected and resumes on the next keyframe`, async (t) => {
    if (skip(t, true)) return;
    let cam: GstServer = await startGstServer({ protocols: 'udp' });
    const port = cam.port;
    const gw = await startGateway({
      http: { host: '127.0.0.1', port: 0 },
      streams: { cam: { url: cam.url(), transport: 'udp', forwarding, rtsp: { reconnect: { initialDelayMs: 500, maxDelayMs: 1000 } } } },
      webrtc: { bindAddress: '127.0.0.1' },
    });
    const browser: Chromium = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(gw.address + '/api/streams');
      await page.evaluate(VIEWER_SCRIPT);
      const i = await startViewer(page, gw.address + '/whep/cam');
      await sleep(3000);
      const before = await viewerStats(page, i);
      await cam.stop();
      await sleep(1000);
      cam = await startGstServer({ protocols: 'udp', port });
      let after = await viewerStats(page, i);
      for (let k = 0; k < 100 && after.framesDecoded < before.framesDecoded + 30; k++) {
        await sleep(100);
        after = await viewerStats(page, i);
      }
      const stream = gw.gateway.stream('cam')!;
      t.comment(`frames ${before.framesDecoded} before the kill, ${after.framesDecoded} after the restart; source ${JSON.stringify(stream.stats().source)}`);
      t.ok(before.framesDecoded > 30, 'playing before');
      t.ok(after.framesDecoded >= before.framesDecoded + 30, 'decoding again after the camera came back');
      t.equal(stream.viewerCount, 1, 'the viewer stayed');
      t.ok(Number(stream.stats().source.sessions) >= 2, 'a new RTSP session');
      t.equal(after.frameWidth, 640);
    } finally {
      await browser.close();
      await gw.close();
      await cam.stop();
    }
  });
}
