/** Two network namespaces joined by a veth pair, for tests that need two hosts (multicast). */
import { spawnSync } from 'node:child_process';
import { inCI } from '../../test/support/env.js';

export interface NetnsPair {
  a: string;
  b: string;
  addrA: string;
  addrB: string;
  destroy(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error}`);
}

/** Skip reason when namespaces cannot be created here (not root, no iproute2); throws in CI. */
export function missingNetns(): string | false {
  const name = `cwprobe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status === 0) {
    spawnSync('ip', ['netns', 'del', name]);
    return false;
  }
  if (inCI) throw new Error(`ip netns is required in CI: ${r.stderr || r.error}`);
  return `cannot create network namespaces (${(r.stderr || String(r.error)).trim()})`;
}

export function createNetnsPair(tag: string): NetnsPair {
  const id = `${tag}${process.pid % 100000}`;
  const a = `${id}a`;
  const b = `${id}b`;
  const addrA = '10.231.7.1';
  const addrB = '10.231.7.2';
  const destroy = () => {
    spawnSync('ip', ['netns', 'del', a]);
    spawnSync('ip', ['netns', 'del', b]);
  };
  try {
    ip(['netns', 'add', a]);
    ip(['netns', 'add', b]);
    ip(['link', 'add', `v${id}a`, 'type', 'veth', 'peer', 'name', `v${id}b`]);
    ip(['link', 'set', `v${id}a`, 'netns', a]);
    ip(['link', 'set', `v${id}b`, 'netns', b]);
    for (const [ns, dev, addr] of [[a, `v${id}a`, addrA], [b, `v${id}b`, addrB]]) {
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'link', 'set', dev, 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev]);
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return { a, b, addrA, addrB, destroy };
}
