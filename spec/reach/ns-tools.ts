/** Shared by the reach specs: commands in network namespaces, the gateway child, Chromium inside. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inCI, missingTool, repoRoot } from '../../test/support/env.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';
import { missingNetns } from '../support/netns.js';

/** Skip reason when a tool, root or namespaces are missing (each a failure in CI). */
export function missingForNetns(tools: [string, string][]): string | false {
  for (const [tool, arg] of tools) {
    const why = missingTool(tool, arg);
    if (why) return why;
  }
  if (process.getuid?.() !== 0) {
    if (inCI) throw new Error('the reach specs need root (network namespaces, nftables) in CI');
    return 'not root: cannot create a network namespace';
  }
  return missingNetns();
}

export function sh(args: string[], input?: string): void {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

/** Resolves with the first line of `child`'s stdout that satisfies `match`. */
export function lineFrom(child: ChildProcess, match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (!match(line)) return;
      clearTimeout(timer);
      rl.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code})`)));
  });
}

/** Ends a child (stdin closed, or SIGTERM), SIGKILL after 5 s. */
export async function stop(child: ChildProcess | undefined, how: 'stdin' | 'signal'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  if (how === 'stdin') child.stdin?.end();
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The demo camera + gateway (gateway-in-ns.js) inside namespace `ns`; resolves with its address. */
export async function gatewayIn(ns: string, config: unknown): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repoRoot, 'dist/spec/reach/gateway-in-ns.js'), JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const { address } = JSON.parse(await lineFrom(child, (l) => l.startsWith('{'), 15_000, 'gateway')) as { address: string };
  return { child, address };
}

/** Headless Chromium inside namespace `ns` (a wrapper script in `dir` enters it). */
export function chromiumIn(ns: string, dir: string): Promise<Chromium> {
  const wrapper = join(dir, 'chromium-in-ns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  return launchChromium(wrapper);
}

/** What the player page's RTCPeerConnection says: frames decoded and the selected candidate pair. */
export interface PlayerState {
  frames: number;
  servers: number;
  localType?: string;
  relayProtocol?: string;
  remoteAddress?: string;
  /** Some gathered local candidate is a TURN relay over TCP. */
  tcpRelay: boolean;
  /** Candidate pairs whose local candidate is a TURN relay (Chromium drops a pair its peer refused). */
  relayPairs: number;
}

/** Runs in the page: reads window.camwirePlayer.pc. */
export async function playerState(): Promise<PlayerState | undefined> {
  const pc = (globalThis as any).camwirePlayer?.pc;
  if (!pc) return undefined;
  const report = await pc.getStats();
  let frames = 0;
  let pairId: string | undefined;
  let tcpRelay = false;
  let relayPairs = 0;
  report.forEach((s: any) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded ?? 0;
    if (s.type === 'transport') pairId = s.selectedCandidatePairId;
    if (s.type === 'local-candidate' && s.candidateType === 'relay' && s.relayProtocol === 'tcp') tcpRelay = true;
    if (s.type === 'candidate-pair' && report.get(s.localCandidateId)?.candidateType === 'relay') relayPairs++;
  });
  const pair = pairId ? report.get(pairId) : undefined;
  const local = pair ? report.get(pair.localCandidateId) : undefined;
  const remote = pair ? report.get(pair.remoteCandidateId) : undefined;
  return {
    frames, servers: (pc.getConfiguration().iceServers ?? []).length, tcpRelay, relayPairs,
    localType: local?.candidateType, relayProtocol: local?.relayProtocol, remoteAddress: remote?.address,
  };
}
