/**
 * A camwire process for the restream specs: `node dist/lib/app/cli.js` with the given
 * arguments, its HTTP and RTSP addresses read from what it prints, ended by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/env.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CamwireProcess {
  readonly child: ChildProcess;
  /** http://host:port */
  readonly http: string;
  /** rtsp://host:port, when it restreams. */
  readonly rtsp: string | undefined;
  output(): string;
  /** GET /api/streams, one stream by name. */
  stream(name: string): Promise<StreamSnapshot | undefined>;
  /** SIGINT (clean) or SIGKILL (a crash); resolves with the exit code. */
  stop(signal?: 'SIGINT' | 'SIGKILL'): Promise<number | null>;
}

export interface StreamSnapshot {
  name: string;
  sourceState: string;
  viewers: unknown[];
  accessUnits: number;
  keyframes: number;
  keyframeRequestsForwarded: number;
  keyframeRequestsSuppressed: number;
  timelineRebases: number;
  source: Record<string, number | string>;
}

/** Starts camwire with `args` and, when given, `config` as its --config file. */
export async function startCamwire(args: string[], config?: object): Promise<CamwireProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-restream-'));
  const extra: string[] = [];
  if (config) {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    extra.push('--config', join(dir, 'config.json'));
  }
  const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/app/cli.js'), ...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let http: string | undefined;
  for (let i = 0; i < 300 && !http && child.exitCode === null; i++) {
    http = /open (http:\/\/\S+)\//.exec(out)?.[1];
    if (!http) await sleep(50);
  }
  rmSync(dir, { recursive: true, force: true });
  if (!http) {
    child.kill('SIGKILL');
    throw new Error(`camwire did not start:\n${out}`);
  }
  const rtsp = / and (rtsp:\/\/[^/\s]+)\//.exec(out)?.[1];
  let stopping: Promise<number | null> | undefined;
  return {
    child, http, rtsp,
    output: () => out,
    stream: async (name) => {
      const api = (await (await fetch(http + '/api/streams')).json()) as { streams: StreamSnapshot[] };
      return api.streams.find((s) => s.name === name);
    },
    stop: (signal = 'SIGINT') => {
      stopping ??= (async () => {
        if (child.exitCode === null) process.kill(child.pid!, signal);
        const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
        if (code !== 'timeout') return code;
        process.kill(child.pid!, 'SIGKILL');
        return exited;
      })();
      return stopping;
    },
  };
}
