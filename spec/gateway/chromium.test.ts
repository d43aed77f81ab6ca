/**
 * End to end in real headless Chromium: WHEP negotiation, decoding at the source's resolution,
 * the player page with a screenshot, four viewers on one source session, and the keyframe
 * cache with a 10 s GOP. Each test is short: CI has 2 cores.
 */
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../../test/support/env.js';
import { launchChromium, startViewer, viewerStats, stopViewer, VIEWER_SCRIPT, type Chromium } from '../../test/support/chromium.js';
import { startClipGateway } from '../../test/support/clip-gateway.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tools(t: { comment(m: string): void }): boolean {
  for (const tool of ['chromium', 'ffmpeg']) {
    const why = missingTool(tool, '--version');
    if (why) {
      t.comment('skip: ' + why);
      return false;
    }
  }
  return true;
}

t.test('player page: WHEP, decode at the source resolution, no freezes, screenshot shows the picture', async (t) => {
  if (!tools(t)) return;
  const gw = await startClipGateway({ width: 640, height: 360, seconds: 4 });
  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    // ?path=webrtc: the page reads WebRTC's stats, so it must not fall back on a slow machine
    await page.goto(gw.handle.address + '/watch/demo?path=webrtc');
    const read = () =>
      page.evaluate(async () => {
        const g = globalThis as any;
        const pc = g.camwirePlayer?.pc;
        if (!pc) return undefined;
        let s: any;
        (await pc.getStats()).forEach((x: any) => {
          if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
        });
        return s && { framesDecoded: s.framesDecoded ?? 0, w: s.frameWidth, h: s.frameHeight, freezeCount: s.freezeCount, packetsLost: s.packetsLost };
      });
    let s = await read();
    for (let i = 0; i < 50 && !(s && s.framesDecoded >= 20); i++) {
      await sleep(100);
      s = await read();
    }
    t.ok(s && s.framesDecoded >= 20, `frames decoding (${s?.framesDecoded})`);
    t.comment(`after ${s?.framesDecoded} frames: freezeCount ${s?.freezeCount}`);
    await sleep(2000);
    const later = await read();
    t.comment(JSON.stringify(later));
    t.ok(later && s && later.framesDecoded > s.framesDecoded + 30, 'framesDecoded keeps rising');
    t.equal(later?.w, gw.width, 'frame width');
    t.equal(later?.h, gw.height, 'frame height');
    t.equal(later?.freezeCount, 0, 'no freezes on a clean link');
    await page.waitForSelector('#stat-resolution');
    t.equal(await page.textContent('#stat-resolution'), `resolution: ${gw.width}x${gw.height}`, 'player shows live stats');
    const variance = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const v = doc.getElementById('video');
      const c = doc.createElement('canvas');
      c.width = 160;
      c.height = 90;
      const g = c.getContext('2d')!;
      g.drawImage(v, 0, 0, 160, 90);
      const d = g.getImageData(0, 0, 160, 90).data;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < d.length; i += 4) {
        const y = (d[i] + d[i + 1] + d[i + 2]) / 3;
        sum += y;
        sq += y * y;
      }
      const n = d.length / 4;
      return sq / n - (sum / n) ** 2;
    });
    t.ok(variance > 100, `the video is a picture, not a blank (luma variance ${variance.toFixed(0)})`);
    const shot = join(mkdtempSync(join(tmpdir(), 'camwire-shot-')), 'player.png');
    await page.screenshot({ path: shot });
    t.comment(`screenshot: ${shot}`);
    const api = (await (await fetch(gw.handle.address + '/api/streams')).json()) as any;
    t.equal(api.streams[0].viewers.length, 1, '/api/streams lists the viewer');
    t.ok(api.streams[0].viewers[0].packetsSent > 0, 'viewer counters');
    t.ok(api.streams[0].viewers[0].rrReceived > 0, 'receiver reports from Chromium read');
    t.comment(`server view of the viewer: ${JSON.stringify(api.streams[0].viewers[0])}`);
    const metrics = await (await fetch(gw.handle.address + '/metrics')).text();
    t.match(metrics, /camwire_stream_viewers\{stream="demo"\} 1/);
  } finally {
    await browser?.close();
    await gw.close();
  }
});

