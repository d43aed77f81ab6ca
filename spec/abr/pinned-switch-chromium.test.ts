/**
 * Renditions in real headless Chromium, through camwire's own player page: the demo camera's
 * two profiles (720p and 360p), pinned from the page's quality menu 720p -> 360p -> 720p. The
 * browser decodes across each resolution change with no freeze, on one SSRC with no packet
 * counted lost (the switch keeps the viewer's sequence and timestamps continuous). Before that,
 * on Auto, the viewer's transport-wide CC estimate keeps it on 720p over a clean link.
 */
import t from 'tap';
import { missingTool } from '../../test/support/env.js';
import { startDemoRenditions } from './demo-renditions.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  framesDecoded: number;
  w: number;
  h: number;
  freezeCount: number;
  packetsLost: number;
  ssrc: number;
}

t.test('pinned switch 720p -> 360p -> 720p from the player\'s quality menu: decodes across each change, no freeze', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const { camera, gateway } = await startDemoRenditions();
  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(gateway.address + '/watch/demo');
    const read = (): Promise<Seen | undefined> =>
      page.evaluate(async () => {
        const pc = (globalThis as any).camwirePlayer?.pc;
        if (!pc) return undefined;
        let s: any;
        (await pc.getStats()).forEach((x: any) => {
          if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
        });
        return s && { framesDecoded: s.framesDecoded ?? 0, w: s.frameWidth ?? 0, h: s.frameHeight ?? 0, freezeCount: s.freezeCount ?? 0, packetsLost: s.packetsLost ?? 0, ssrc: s.ssrc };
      });
    const until = async (what: string, ok: (s: Seen) => boolean, ms = 8000): Promise<Seen | undefined> => {
      let s = await read();
      for (let i = 0; i < ms / 100 && !(s && ok(s)); i++) {
        await sleep(100);
        s = await read();
      }
      t.ok(s && ok(s), `${what} (${JSON.stringify(s)})`);
      return s;
    };
    const first = await until('720p decoding', (s) => s.w === 1280 && s.framesDecoded >= 15);
    await page.waitForSelector('#quality:not([hidden])');
    t.same(await page.$$eval('#quality option', (o: any[]) => o.map((x) => x.value)), ['auto', '720p', '360p'], 'the quality menu lists Auto and both renditions');

    const before = await until('720p steady', (s) => s.framesDecoded >= (first?.framesDecoded ?? 0) + 150);
    const auto = ((await (await fetch(`${gateway.address}/api/streams`)).json()) as any).streams[0].viewers[0].rendition;
    t.match(auto, { mode: 'auto', current: '720p', switches: 0 }, `Auto on a clean link keeps 720p once the estimate runs (${auto?.bandwidth?.estimateBps} bit/s)`);
    await page.selectOption('#quality', '360p');
    const low = await until('switched to 360p', (s) => s.w === 640 && s.h === 360);
    const lowLater = await until('360p keeps decoding', (s) => s.w === 640 && s.framesDecoded >= (low?.framesDecoded ?? 0) + 30);
    await page.waitForFunction(() => (globalThis as any).document.getElementById('rendition').textContent.includes('playing 360p'));
    t.pass('the page shows the rendition playing');

    await page.selectOption('#quality', '720p');
    const high = await until('back on 720p', (s) => s.w === 1280 && s.h === 720);
    const end = await until('720p keeps decoding', (s) => s.w === 1280 && s.framesDecoded >= (high?.framesDecoded ?? 0) + 30);
    t.comment(JSON.stringify({ first, before, low, lowLater, high, end }));
    t.equal(end?.freezeCount, before?.freezeCount, 'no freeze across two resolution changes');
    t.equal(end?.packetsLost, 0, 'no packet counted lost: the sequence has no gap across the switches');
    t.equal(end?.ssrc, first?.ssrc, 'one SSRC throughout');
    const api = await (await fetch(`${gateway.address}/api/streams`)).json() as any;
    const v = api.streams[0].viewers[0].rendition;
    t.match(v, { current: '720p', mode: '720p', switches: 2, switchesDown: 1, switchesUp: 1 }, 'the API counts the switches');
    t.ok(v.bandwidth?.feedbacks > 10, `transport-wide CC negotiated: Chromium's feedback reaches the estimator (${JSON.stringify(v.bandwidth)})`);
    t.equal(v.bandwidth?.feedbackErrors, 0, 'every feedback parsed');
    t.equal(v.bandwidth?.unknownPackets, 0, 'every packet it reports was sent with a transport-wide sequence number');
    t.comment(JSON.stringify(api.streams[0].renditions));
  } finally {
    await browser?.close();
    await gateway.close();
    await camera.close();
  }
});
