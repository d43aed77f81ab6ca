/**
 * The README's first command, end to end: `camwire` with no camera starts its demo camera,
 * serves it as `demo`, and the player page at /watch/demo plays it in real Chromium at the
 * clip's 1280x720. Ctrl-C (SIGINT) then ends the process cleanly with exit code 0.
 * With CAMWIRE_SCREENSHOT=path the test also writes the player screenshot for the README.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { missingTool, repoRoot } from '../../test/support/env.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('camwire with no camera plays the demo camera in Chromium, and exits cleanly on SIGINT', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/app/cli.js'), '--http', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let browser: Chromium | undefined;
  try {
    let address: string | undefined;
    for (let i = 0; i < 300 && !address; i++) {
      address = /open (http:\/\/\S+)\//.exec(out)?.[1];
      if (!address) await sleep(50);
    }
    t.ok(address, `camwire printed its address:\n${out}`);
    if (!address) return;
    t.match(out, /built-in demo camera/, 'says it serves the demo camera');
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 860 });
    // ?path=webrtc: the page reads WebRTC's stats, so it must not fall back on a slow machine
    await page.goto(address + '/watch/demo?path=webrtc');
    const read = () =>
      page.evaluate(async () => {
        const pc = (globalThis as any).camwirePlayer?.pc;
        if (!pc) return undefined;
        let s: any;
        (await pc.getStats()).forEach((x: any) => {
          if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
        });
        return s && { framesDecoded: s.framesDecoded ?? 0, w: s.frameWidth, h: s.frameHeight };
      });
    let s = await read();
    for (let i = 0; i < 150 && !(s && s.framesDecoded >= 45); i++) {
      await sleep(100);
      s = await read();
    }
    t.ok(s && s.framesDecoded >= 45, `Chromium decodes the demo camera (${s?.framesDecoded} frames)`);
    t.equal(s?.w, 1280, 'width of the demo clip');
    t.equal(s?.h, 720, 'height of the demo clip');
    const api = (await (await fetch(address + '/api/streams')).json()) as { streams: { name: string; viewers: unknown[] }[] };
    t.equal(api.streams.find((x) => x.name === 'demo')?.viewers.length, 1, '/api/streams lists the viewer');
    if (process.env.CAMWIRE_SCREENSHOT) {
      await sleep(1500);
      await page.screenshot({ path: process.env.CAMWIRE_SCREENSHOT });
    }
  } finally {
    await browser?.close();
    child.kill('SIGINT');
  }
  const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') child.kill('SIGKILL');
  t.equal(code, 0, `exits with 0 after SIGINT\n${out}`);
});
