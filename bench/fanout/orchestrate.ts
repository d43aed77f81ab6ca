/**
 * Runs one fan-out measurement: a sender child (camwire or the native floor), a receivers
 * child with N node-datachannel viewers joined over WHEP, then timed windows in which the
 * sender's CPU time is divided by the packets the viewers actually received.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mark } from './sender-protocol.js';

const here = dirname(fileURLToPath(import.meta.url));

type Msg = Record<string, unknown>;

class Child {
  private readonly proc: ChildProcess;
  private readonly queue: Msg[] = [];
  private waiter: ((m: Msg) => void) | undefined;
  private exited = false;

  constructor(script: string, execArgv: string[] = [], env: NodeJS.ProcessEnv = {}) {
    this.proc = fork(join(here, script), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv, env: { ...process.env, ...env } });
    this.proc.on('message', (m: Msg) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(m);
      } else this.queue.push(m);
    });
    this.proc.on('error', () => {
      /* a send to a child that died: ask() rejects through 'exit' */
    });
    this.proc.on('exit', () => {
      this.exited = true;
      this.waiter?.({ error: `${script} exited` });
    });
  }

  next<T = Msg>(timeoutMs = 120_000): Promise<T> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m as T);
    if (this.exited) return Promise.reject(new Error('child exited'));
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('child did not answer')), timeoutMs);
      this.waiter = (x) => {
        clearTimeout(t);
        if (typeof x.error === 'string') reject(new Error(x.error));
        else resolve(x as T);
      };
    });
  }

  async ask<T = Msg>(msg: Msg, timeoutMs?: number): Promise<T> {
    if (this.exited || !this.proc.connected) throw new Error('child exited');
    this.proc.send(msg);
    return this.next<T>(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    try {
      await this.ask({ cmd: 'close' }, 15_000);
      // It exits right after answering (a profiled one writes its profile first).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20_000);
        this.proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        if (this.exited) resolve();
      });
    } catch {
      /* fall through to kill */
    }
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

export interface WindowResult {
  cpuNsPerDelivered: number;
  /** Sender CPU seconds per wall second. */
  cpuFraction: number;
  delivered: number;
  sent: number;
  gaps: number;
}

/**
 * A sender the orchestrator does not fork (tools/peers: a Janus process and its camera): its
 * own URL to join, how viewers join it, and its CPU and memory marks.
 */
export interface ExternalSender {
  name: string;
  url: string;
  join: 'whep' | 'janus';
  /** `memory`: a mark for the memory figures (a child collects its garbage first), not for CPU. */
  mark(memory?: boolean): Promise<Mark>;
  close(): Promise<void>;
}

/** camwire or the floor as a forked child (with extra environment), or an external sender. */
export type SenderSpec = 'camwire' | 'floor' | { child: 'camwire' | 'floor'; env: NodeJS.ProcessEnv } | ExternalSender;

class ChildSender {
  private constructor(private readonly child: Child, readonly name: string, readonly url: string) {}

  static async start(kind: 'camwire' | 'floor', env: NodeJS.ProcessEnv): Promise<ChildSender> {
    // CAMWIRE_FANOUT_PROF=<dir>: the sender writes a V8 CPU profile there (node --cpu-prof).
    const prof = process.env.CAMWIRE_FANOUT_PROF;
    const child = new Child(`${kind}-sender.js`, ['--expose-gc', ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])], env);
    try {
      const { url } = await child.next<{ url: string }>();
      return new ChildSender(child, kind, url);
    } catch (err) {
      await child.close();
      throw err;
    }
  }

  readonly join = 'whep' as const;
  mark(memory = false): Promise<Mark> {
    return this.child.ask<Mark>({ cmd: 'mark', collect: memory });
  }
  close(): Promise<void> {
    return this.child.close();
  }
}

function startSender(spec: SenderSpec, env: NodeJS.ProcessEnv): Promise<ExternalSender> {
  if (spec === 'camwire' || spec === 'floor') return ChildSender.start(spec, env);
  if ('child' in spec) return ChildSender.start(spec.child, { ...env, ...spec.env });
  return Promise.resolve(spec);
}

