/**
 * A viewer whose network drops ALL UDP and no TURN server configured: Chromium (in its own
 * network namespace, nftables output hook `meta l4proto udp drop`) opens camwire's player page,
 * whose WebRTC attempt never connects; the page falls back to fragmented MP4 over the WebSocket
 * on the same HTTP port and plays the demo camera through MSE, kept at most 1.5 s behind the
 * buffered end, frames advancing. The fallback's lag is printed (measured, not asserted).
 */
import t from 'tap';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chromium } from '../../test/support/chromium.js';
import { createNetnsPair, type NetnsPair } from '../support/netns.js';
import { chromiumIn, gatewayIn, missingForNetns, sh, stop } from './ns-tools.js';
import { fallbackState, lagSummary, watchFallback } from './fallback-page.js';

t.test('no UDP and no TURN: the player page falls back to the WebSocket and plays near the live edge', async (t) => {
  const why = missingForNetns([['chromium', '--version'], ['nft', '--version']]);
  if (why) return void t.comment('skip: ' + why);
  const dir = mkdtempSync(join(tmpdir(), 'camwire-fallback-'));
  let net: NetnsPair | undefined;
  let gateway: ChildProcess | undefined;
  let browser: Chromium | undefined;
  try {
    net = createNetnsPair('fbk');
    sh(['ip', '-n', net.b, 'route', 'add', 'default', 'via', net.addrA]);
    sh(['ip', 'netns', 'exec', net.b, 'nft', '-f', '-'], [
      'table inet camwire_fallback {',
      '  chain out { type filter hook output priority 0; policy accept; meta l4proto udp counter drop; }',
      '}',
    ].join('\n'));
    const started = await gatewayIn(net.a, { http: { host: net.addrA, port: 0 }, webrtc: { bindAddress: net.addrA } });
    gateway = started.child;
    browser = await chromiumIn(net.b, dir);
    const page = await browser.newPage();
    await page.goto(started.address + '/watch/demo');
    const run = await watchFallback(() => page.evaluate(fallbackState), 8);
    const last = run.samples.at(-1);
    t.comment(JSON.stringify({ fallbackAtMs: run.fallbackAtMs, firstFrameMs: run.firstFrameMs, last }));
    t.equal(last?.path, 'websocket', 'the page plays over the WebSocket');
    t.match(last?.reason ?? '', /ICE/, `and says why: ${last?.reason}`);
    t.equal(last?.width, 1280, 'the demo camera\'s picture');
    const first = run.samples[0];
    t.ok(last && first && last.frames - first.frames >= 100, `frames advance (${first?.frames} -> ${last?.frames} in 8 s)`);
    t.ok(last && first && last.currentTime - first.currentTime >= 5, 'the video clock advances');
    const behind = run.samples.slice(10).filter((s) => s.lag > 1.5);
    t.same(behind, [], 'never more than 1.5 s behind the buffered end once playing');
    const lag = lagSummary(run.samples);
    const dropped = spawnSync('ip', ['netns', 'exec', net.b, 'nft', 'list', 'table', 'inet', 'camwire_fallback'], { encoding: 'utf8' }).stdout;
    // measured, for docs/reach.md: how long the page tried WebRTC, and how far behind the newest frame it plays
    console.log(JSON.stringify({
      bench: 'fallback-latency', browser: 'chromium', fallbackAtMs: run.fallbackAtMs, firstFrameMs: run.firstFrameMs,
      lagMeanMs: lag.meanMs, lagP95Ms: lag.p95Ms, lagMaxMs: lag.maxMs, udpDropped: Number(/counter packets (\d+)/.exec(dropped)?.[1] ?? -1),
    }));
  } finally {
    await browser?.close().catch(() => {});
    await stop(gateway, 'stdin');
    net?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
