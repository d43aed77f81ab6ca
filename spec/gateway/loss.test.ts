/**
 * 5% random loss on the WebRTC leg (nftables `numgen random` drop inside a network namespace,
 * on the gateway's outgoing UDP only) with real Chromium: answering NACKs keeps packetsLost
 * near zero and the picture flowing. A second stream with NACK answers switched off, watched
 * at the same time through the same lossy link, shows what happens without them.
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inCI, missingTool, repoRoot } from '../../test/support/env.js';
import { launchChromium, startViewer, viewerStats, VIEWER_SCRIPT, type Chromium, type InboundVideoStats } from '../../test/support/chromium.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = `camwire-loss-${process.pid}`;
const PORTS = [42000, 42099];

function sh(args: string[]): void {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

function skipReason(): string | false {
  for (const [tool, arg] of [['chromium', '--version'], ['ffmpeg', '-version'], ['nft', '--version'], ['ip', '-V']]) {
    const why = missingTool(tool, arg);
    if (why) return why;
  }
  if (process.getuid?.() !== 0) {
    if (inCI) throw new Error('the loss test needs root (network namespaces, nftables) in CI');
    return 'not root: cannot create a network namespace';
  }
  return false;
}

function setupNamespace(): void {
  const a = `cwl${process.pid % 100000}a`;
  const b = `cwl${process.pid % 100000}b`;
  sh(['ip', 'netns', 'add', NS]);
  sh(['ip', '-n', NS, 'link', 'set', 'lo', 'up']);
  // Chromium gathers no candidates with only lo: give it an interface and a default route.
  sh(['ip', 'link', 'add', a, 'netns', NS, 'type', 'veth', 'peer', 'name', b, 'netns', NS]);
  sh(['ip', '-n', NS, 'link', 'set', a, 'up']);
  sh(['ip', '-n', NS, 'link', 'set', b, 'up']);
  sh(['ip', '-n', NS, 'addr', 'add', '10.213.0.1/24', 'dev', a]);
  sh(['ip', '-n', NS, 'route', 'add', 'default', 'dev', a]);
  const rules = [
    'table inet camwire_loss {',
    '  chain input {',
    '    type filter hook input priority 0;',
    `    udp sport ${PORTS[0]}-${PORTS[1]} numgen random mod 100 < 5 counter drop`,
    '  }',
    '}',
  ].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft: ${r.stderr}`);
}

function droppedPackets(): number {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'table', 'inet', 'camwire_loss'], { encoding: 'utf8' });
  return Number(/counter packets (\d+)/.exec(r.stdout)?.[1] ?? -1);
}

t.test('5% loss on the WebRTC leg: NACKs answered keep Chromium smooth', async (t) => {
  const why = skipReason();
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'camwire-loss-'));
  let child: ChildProcess | undefined;
  let browser: Chromium | undefined;
  try {
    setupNamespace();
    const wrapper = join(dir, 'chromium-in-ns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} /usr/bin/chromium "$@"\n`);
    chmodSync(wrapper, 0o755);
    const cfg = {
      clip: { width: 640, height: 360, seconds: 4, gop: 60 },
      streams: { nack: { onDemand: true }, rtx: { onDemand: true, rtx: true }, nonack: { onDemand: true, nack: false } },
      portRangeBegin: PORTS[0],
      portRangeEnd: PORTS[1],
    };
    child = spawn('ip', ['netns', 'exec', NS, process.execPath, join(repoRoot, 'dist/test/support/gateway-child.js'), JSON.stringify(cfg)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const it = lines[Symbol.asyncIterator]();
    const first = await it.next();
    const { address } = JSON.parse(first.value) as { address: string };
    browser = await launchChromium(wrapper);
    const page = await browser.newPage();
    await page.goto(address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    const withNack = await startViewer(page, address + '/whep/nack');
    const withRtx = await startViewer(page, address + '/whep/rtx');
    const withoutNack = await startViewer(page, address + '/whep/nonack');
    // The on-demand stream starts sending before the peers connect (ICE, DTLS), and that start-up
    // takes longer on a busy machine: the pace is judged over a window once frames are decoding.
    for (let i = 0; i < 100 && (await viewerStats(page, withNack)).firstFrameMs < 0; i++) await sleep(100);
    await sleep(1000);
    const sentAus = async () => ((await page.evaluate(async () => (await fetch('/api/streams')).json())) as any).streams.find((s: any) => s.name === 'nack').accessUnits as number;
    const before = { a: await viewerStats(page, withNack), b: await viewerStats(page, withoutNack), c: await viewerStats(page, withRtx), sent: await sentAus() };
    await sleep(7000);
    const a: InboundVideoStats = await viewerStats(page, withNack);
    const b: InboundVideoStats = await viewerStats(page, withoutNack);
    const c: InboundVideoStats = await viewerStats(page, withRtx);
    const api = (await page.evaluate(async () => (await fetch('/api/streams')).json())) as any;
    const server = (name: string) => api.streams.find((s: any) => s.name === name);
    const dropped = droppedPackets();
    const sent = (name: string) => server(name).viewers[0];
    const pick = (s: InboundVideoStats) => ({
      framesDecoded: s.framesDecoded, packetsReceived: s.packetsReceived, packetsLost: s.packetsLost, nackCount: s.nackCount,
      pliCount: s.pliCount, freezeCount: s.freezeCount, totalFreezesDuration: s.totalFreezesDuration,
      retransmittedPacketsReceived: s.retransmittedPacketsReceived,
    });
    t.comment(`packets dropped by nftables: ${dropped}`);
    t.comment(`NACK answered: ${JSON.stringify(pick(a))} server: retransmitted=${sent('nack').retransmitted} unavailable=${sent('nack').retransmitUnavailable}`);
    t.comment(`RTX answers:   ${JSON.stringify(pick(c))} server: rtxSent=${sent('rtx').rtxSent}`);
    t.comment(`NACK ignored:  ${JSON.stringify(pick(b))} server: nacksReceived=${sent('nonack').nacksReceived}`);
    const auSent = server('nack').accessUnits - before.sent;
    const decoded = (now: InboundVideoStats, then: InboundVideoStats) => now.framesDecoded - then.framesDecoded;
    t.comment(`first frame after (ms): nack ${Math.round(a.firstFrameMs)}, rtx ${Math.round(c.firstFrameMs)}, ignored ${Math.round(b.firstFrameMs)}; window: ${auSent} frames sent`);
    t.ok(dropped > 20, 'the link really lost packets');
    t.ok(a.nackCount > 0, 'Chromium sent NACKs');
    t.ok(sent('nack').retransmitted + sent('nack').rtxSent > 0, 'camwire answered them');
    t.ok(a.packetsLost <= Math.max(3, a.packetsReceived * 0.005), `packetsLost stays near zero (${a.packetsLost} of ${a.packetsReceived})`);
    t.ok(decoded(a, before.a) >= auSent * 0.8, `framesDecoded keeps pace (${decoded(a, before.a)} of ${auSent} sent in the window)`);
    t.ok(b.packetsLost > a.packetsLost, 'without NACK answers the loss shows');
    // Chromium counts RTX-recovered packets as lost (they are 'recovered', not 'received'),
    // so with RTX the proof is in the frames and the server's RTX count.
    t.ok(sent('rtx').rtxSent > 0, 'RTX negotiated and sent');
    t.ok(decoded(c, before.c) > decoded(b, before.b) * 2, `RTX answers recover the picture too (${decoded(c, before.c)} frames in the window)`);
    t.ok(decoded(b, before.b) < decoded(a, before.a) / 2, `without NACK answers the picture stalls (${decoded(b, before.b)} frames in the window)`);
  } finally {
    await browser?.close().catch(() => {});
    if (child) {
      child.stdin?.end();
      await new Promise<void>((r) => {
        const timer = setTimeout(() => {
          child!.kill('SIGKILL');
          r();
        }, 5000);
        child!.on('exit', () => {
          clearTimeout(timer);
          r();
        });
      });
    }
    spawnSync('ip', ['netns', 'delete', NS]);
    rmSync(dir, { recursive: true, force: true });
  }
});
