/**
 * A viewer whose network drops ALL outgoing UDP: Chromium in its own network namespace (nftables
 * output hook: `meta l4proto udp drop`) opens camwire's player page (/watch/demo), which asks the
 * WHEP endpoint for its ICE servers (OPTIONS -> Link headers with TURN REST credentials) before
 * its offer; Chromium then relays through coturn over TCP, and coturn over UDP to camwire. The
 * gateway and coturn share the other namespace. Proof from getStats(): frames decoded, and the
 * selected pair's local candidate is `relay` over `tcp` (todo: the known gap in docs/reach.md).
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Chromium } from '../../test/support/chromium.js';
import { createNetnsPair, type NetnsPair } from '../support/netns.js';
import { chromiumIn, gatewayIn, missingForNetns, playerState, sh, stop } from './ns-tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SECRET = 'reach-spec-static-auth-secret';

t.test('no UDP at all: Chromium plays the demo camera through TURN over TCP, via the player page', async (t) => {
  const why = missingForNetns([['chromium', '--version'], ['nft', '--version'], ['turnserver', '--version']]);
  if (why) return void t.comment('skip: ' + why);
  const dir = mkdtempSync(join(tmpdir(), 'camwire-turn-'));
  let net: NetnsPair | undefined;
  let turn: ChildProcess | undefined;
  let gateway: ChildProcess | undefined;
  let browser: Chromium | undefined;
  try {
    net = createNetnsPair('rch');
    const server = net.addrA;
    // camwire on an address of its own: coturn relays to peers, not to its own relay address
    const camwire = '10.231.7.3';
    sh(['ip', '-n', net.a, 'addr', 'add', `${camwire}/24`, 'dev', `v${net.a.slice(0, -1)}a`]);
    // the viewer's namespace: a default route towards the server, and not one UDP packet out
    sh(['ip', '-n', net.b, 'route', 'add', 'default', 'via', server]);
    sh(['ip', 'netns', 'exec', net.b, 'nft', '-f', '-'], [
      'table inet camwire_reach {',
      '  chain out { type filter hook output priority 0; policy accept; meta l4proto udp counter drop; }',
      '}',
    ].join('\n'));

    turn = spawn('ip', ['netns', 'exec', net.a, 'turnserver', '-n', `--listening-ip=${server}`, `--relay-ip=${server}`,
      '--listening-port=3478', '--use-auth-secret', `--static-auth-secret=${SECRET}`, '--realm=camwire.test',
      '-v', '--no-tls', '--no-dtls', '--no-cli', '--log-file=stdout', `--pidfile=${join(dir, 'turnserver.pid')}`, `--userdb=${join(dir, 'turndb')}`, '--min-port=49152', '--max-port=49252'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const turnLog: string[] = [];
    createInterface({ input: turn.stdout! }).on('line', (l) => turnLog.push(l));
    for (let i = 0; i < 100 && !turnLog.some((l) => /Total General servers/i.test(l)); i++) await sleep(100);

    const config = {
      http: { host: camwire, port: 0 },
      webrtc: { bindAddress: camwire, iceServers: [{ urls: `turn:${server}:3478?transport=tcp`, secret: SECRET }] },
    };
    const started = await gatewayIn(net.a, config);
    gateway = started.child;
    browser = await chromiumIn(net.b, dir);
    const page = await browser.newPage();
    // ?path=webrtc: this spec is about the WebRTC path, so the page must not fall back
    await page.goto(started.address + '/watch/demo?path=webrtc');
    const read = () => page.evaluate(playerState);
    let s = await read();
    // Waits for frames, but stops once Chromium has dropped every relayed pair it had (it does on
    // the 400 of the known gap below): nothing can play after that, so CI does not wait 15 s.
    let relaySeen = false;
    for (let i = 0; i < 150 && !(s && s.frames >= 10); i++) {
      if (s?.relayPairs) relaySeen = true;
      else if (relaySeen) break;
      await sleep(100);
      s = await read();
    }
    t.comment(JSON.stringify({ ...s, relaySeen }));
    t.equal(s?.servers, 1, 'the player took the ICE server from the WHEP Link header before its offer');
    t.ok(turnLog.some((l) => /ALLOCATE processed, success/.test(l)), 'coturn accepted the minted TURN REST credentials');
    t.ok(s?.tcpRelay, 'Chromium gathered a relay candidate over TCP');
    // Known gap (docs/reach.md, "Why TURN over TCP does not play yet"): Chromium's checks from
    // its TURN-over-TCP relay carry ICE-CONTROLLING with a tie-breaker of 0; libjuice 1.7.2 (in
    // node-datachannel 0.33.4, the newest) cannot tell that from "attribute absent" and answers
    // 400, so Chromium drops the relayed pair. These turn into passes with a fixed libjuice.
    const todo = 'TURN/TCP media path: libjuice answers 400 to Chromium relayed checks (tie-breaker 0)';
    t.ok(s && s.frames >= 10, `frames decoded (${s?.frames})`, { todo });
    t.equal(s?.localType, 'relay', 'the selected local candidate is a TURN relay', { todo });
    t.equal(s?.relayProtocol, 'tcp', 'reached over TCP', { todo });
    const dropped = spawnSync('ip', ['netns', 'exec', net.b, 'nft', 'list', 'table', 'inet', 'camwire_reach'], { encoding: 'utf8' }).stdout;
    t.comment(`UDP dropped in the viewer's namespace: ${/counter packets (\d+)/.exec(dropped)?.[1]}`);
    t.notOk(turnLog.some((l) => l.includes(SECRET)), 'the secret is not in coturn\'s start-up log either');
  } finally {
    await browser?.close().catch(() => {});
    await stop(gateway, 'stdin');
    await stop(turn, 'signal');
    net?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
