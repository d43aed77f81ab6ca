/**
 * The network of the bottleneck spec: one client namespace where Chromium runs and, per link,
 * a server namespace running camwire's CLI with its demo camera (two renditions), joined to the
 * client by a veth pair. The server's side of each veth may carry a `tc tbf` queue, changed
 * mid-run; the client's side may drop a random share of what that server sends (nftables on
 * the client's input hook: a drop on the server's output hook would fail its sendto with EPERM
 * instead of losing the packet on the way).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/env.js';
import { sh } from '../reach/ns-tools.js';
import type { Page } from 'playwright-core';

/** Namespaces and devices are named after the branch that made them, so parallel runs never clash. */
const TAG = `abrtbf${process.pid % 10000}`;
export const CLIENT = `${TAG}c`;
const LOSS_TABLE = 'abrtbf_loss';

export interface Link {
  name: string;
  ns: string;
  server: string;
  client: string;
  serverDev: string;
}

export function link(name: string, index: number): Link {
  return { name, ns: `${TAG}${name}`, server: `10.91.${index}.1`, client: `10.91.${index}.2`, serverDev: `${TAG}${name}v` };
}

export function setupLinks(links: Link[]): void {
  sh(['ip', 'netns', 'add', CLIENT]);
  sh(['ip', '-n', CLIENT, 'link', 'set', 'lo', 'up']);
  for (const l of links) {
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
  sh(['ip', '-n', CLIENT, 'route', 'add', 'default', 'dev', `${links[0].serverDev}c`]);
  sh(['ip', 'netns', 'exec', CLIENT, 'nft', '-f', '-'], `table inet ${LOSS_TABLE} {\n  chain input {\n    type filter hook input priority 0;\n  }\n}\n`);
}

/** Removes every namespace (their veths, queues and rules go with them); safe after a partial setup. */
export function teardownLinks(links: Link[]): void {
  for (const ns of [CLIENT, ...links.map((l) => l.ns)]) spawnSync('ip', ['netns', 'del', ns]);
}

/** Sets (or changes, mid-run) the tbf queue on the server's side of `l`, e.g. `rate 400kbit burst 8kb latency 200ms`. */
export function shape(l: Link, tbf: string): void {
  sh(['ip', 'netns', 'exec', l.ns, 'tc', 'qdisc', 'replace', 'dev', l.serverDev, 'root', 'tbf', ...tbf.split(' ')]);
}

/** Packets dropped so far by the current loss rule (each setLoss starts a new count). */
export function dropped(): number {
  const r = spawnSync('ip', ['netns', 'exec', CLIENT, 'nft', 'list', 'chain', 'inet', LOSS_TABLE, 'input'], { encoding: 'utf8' });
  return Number(/counter packets (\d+)/.exec(r.stdout)?.[1] ?? 0);
}

/** Drops `percent`% of the UDP that `l`'s server sends, at random, from now on (replacing the rule before). */
export function setLoss(l: Link, percent: number): void {
  const rule = `add rule inet ${LOSS_TABLE} input ip saddr ${l.server} meta l4proto udp numgen random mod 100 < ${percent} counter drop`;
  sh(['ip', 'netns', 'exec', CLIENT, 'nft', '-f', '-'], `flush chain inet ${LOSS_TABLE} input\n${rule}\n`);
}

/**
 * camwire's CLI in `l`'s namespace, serving its demo camera: media on the link's address, HTTP
 * there and on the namespace's loopback (where the spec's api-poller reads it past the queue).
 */
export function startCamwire(l: Link, dir: string, port: number): ChildProcess {
  const file = join(dir, `${l.ns}.json`);
  writeFileSync(file, JSON.stringify({ http: { host: '0.0.0.0', port }, webrtc: { bindAddress: l.server }, log: { level: 'warn' } }));
  return spawn('ip', ['netns', 'exec', l.ns, process.execPath, join(repoRoot, 'dist/lib/app/cli.js'), '--config', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** SIGINT stops camwire without a drain; one that has not exited 3 s later is killed. */
export function stopCamwire(c: ChildProcess): Promise<void> {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens the player page of `l`'s server, retrying while camwire starts. */
export async function openPlayer(page: Page, l: Link, port: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await page.goto(`http://${l.server}:${port}/watch/demo`);
      return;
    } catch (err) {
      if (i >= 50) throw err;
      await sleep(200);
    }
  }
}
