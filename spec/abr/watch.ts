/**
 * Watches one link's viewer through a run: every 250 ms what Chromium decodes (getStats in the
 * player page) and, from the api-poller in the server's namespace, what camwire says of that
 * viewer, merged into one list of samples that the spec's cases then read by time window. The
 * times are the spec's, for the report: a case states its bounds (the goals) on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Page } from 'playwright-core';
import { repoRoot } from '../../test/support/env.js';
import { stop } from '../reach/ns-tools.js';

/** What Chromium's inbound-rtp video stats say. */
interface PageSample {
  frames: number;
  width: number;
  freezes: number;
  freezeSeconds: number;
  nacks: number;
  lost: number;
}

/** What camwire's /api/streams says of the viewer. */
export interface ApiSample {
  /** The rendition camwire sends the viewer now ('' before it has one). */
  rendition: string;
  /** The rendition camwire has chosen (sent from that rendition's next keyframe on). */
  target: string;
  switches: number;
  estimateBps: number;
  /** What the viewer acknowledged receiving (bit/s), and the delay detector's verdict. */
  ackedBps: number;
  usage: string;
  /** Transport-wide CC feedbacks camwire has had from the viewer. */
  feedbacks: number;
  /** Access units the stream's camera has sent (the frames there were to decode). */
  sent: number;
  /** Padding probes measured, and the latest one's result (bit/s). */
  probes: number;
  probeBps: number;
}

export interface Sample extends PageSample, ApiSample {
  /** ms since the watch started. */
  t: number;
}

/** Runs in the page. */
async function pageSample(): Promise<PageSample | undefined> {
  const pc = (globalThis as any).camwirePlayer?.pc;
  if (!pc) return undefined;
  let s: any = {};
  (await pc.getStats()).forEach((x: any) => {
    if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
  });
  return {
    frames: s.framesDecoded ?? 0, width: s.frameWidth ?? 0, freezes: s.freezeCount ?? 0, freezeSeconds: s.totalFreezesDuration ?? 0,
    nacks: s.nackCount ?? 0, lost: s.packetsLost ?? 0,
  };
}

const NO_API: ApiSample = { rendition: '', target: '', switches: 0, estimateBps: 0, ackedBps: 0, usage: '', feedbacks: 0, sent: 0, probes: 0, probeBps: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Watch {
  readonly samples: Sample[] = [];
  private readonly t0 = performance.now();
  private running = true;
  private api = NO_API;
  private readonly poller: ChildProcess;
  private readonly loop: Promise<void>;

  /** Watches `page`, the player of the camwire in namespace `ns` (its API on `port`). */
  constructor(private readonly page: Page, ns: string, port: number) {
    this.poller = spawn('ip', ['netns', 'exec', ns, process.execPath, join(repoRoot, 'dist/spec/abr/api-poller.js'), String(port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.poller.stdout! }).on('line', (line) => {
      this.api = JSON.parse(line) as ApiSample;
    });
    this.loop = this.run();
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** The first sample from now on that satisfies `pred`, or undefined after `timeoutMs`. */
  async until(pred: (s: Sample) => boolean, timeoutMs: number): Promise<Sample | undefined> {
    const end = this.now() + timeoutMs;
    for (let i = this.samples.length; ; ) {
      for (; i < this.samples.length; i++) if (pred(this.samples[i])) return this.samples[i];
      if (this.now() > end || !this.running) return undefined;
      await sleep(50);
    }
  }

  /** The samples in [from, to) (ms of this watch). */
  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.t >= from && s.t < to);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await stop(this.poller, 'stdin');
  }

  private async run(): Promise<void> {
    while (this.running) {
      const s = await this.page.evaluate(pageSample).catch(() => undefined);
      // Until the poller has found the viewer, a sample would say it is on no rendition.
      if (s && this.api !== NO_API) this.samples.push({ t: this.now(), ...s, ...this.api });
      await sleep(250);
    }
  }
}

/** What a window of samples shows: frames decoded of those sent, freezes, time on each rendition. */
export interface Window {
  seconds: number;
  decoded: number;
  sent: number;
  freezes: number;
  freezeSeconds: number;
  nacks: number;
  lost: number;
  switches: number;
  /** Share of the samples on each rendition. */
  shares: Record<string, number>;
}

export function summarize(w: Sample[]): Window {
  const a = w[0];
  const b = w[w.length - 1];
  const shares: Record<string, number> = {};
  for (const s of w) shares[s.rendition] = (shares[s.rendition] ?? 0) + 1 / w.length;
  for (const k of Object.keys(shares)) shares[k] = Math.round(shares[k] * 1000) / 1000;
  if (!a || !b) return { seconds: 0, decoded: 0, sent: 0, freezes: 0, freezeSeconds: 0, nacks: 0, lost: 0, switches: 0, shares };
  return {
    seconds: Math.round(b.t - a.t) / 1000,
    decoded: b.frames - a.frames,
    sent: b.sent - a.sent,
    freezes: b.freezes - a.freezes,
    freezeSeconds: Math.round((b.freezeSeconds - a.freezeSeconds) * 1000) / 1000,
    nacks: b.nacks - a.nacks,
    lost: b.lost - a.lost,
    switches: b.switches - a.switches,
    shares,
  };
}
