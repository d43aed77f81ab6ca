/**
 * Auto through a real kernel bottleneck, in headless Chromium on camwire's own player page.
 * Three network namespaces: two servers, each running camwire's CLI with its built-in demo
 * camera (two renditions, 720p and 360p), and one client where Chromium runs, joined to each
 * server by its own veth pair. The narrow server's side of its veth has a `tc tbf` queue; the
 * wide server's has none. One Chromium, two pages: the one behind the bottleneck must end up
 * on 360p and decode steadily there; the one on the wide link must stay on 720p.
 *
 * The demo's renditions are ~0.45 and ~0.15 Mbit/s, not the issue's ~2.6 and ~0.42, and its
 * sound (PCMU) takes ~0.085 Mbit/s with its headers, so the link is scaled with them: 400 kbit/s
 * carries the small rendition and the sound with room (as 1.2 Mbit/s carries 0.42) and not the
 * big one (as 1.2 does not carry 2.6). At 300 kbit/s, sized before the demo had sound, the small
 * rendition and the sound overfilled the link (14 freezes in 8 s).
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI, missingTool, repoRoot } from '../../test/support/env.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';
import type { Page } from 'playwright-core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TAG = `abr2${process.pid % 100000}`;
const CLIENT = `${TAG}c`;
const NARROW_RATE = 'tbf rate 400kbit burst 8kb latency 200ms';

/** One server namespace and its veth pair to the client. */
interface Link {
  ns: string;
  server: string;
  client: string;
  serverDev: string;
}

const LINKS: Record<'narrow' | 'wide', Link> = {
  narrow: { ns: `${TAG}n`, server: '10.91.1.1', client: '10.91.1.2', serverDev: `${TAG}nv` },
  wide: { ns: `${TAG}w`, server: '10.91.2.1', client: '10.91.2.2', serverDev: `${TAG}wv` },
};

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
    if (inCI) throw new Error('the bottleneck spec needs root (network namespaces, tc) in CI');
    return 'not root: cannot create network namespaces';
  }
  return false;
}

function setup(): void {
  sh(['ip', 'netns', 'add', CLIENT]);
  sh(['ip', '-n', CLIENT, 'link', 'set', 'lo', 'up']);
  for (const l of Object.values(LINKS)) {
    const clientDev = `${l.serverDev}c`;
    sh(['ip', 'netns', 'add', l.ns]);
    sh(['ip', '-n', l.ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', 'link', 'add', l.serverDev, 'netns', l.ns, 'type', 'veth', 'peer', 'name', clientDev, 'netns', CLIENT]);
    sh(['ip', '-n', l.ns, 'addr', 'add', `${l.server}/24`, 'dev', l.serverDev]);
    sh(['ip', '-n', CLIENT, 'addr', 'add', `${l.client}/24`, 'dev', clientDev]);
    sh(['ip', '-n', l.ns, 'link', 'set', l.serverDev, 'up']);
    sh(['ip', '-n', CLIENT, 'link', 'set', clientDev, 'up']);
  }
  // Chromium gathers no candidates without a default route.
  sh(['ip', '-n', CLIENT, 'route', 'add', 'default', 'dev', `${LINKS.wide.serverDev}c`]);
  sh(['ip', 'netns', 'exec', LINKS.narrow.ns, 'tc', 'qdisc', 'replace', 'dev', LINKS.narrow.serverDev, 'root', ...NARROW_RATE.split(' ')]);
}

function teardown(): void {
  for (const ns of [CLIENT, LINKS.narrow.ns, LINKS.wide.ns]) spawnSync('ip', ['netns', 'del', ns]);
}

/** camwire's CLI in `l`'s namespace, serving its demo camera on the link's address. */
function startCamwire(l: Link, dir: string): ChildProcess {
  const file = join(dir, `${l.ns}.json`);
  writeFileSync(file, JSON.stringify({ http: { host: l.server, port: 8080 }, webrtc: { bindAddress: l.server }, log: { level: 'warn' } }));
  return spawn('ip', ['netns', 'exec', l.ns, process.execPath, join(repoRoot, 'dist/lib/app/cli.js'), '--config', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGINT');
  });
}

interface Seen {
  framesDecoded: number;
  w: number;
  freezeCount: number;
  totalFreezesDuration: number;
}

const read = (page: Page): Promise<Seen | undefined> =>
  page.evaluate(async () => {
    const pc = (globalThis as any).camwirePlayer?.pc;
    if (!pc) return undefined;
    let s: any;
    (await pc.getStats()).forEach((x: any) => {
      if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
    });
    return s && { framesDecoded: s.framesDecoded ?? 0, w: s.frameWidth ?? 0, freezeCount: s.freezeCount ?? 0, totalFreezesDuration: s.totalFreezesDuration ?? 0 };
  });

/** The page's viewer as /api/streams shows it (the stream's accessUnits too: frames the camera sent). */
const apiView = (page: Page): Promise<{ rendition: any; accessUnits: number } | undefined> =>
  page.evaluate(async () => {
    const s = ((await (await fetch('/api/streams')).json()) as any).streams.find((x: any) => x.name === 'demo');
    return s?.viewers[0] && { rendition: s.viewers[0].rendition, accessUnits: s.accessUnits };
  });

/** The viewer on the wide link, over the same window: 720p all along, decoding as the narrow one should. */
function checkWide(t: Test, w0: Seen | undefined, w1: Seen | undefined, api: Awaited<ReturnType<typeof apiView>>, sent: number): void {
  t.equal(w1?.w, 1280, 'the wide viewer decodes 1280x720');
  t.ok((w1?.framesDecoded ?? 0) - (w0?.framesDecoded ?? 0) >= sent * 0.9, 'and keeps decoding');
  t.match(api?.rendition, { current: '720p', switches: 0 }, 'it never left 720p');
  t.ok(api?.rendition?.bandwidth?.feedbacks > 10, 'transport-wide CC feedback drives its estimate');
}

async function open(page: Page, l: Link): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://${l.server}:8080/watch/demo`);
      return;
    } catch (err) {
      if (i >= 50) throw err;
      await sleep(200);
    }
  }
}