export interface FanoutRun {
  sender: string;
  viewers: number;
  joinFailures: number;
  joinErrors: string[];
  ttffMs: number[];
  openMs: number[];
  answerMs: number[];
  windows: WindowResult[];
  rssBefore: number;
  /** After the first viewer joined (and played FIRST_VIEWER_SETTLE_MS), before the others. */
  rssAfterFirst: number;
  rssAfter: number;
  rssAnonBefore: number;
  rssAnonAfterFirst: number;
  rssAnonAfter: number;
  heapUsedBefore: number;
  heapUsedAfterFirst: number;
  heapUsedAfter: number;
}

type Joined = { joined: number; failed: number; errors: string[]; ttffMs: number[]; openMs: number[]; answerMs: number[] };

/** How long the first viewer plays alone before the memory mark that splits one-time from per-viewer cost. */
const FIRST_VIEWER_SETTLE_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `senderEnv`: extra environment for a forked sender (CAMWIRE_FANOUT_CAPTURE=<dir> captures the stream). */
export async function fanoutRun(spec: SenderSpec, n: number, windows: number, windowMs: number, settleMs = 2500, senderEnv: NodeJS.ProcessEnv = {}): Promise<FanoutRun> {
  const r = new Child('receivers.js');
  let s: ExternalSender | undefined;
  try {
    s = await startSender(spec, senderEnv);
    const url = s.url;
    await r.next();
    await sleep(300);
    const before = await s.mark(true);
    // The first viewer alone, then the rest: the first pays the one-time costs (native library
    // start, certificate, JIT of the viewer path), which divided by N would pass for per-viewer.
    const first = await r.ask<Joined>({ cmd: 'join', url, mode: s.join, n: 1, concurrency: 1, waitMs: n > 1 ? FIRST_VIEWER_SETTLE_MS : settleMs }, 300_000);
    const afterFirst = await s.mark(true);
    // the first viewer's time alone counts toward the settling time: a run takes no longer for the split
    const rest = n > 1 ? await r.ask<Joined>({ cmd: 'join', url, mode: s.join, n: n - 1, concurrency: 4, waitMs: Math.max(0, settleMs - FIRST_VIEWER_SETTLE_MS) }, 300_000) : first;
    const joined = n > 1 ? { ...rest, failed: first.failed + rest.failed, errors: [...first.errors, ...rest.errors] } : first;
    const results: WindowResult[] = [];
    for (let w = 0; w < windows; w++) {
      const a = await s.mark();
      const ra = await r.ask<{ packets: number; gaps: number }>({ cmd: 'mark' });
      await sleep(windowMs);
      const b = await s.mark();
      const rb = await r.ask<{ packets: number; gaps: number }>({ cmd: 'mark' });
      const cpuNs = (b.cpuUs - a.cpuUs) * 1000;
      const delivered = rb.packets - ra.packets;
      results.push({
        cpuNsPerDelivered: delivered > 0 ? cpuNs / delivered : Infinity,
        cpuFraction: cpuNs / ((b.wallMs - a.wallMs) * 1e6),
        delivered,
        sent: b.packetsSent - a.packetsSent,
        gaps: rb.gaps - ra.gaps,
      });
    }
    const last = await s.mark(true);
    return {
      sender: s.name, viewers: joined.joined, joinFailures: joined.failed, joinErrors: joined.errors, ttffMs: joined.ttffMs, openMs: joined.openMs, answerMs: joined.answerMs, windows: results,
      rssBefore: before.rss, rssAfterFirst: afterFirst.rss, rssAfter: last.rss, rssAnonBefore: before.rssAnon, rssAnonAfterFirst: afterFirst.rssAnon, rssAnonAfter: last.rssAnon,
      heapUsedBefore: before.heapUsed, heapUsedAfterFirst: afterFirst.heapUsed, heapUsedAfter: last.heapUsed,
    };
  } finally {
    await r.close();
    await s?.close();
  }
}
