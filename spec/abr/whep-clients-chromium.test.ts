/**
 * The standard WHEP clients as a new user would use them, from another origin, in real headless
 * Chromium: the reference client `whip-whep` (WHEPClient) and `@eyevinn/webrtc-player` both play
 * camwire's demo camera (two renditions) from pages served on a second port. whip-whep's trickle
 * PATCH crosses the CORS preflight and gets camwire's 405 (which it accepts); it follows the
 * server-sent-events Link (POST of the event list, then the event stream at the Location) and
 * receives `active`, `viewercount` and `layers`; the second client's join shows as viewercount 2;
 * selectLayer({ encodingId: '360p' }) through the layer Link changes the decoded frame size;
 * stop() (the session's DELETE) ends the event stream, and the gateway then closes cleanly.
 * whip-whep relays only unnamed events (its EventSource `onmessage`), so the page observes the
 * client's own EventSource for the draft's named events.
 */
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { missingTool } from '../../test/support/env.js';
import { startDemoRenditions } from './demo-renditions.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';
import { serveClientPages } from '../support/whep-client-pages.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  framesDecoded: number;
  w: number;
  h: number;
}

interface SseSeen {
  type: string;
  data: any;
}

async function until<T>(t: Test, what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  let v = await read();
  for (let i = 0; i < ms / 100 && !ok(v); i++) {
    await sleep(100);
    v = await read();
  }
  t.ok(ok(v), `${what} (${JSON.stringify(v)})`);
  return v;
}

const video = (page: Page, peer: string) => () =>
  page.evaluate(async (peer) => {
    const pc = peer.split('.').reduce((o: any, k) => o?.[k], globalThis as any);
    return pc?.getStats ? ((await (globalThis as any).videoStats(pc)) as Seen | undefined) : undefined;
  }, peer);

t.test('whip-whep and @eyevinn/webrtc-player play camwire cross-origin; whip-whep gets the events and pins a layer', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const { camera, gateway } = await startDemoRenditions();
  const pages = await serveClientPages();
  let browser: Chromium | undefined;
  try {
    t.not(new URL(pages.origin).origin, new URL(gateway.address).origin, 'the pages come from another origin');
    const whep = gateway.address + '/whep/demo';
    browser = await launchChromium();
    const reference = await browser.newPage();
    await reference.goto(pages.url('whip-whep', whep));
    await until(t, 'whip-whep: 720p decoding', video(reference, 'pc'), (s) => s !== undefined && s.w === 1280 && s.framesDecoded >= 15);
    const sse = () => reference.evaluate(() => (globalThis as any).sse as SseSeen[]);
    const layersOf = (e: SseSeen[]) => e.filter((s) => s.type === 'layers').map((s) => s.data as Record<string, { layers: { encodingId: string }[] }>);
    // The 360p profile starts with the first viewer: until it plays, it is listed inactive.
    const first = await until(t, 'whip-whep: active, viewercount, and layers with both renditions selectable', sse, (e) =>
      ['active', 'viewercount'].every((x) => e.some((s) => s.type === x)) && layersOf(e).some((l) => l[0]?.layers.length === 2));
    t.same(first.find((e) => e.type === 'viewercount')?.data, { viewercount: 1 });
    const layers = layersOf(first).find((l) => l[0]?.layers.length === 2)!;
    t.same(Object.keys(layers), ['0'], 'the layers of the first m-line (video)');
    t.same(layers[0].layers.map((l) => l.encodingId), ['720p', '360p'], 'best first');
    const requests = await reference.evaluate(() => (globalThis as any).requests as { method: string; url: string; status?: number; error?: string }[]);
    t.comment(JSON.stringify(requests));
    t.ok(requests.some((r) => r.method === 'PATCH' && r.status === 405), 'the trickle PATCH crossed the preflight and got camwire\'s 405');
    t.ok(requests.some((r) => r.method === 'POST' && r.url.endsWith('/sse') && r.status === 201), 'the event list POSTed to the Link: 201');
    t.notOk(requests.some((r) => r.error), 'no request refused by CORS');

    const eyevinn = await browser.newPage();
    await eyevinn.goto(pages.url('eyevinn', whep));
    await until(t, '@eyevinn/webrtc-player: decoding', video(eyevinn, 'player.peer'), (s) => s !== undefined && s.framesDecoded >= 15 && s.w > 0);
    t.notOk(await eyevinn.evaluate(() => (globalThis as any).requests.some((r: any) => r.error)), '@eyevinn/webrtc-player: no request refused by CORS');
    await until(t, 'whip-whep: viewercount 2 once the second client plays', sse, (e) => e.some((s) => s.type === 'viewercount' && s.data.viewercount === 2));

    await reference.evaluate(() => (globalThis as any).client.selectLayer({ encodingId: '360p' }));
    await until(t, 'whip-whep: selectLayer 360p changes the frame size', video(reference, 'pc'), (s) => s?.w === 640 && s.h === 360);
    const api = (await (await fetch(gateway.address + '/api/streams')).json()) as any;
    const pinned = api.streams[0].viewers.find((v: any) => v.rendition?.mode !== 'auto');
    t.match(pinned?.rendition, { current: '360p' }, 'camwire shows the pinned viewer on 360p');

    const eventSourceUrl = await reference.evaluate(() => (globalThis as any).eventSourceUrl as string);
    // stop() closes the peer connection and sends the DELETE at once: that pair once left
    // node-datachannel a dangling track that crashed the gateway at cleanup (native-bindings).
    await reference.evaluate(() => (globalThis as any).client.stop());
    await until(t, 'stop() ends the session: one viewer left', async () => ((await (await fetch(gateway.address + '/api/streams')).json()) as any).streams[0].viewers.length, (n) => n === 1);
    t.equal((await fetch(eventSourceUrl)).status, 404, 'and its event stream is gone');
  } finally {
    await browser?.close();
    await pages.close();
    await gateway.close(); // node-datachannel's cleanup: where the dangling track crashed
    await camera.close();
  }
});