t.test('Auto behind a 400 kbit/s tbf ends on 360p and decodes steadily; on a wide link it stays on 720p', async (t) => {
  const why = skipReason();
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'camwire-abr-'));
  const children: ChildProcess[] = [];
  let browser: Chromium | undefined;
  try {
    setup();
    children.push(startCamwire(LINKS.narrow, dir), startCamwire(LINKS.wide, dir));
    const wrapper = join(dir, 'chromium-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${CLIENT} /usr/bin/chromium "$@"\n`);
    chmodSync(wrapper, 0o755);
    browser = await launchChromium(wrapper);
    const narrow = await browser.newPage();
    const wide = await browser.newPage();
    await Promise.all([open(narrow, LINKS.narrow), open(wide, LINKS.wide)]);

    // Down within the 4 s once media flows; allowed 20 s here for start-up on a busy machine.
    let down: Awaited<ReturnType<typeof apiView>>;
    for (let i = 0; i < 100; i++) {
      down = await apiView(narrow);
      if (down?.rendition?.current === '360p') break;
      await sleep(200);
    }
    t.equal(down?.rendition?.current, '360p', `the narrow viewer is switched to 360p (${JSON.stringify(down?.rendition)})`);
    await sleep(2000);
    const n0 = await read(narrow);
    const a0 = await apiView(narrow);
    const w0 = await read(wide);
    await sleep(8000);
    const n1 = await read(narrow);
    const a1 = await apiView(narrow);
    const w1 = await read(wide);
    const wApi = await apiView(wide);
    t.comment(JSON.stringify({ narrow: { n0, n1, rendition: a1?.rendition }, wide: { w0, w1, rendition: wApi?.rendition } }));

    const sent = (a1?.accessUnits ?? 0) - (a0?.accessUnits ?? 0);
    const decoded = (n1?.framesDecoded ?? 0) - (n0?.framesDecoded ?? 0);
    t.equal(n1?.w, 640, 'the narrow viewer decodes 640x360');
    t.ok(sent > 0 && decoded >= sent * 0.9, `it decodes steadily: ${decoded} frames of the ${sent} the camera sent in 8 s`);
    t.ok((n1?.freezeCount ?? 0) - (n0?.freezeCount ?? 0) <= 1, 'at most one freeze in the window');
    t.equal(a1?.rendition?.current, '360p', 'and stays on 360p');

    checkWide(t, w0, w1, wApi, sent);
  } finally {
    await browser?.close().catch(() => {});
    // SIGINT stops camwire without a drain; one that has not exited 3 s later is killed.
    await Promise.all(children.map((c) => stop(c)));
    teardown();
    rmSync(dir, { recursive: true, force: true });
  }
});
