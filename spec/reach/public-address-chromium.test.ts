/**
 * `webrtc.publicAddresses` behind a 1:1 NAT: camwire's ICE binds to an address the viewer has
 * no route to (on the loopback of the server's namespace), and a DNAT rule maps a "public"
 * address to it, as a cloud VM's or a Docker host's NAT does. Chromium in the other namespace
 * plays the demo camera through the player page only because the answer also carries the
 * public address as a host candidate; the selected pair's remote address proves which one.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Chromium } from '../../test/support/chromium.js';
import { createNetnsPair, type NetnsPair } from '../support/netns.js';
import { chromiumIn, gatewayIn, missingForNetns, playerState, sh, stop } from './ns-tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PRIVATE = '10.231.8.1';
const PUBLIC = '198.51.100.10';

t.test('publicAddresses: a viewer reaches camwire through a 1:1 NAT by the advertised address', async (t) => {
  const why = missingForNetns([['chromium', '--version'], ['nft', '--version']]);
  if (why) return void t.comment('skip: ' + why);
  const dir = mkdtempSync(join(tmpdir(), 'camwire-public-'));
  let net: NetnsPair | undefined;
  let gateway: ChildProcess | undefined;
  let browser: Chromium | undefined;
  try {
    net = createNetnsPair('pub');
    sh(['ip', '-n', net.a, 'addr', 'add', `${PRIVATE}/32`, 'dev', 'lo']);
    // the NAT in front of camwire: the public address is forwarded to the private one
    sh(['ip', 'netns', 'exec', net.a, 'nft', '-f', '-'], [
      'table ip camwire_nat {',
      `  chain pre { type nat hook prerouting priority -100; ip daddr ${PUBLIC} counter dnat to ${PRIVATE}; }`,
      '}',
    ].join('\n'));
    // the viewer: a route to everything through the server's side, but the private address
    // itself is out of reach (as it is from the Internet)
    sh(['ip', '-n', net.b, 'route', 'add', 'default', 'via', net.addrA]);
    sh(['ip', 'netns', 'exec', net.b, 'nft', '-f', '-'], [
      'table inet camwire_viewer {',
      `  chain out { type filter hook output priority 0; policy accept; ip daddr ${PRIVATE} counter drop; }`,
      '}',
    ].join('\n'));

    const started = await gatewayIn(net.a, {
      http: { host: net.addrA, port: 0 },
      webrtc: { bindAddress: PRIVATE, publicAddresses: [PUBLIC] },
    });
    gateway = started.child;
    browser = await chromiumIn(net.b, dir);
    const page = await browser.newPage();
    // ?path=webrtc: this spec is about the WebRTC path, so the page must not fall back
    await page.goto(started.address + '/watch/demo?path=webrtc');
    let s = await page.evaluate(playerState);
    for (let i = 0; i < 150 && !(s && s.frames >= 10); i++) {
      await sleep(100);
      s = await page.evaluate(playerState);
    }
    t.comment(JSON.stringify(s));
    t.ok(s && s.frames >= 10, `frames decoded (${s?.frames})`);
    t.equal(s?.remoteAddress, PUBLIC, 'the selected pair reaches camwire at the advertised address');
  } finally {
    await browser?.close().catch(() => {});
    await stop(gateway, 'stdin');
    net?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
