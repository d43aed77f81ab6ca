/**
 * The stream API with real peers: two demo cameras, camwire (in process, native WebRTC) with
 * an adminToken, and a Chromium viewer. A stream POSTed over the API plays; a PATCH of an
 * unrelated setting leaves the picture running (no freeze, same peer); a PATCH of the URL
 * moves the viewer to the other camera (the first gets its TEARDOWN, the viewer resumes on
 * the new camera's keyframe without joining again); DELETE tears the second down and ends
 * the viewer. The log shows each change and the viewer's leave.
 */
import t from 'tap';
import { startGateway } from '../../lib/app/start.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';
import { missingTool } from '../../test/support/env.js';
import { launchChromium, startViewer, viewerStats, VIEWER_SCRIPT, type Chromium } from '../../test/support/chromium.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ADMIN = 'spec-admin-token';

t.test('POST, PATCH (settings, then URL) and DELETE while Chromium watches', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) return void t.comment('skip: ' + why);
  const camA = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const camB = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l));
  const gw = await startGateway({ http: { host: '127.0.0.1', port: 0, adminToken: ADMIN }, webrtc: { bindAddress: '127.0.0.1' }, streams: {} }, { log });
  const api = (method: string, path: string, body?: unknown) =>
    fetch(gw.address + path, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    });
  let browser: Chromium | undefined;
  try {
    t.equal((await api('POST', '/api/streams', { name: 'lecture', url: camA.url, transport: 'tcp' })).status, 201, 'POST 201');
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(gw.address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    const v = await startViewer(page, gw.address + '/whep/lecture');
    const framesAtLeast = async (n: number, ms: number) => {
      let s = await viewerStats(page, v);
      for (let i = 0; i < ms / 100 && s.framesDecoded < n; i++) {
        await sleep(100);
        s = await viewerStats(page, v);
      }
      return s;
    };
    const s0 = await framesAtLeast(30, 10_000);
    t.ok(s0.framesDecoded >= 30, `plays camera A (${s0.framesDecoded} frames, ${s0.frameWidth}x${s0.frameHeight})`);

    const p1 = await api('PATCH', '/api/streams/lecture', { maxViewers: 7, viewerRtcpTimeoutMs: 20_000 });
    t.match(await p1.json(), { applied: 'settings' }, 'applied in place');
    const s1 = await framesAtLeast(s0.framesDecoded + 45, 5000);
    t.ok(s1.framesDecoded >= s0.framesDecoded + 45, `keeps playing across the PATCH (${s0.framesDecoded} -> ${s1.framesDecoded})`);
    t.equal(s1.freezeCount, s0.freezeCount, 'no freeze');
    t.equal(camA.server.stats().sessionsTornDown, 0, 'camera A still has its session');

    const p2 = await api('PATCH', '/api/streams/lecture', { url: camB.url });
    t.match(await p2.json(), { applied: 'source' }, 'the source was replaced');
    t.equal(camA.server.stats().sessionsTornDown, 1, 'camera A got its TEARDOWN');
    const s2 = await framesAtLeast(s1.framesDecoded + 45, 10_000);
    t.ok(s2.framesDecoded >= s1.framesDecoded + 45, `resumes on camera B without joining again (${s1.framesDecoded} -> ${s2.framesDecoded})`);
    t.equal(gw.gateway.stream('lecture')?.viewerCount, 1, 'the same viewer');
    t.comment(`across the URL change: ${s2.freezeCount - s1.freezeCount} freezes, ${(s2.totalFreezesDuration - s1.totalFreezesDuration).toFixed(2)} s frozen`);

    t.equal((await api('DELETE', '/api/streams/lecture')).status, 204, 'DELETE 204');
    t.equal(camB.server.stats().sessionsTornDown, 1, 'camera B got its TEARDOWN');
    t.equal(camB.server.stats().sessions, 0, 'no camera session left');
    t.notOk(gw.gateway.stream('lecture'), 'the stream is gone');
    const text = lines.join('');
    t.match(text, /INFO stream\.added stream=lecture/);
    t.match(text, /INFO stream\.changed stream=lecture keys=\[maxViewers,viewerRtcpTimeoutMs\] applied=settings/);
    t.match(text, /INFO stream\.changed stream=lecture keys=\[url\] applied=source/);
    t.match(text, /INFO viewer\.leave stream=lecture .*reason=stream-closed/);
    t.match(text, /INFO stream\.removed stream=lecture/);
  } finally {
    await browser?.close();
    await gw.close();
    log.close();
    await camA.close();
    await camB.close();
  }
});
