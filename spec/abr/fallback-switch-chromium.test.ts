/**
 * The WebSocket/MSE fallback moved between renditions, in headless Chromium forced onto it
 * (`/watch/demo?path=websocket`), on camwire's CLI serving its demo camera (720p and 360p) in a
 * network namespace joined to Chromium's by a veth pair:
 * (a) pinning from the quality menu switches the picture size both ways and frames keep coming
 *     (the same SourceBuffer takes each new init segment; no MSE error);
 * (b) Auto, once the server's side of the link is shaped with `tc tbf rate 250kbit` (the demo's
 *     720p is ~0.45 Mbit/s and its 360p ~0.15), is moved to 360p by its send backlog and plays.
 * The page learns what plays from camwire's text message, which may come a tick after the
 * picture changed size: both are waited for.
 */
import t from 'tap';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI, missingTool, repoRoot } from '../../test/support/env.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';
import type { Page } from 'playwright-core';
import { stopCamwire } from './links.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TAG = `abrws${process.pid % 100000}`;
const SERVER_NS = `${TAG}s`;
const CLIENT_NS = `${TAG}c`;
const DEV = `${TAG}v`;
const SERVER = '10.93.1.1';
const CLIENT = '10.93.1.2';
const NARROW = 'tbf rate 250kbit burst 8kb latency 200ms';

function sh(args: string[]): void {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

function skipReason(): string | false {
  for (const [tool, arg] of [['chromium', '--version'], ['ip', '-V'], ['tc', '-V']]) {
    const why = missingTool(tool, arg);
    if (why) return why;
  }
  if (process.getuid?.() !== 0) {
    if (inCI) throw new Error('the fallback switch spec needs root (network namespaces, tc) in CI');
    return 'not root: cannot create network namespaces';
  }
  return false;
}

function setup(): void {
  for (const ns of [SERVER_NS, CLIENT_NS]) {
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  sh(['ip', 'link', 'add', DEV, 'netns', SERVER_NS, 'type', 'veth', 'peer', 'name', `${DEV}c`, 'netns', CLIENT_NS]);
  sh(['ip', '-n', SERVER_NS, 'addr', 'add', `${SERVER}/24`, 'dev', DEV]);
  sh(['ip', '-n', CLIENT_NS, 'addr', 'add', `${CLIENT}/24`, 'dev', `${DEV}c`]);
  sh(['ip', '-n', SERVER_NS, 'link', 'set', DEV, 'up']);
  sh(['ip', '-n', CLIENT_NS, 'link', 'set', `${DEV}c`, 'up']);
}

function teardown(): void {
  for (const ns of [CLIENT_NS, SERVER_NS]) spawnSync('ip', ['netns', 'del', ns]);
}

function startCamwire(dir: string): ChildProcess {
  const file = join(dir, 'camwire.json');
  writeFileSync(file, JSON.stringify({ http: { host: SERVER, port: 8080 }, webrtc: { bindAddress: SERVER }, log: { level: 'warn' } }));
  return spawn('ip', ['netns', 'exec', SERVER_NS, process.execPath, join(repoRoot, 'dist/lib/app/cli.js'), '--config', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

interface Seen {
  path: string | undefined;
  frames: number;
  width: number;
  current: string | undefined;
  mseErrors: number;
  initSegments: number;
  status: string;
}

const read = (page: Page): Promise<Seen> =>
  page.evaluate(() => {
    const g = globalThis as any;
    const p = g.camwirePlayer ?? {};
    const video = g.document.getElementById('video');
    const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
    return {
      path: p.path, frames: q.totalVideoFrames, width: video.videoWidth, current: p.rendition?.current,
      mseErrors: p.mseErrors ?? 0, initSegments: p.initSegments ?? 0, status: g.document.getElementById('status').textContent,
    };
  });

/** Polls until `ok` holds (every 200 ms, at most `ms`), running `each` between polls; returns the last reading. */
async function until(page: Page, ok: (s: Seen) => boolean, ms: number, each?: () => Promise<void>): Promise<Seen> {
  const end = Date.now() + ms;
  let s = await read(page);
  while (!ok(s) && Date.now() < end) {
    await (each ? Promise.all([each(), sleep(200)]) : sleep(200));
    s = await read(page);
  }
  return s;
}

/**
 * The fallback viewer as /api/streams shows it, asked from inside the server's namespace: the
 * answer (several KB) must not share the narrow link it is measuring.
 */
function apiView(): Promise<any> {
  const script = `fetch('http://${SERVER}:8080/api/streams').then((r) => r.text()).then((x) => process.stdout.write(x))`;
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', SERVER_NS, process.execPath, '-e', script], { timeout: 5000 }, (err, out) => {
      if (err) return resolve(undefined);
      resolve((JSON.parse(out) as any).streams.find((x: any) => x.name === 'demo')?.websocketViewers?.[0]);
    });
  });
}

async function open(page: Page): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://${SERVER}:8080/watch/demo?path=websocket`);
      return;
    } catch (err) {
      if (i >= 50) throw err;
      await sleep(200);
    }
  }
}