t.test('four viewers at once share one source session', async (t) => {
  if (!tools(t)) return;
  const gw = await startClipGateway({ width: 320, height: 240, seconds: 2 });
  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(gw.handle.address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    const ids = await Promise.all([0, 1, 2, 3].map(() => startViewer(page, gw.handle.address + '/whep/demo')));
    await sleep(3000);
    const stats = await Promise.all(ids.map((i) => viewerStats(page, i)));
    for (const s of stats) t.comment(JSON.stringify(s));
    t.ok(stats.every((s) => s.framesDecoded > 20), `every viewer decodes (${stats.map((s) => s.framesDecoded).join(', ')})`);
    t.ok(stats.every((s) => s.frameWidth === 320 && s.frameHeight === 240), 'every viewer at 320x240');
    t.ok(stats.every((s) => s.senderReports >= 1), `every viewer got RTCP sender reports (${stats.map((s) => s.senderReports).join(', ')})`);
    t.equal(gw.source.starts, 1, 'one source session for four viewers');
    t.equal(gw.handle.gateway.stream('demo')?.viewerCount, 4);
    await Promise.all(ids.map((i) => stopViewer(page, i)));
    await sleep(200);
    t.equal(gw.handle.gateway.stream('demo')?.viewerCount, 0, 'DELETE on the Location ends each viewer');
  } finally {
    await browser?.close();
    await gw.close();
  }
});

t.test('keyframe cache: a viewer joining a 10 s GOP decodes its first frame in under ~1 s', async (t) => {
  if (!tools(t)) return;
  const gw = await startClipGateway({ width: 640, height: 360, seconds: 10, gop: 300 }, { onDemand: false });
  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(gw.handle.address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    // Join 2.5-7 s after the only IDR of the 10 s GOP: without the cache the wait would be 3-7.5 s.
    const stream = gw.handle.gateway.stream('demo')!;
    let age = stream.stats().keyframeAgeMs;
    for (let k = 0; k < 400 && (age < 2500 || age > 7000); k++) {
      await sleep(50);
      age = stream.stats().keyframeAgeMs;
    }
    const i = await startViewer(page, gw.handle.address + '/whep/demo');
    let s = await viewerStats(page, i);
    for (let k = 0; k < 40 && s.firstFrameMs < 0; k++) {
      await sleep(100);
      s = await viewerStats(page, i);
    }
    t.comment(`joined ${age} ms after the last IDR (next one in ${10000 - age} ms); first frame after ${s.firstFrameMs.toFixed(0)} ms`);
    t.ok(age >= 2500 && age <= 7000, 'joined while the cached keyframe was seconds old');
    t.ok(s.firstFrameMs > 0 && s.firstFrameMs < Math.min(1500, 10000 - age), `first frame decoded in ${s.firstFrameMs.toFixed(0)} ms`);
    t.equal(stream.viewerInfo()[0].keyframeCacheStarts, 1, 'the viewer started on the cached keyframe');
    await sleep(1000);
    const after = await viewerStats(page, i);
    t.ok(after.framesDecoded > s.framesDecoded + 10, `keeps decoding after the cached keyframe (${after.framesDecoded})`);
  } finally {
    await browser?.close();
    await gw.close();
  }
});

t.test('camera restart: the viewer stays connected and resumes on the next keyframe', async (t) => {
  if (!tools(t)) return;
  const gw = await startClipGateway({ width: 320, height: 240, seconds: 2 });
  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(gw.handle.address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    const i = await startViewer(page, gw.handle.address + '/whep/demo');
    await sleep(2000);
    const before = await viewerStats(page, i);
    gw.source.restart(1500);
    await sleep(1500);
    const during = await viewerStats(page, i);
    await sleep(2500);
    const after = await viewerStats(page, i);
    t.comment(`frames: ${before.framesDecoded} before, ${during.framesDecoded} at the end of the 1.5 s outage, ${after.framesDecoded} 2.5 s later`);
    t.ok(before.framesDecoded > 10, 'playing before the restart');
    t.ok(after.framesDecoded > during.framesDecoded + 30, 'decoding again after the restart');
    t.equal(after.frameWidth, 320);
    t.equal(gw.handle.gateway.stream('demo')?.viewerCount, 1, 'the viewer stayed');
    t.equal(gw.handle.gateway.stream('demo')?.stats().timelineRebases, 1, 'timeline re-based once');
  } finally {
    await browser?.close();
    await gw.close();
  }
});