t.test('the fallback switches renditions: pinned from the menu, and by its send backlog behind a 250 kbit/s tbf', async (t) => {
  const why = skipReason();
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'camwire-abrws-'));
  let camwire: ChildProcess | undefined;
  let browser: Chromium | undefined;
  try {
    setup();
    camwire = startCamwire(dir);
    const wrapper = join(dir, 'chromium-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${CLIENT_NS} /usr/bin/chromium "$@"\n`);
    chmodSync(wrapper, 0o755);
    browser = await launchChromium(wrapper);
    const page = await browser.newPage();
    await open(page);

    const start = await until(page, (s) => s.frames > 10 && s.width > 0, 15_000);
    // Auto starts on 720p, but a busy host's slow page reads as a backlog (a real one: the page
    // takes the bytes late), so the start may already be 360p; the pins below switch either way.
    t.match(start, { path: 'websocket' }, `the fallback plays (Auto: ${start.current}, ${start.width} wide)`);

    // (a) pinned from the quality menu, down and back up
    await page.selectOption('#quality', '360p');
    const small = await until(page, (s) => s.width === 640 && s.current === '360p', 8000);
    const smallLater = await until(page, (s) => s.frames >= small.frames + 15, 3000);
    t.match(small, { width: 640, current: '360p' }, `pinned to 360p: the picture is 640x360 (${JSON.stringify(small)})`);
    t.ok(smallLater.frames >= small.frames + 15, `and frames keep coming (${small.frames} -> ${smallLater.frames})`);
    await page.selectOption('#quality', '720p');
    const big = await until(page, (s) => s.width === 1280 && s.current === '720p', 8000);
    const bigLater = await until(page, (s) => s.frames >= big.frames + 15, 3000);
    t.match(big, { width: 1280, current: '720p' }, `pinned back to 720p: 1280x720 (${JSON.stringify(big)})`);
    t.ok(bigLater.frames >= big.frames + 15, `and frames keep coming (${big.frames} -> ${bigLater.frames})`);
    t.equal(bigLater.mseErrors, 0, `no MSE error across ${bigLater.initSegments} init segments`);

    // (b) Auto on a link too narrow for 720p
    await page.selectOption('#quality', 'auto');
    sh(['ip', 'netns', 'exec', SERVER_NS, 'tc', 'qdisc', 'replace', 'dev', DEV, 'root', ...NARROW.split(' ')]);
    const shapedAt = Date.now();
    // where the time goes: the first backlog in user space (the kernel's send buffer is full),
    // the switch's target changing (the estimate), then the page showing 360p (the queue drained)
    const marks: Record<string, number> = {};
    const down = await until(page, (s) => s.current === '360p' && s.width === 640, 20_000, async () => {
      const v = await apiView();
      const at = Date.now() - shapedAt;
      if (v?.bufferedBytes > 0) marks.backlogMs ??= at;
      if (v?.rendition?.target === '360p') marks.targetMs ??= at;
    });
    const downMs = Date.now() - shapedAt;
    t.match(down, { current: '360p', width: 640 }, `Auto moved it to 360p ${downMs} ms after the link narrowed`);
    await sleep(1000);
    const f0 = await read(page);
    await sleep(4000);
    const f1 = await read(page);
    const viewer = await apiView();
    t.comment(JSON.stringify({ downMs, ...marks, framesIn4s: f1.frames - f0.frames, rendition: viewer?.rendition, backlog: viewer?.backlog, overflows: viewer?.overflows }));
    t.ok(f1.frames - f0.frames >= 90, `it plays on 360p: ${f1.frames - f0.frames} frames in 4 s`);
    t.match(f1, { width: 640, mseErrors: 0 }, 'still 640x360, no MSE error');
    t.match(viewer?.rendition, { current: '360p', mode: 'auto' });
  } finally {
    await browser?.close().catch(() => {});
    if (camwire) await stopCamwire(camwire);
    teardown();
    rmSync(dir, { recursive: true, force: true });
  }
});
