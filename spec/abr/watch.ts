/**
 * Watches one player page through a run: every 250 ms, what Chromium decodes (getStats) and
 * what camwire says of the page's viewer (/api/streams), into one list of samples that the
 * spec's cases then read by time window. The times are the spec's, for the report: a case
 * states its bounds (the goals) against them.
 */
import type { Page } from 'playwright-core';

export interface Sample {
  /** ms since the watch started. */
  t: number;
  frames: number;
  width: number;
  freezes: number;
  freezeSeconds: number;
  nacks: number;
  lost: number;
  /** The rendition camwire sends the viewer now ('' before it has one). */
  rendition: string;
  switches: number;
  estimateBps: number;
  /** Transport-wide CC feedbacks camwire has had from the viewer. */
  feedbacks: number;
  /** Access units the stream's camera has sent (the frames there were to decode). */
  sent: number;
}

/** Runs in the page: one sample, without its time. */
async function sampleInPage(): Promise<Omit<Sample, 't'> | undefined> {
  const pc = (globalThis as any).camwirePlayer?.pc;
  if (!pc) return undefined;
  let s: any = {};
  (await pc.getStats()).forEach((x: any) => {
    if (x.type === 'inbound-rtp' && x.kind === 'video') s = x;
  });
  const stream = ((await (await fetch('/api/streams')).json()) as any).streams.find((x: any) => x.name === 'demo');
  const r = stream?.viewers[0]?.rendition;
  return {
    frames: s.framesDecoded ?? 0, width: s.frameWidth ?? 0, freezes: s.freezeCount ?? 0, freezeSeconds: s.totalFreezesDuration ?? 0,
    nacks: s.nackCount ?? 0, lost: s.packetsLost ?? 0,
    rendition: r?.current ?? '', switches: r?.switches ?? 0, estimateBps: r?.bandwidth?.estimateBps ?? 0, feedbacks: r?.bandwidth?.feedbacks ?? 0,
    sent: stream?.accessUnits ?? 0,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Watch {
  readonly samples: Sample[] = [];
  private readonly t0 = performance.now();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly page: Page) {
    this.loop = this.run();
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** The first sample from now on that satisfies `pred`, or undefined after `timeoutMs`. */
  async until(pred: (s: Sample) => boolean, timeoutMs: number): Promise<Sample | undefined> {
    const from = this.samples.length;
    const end = this.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.samples.length; i++) if (pred(this.samples[i])) return this.samples[i];
      if (this.now() > end || !this.running) return undefined;
      await sleep(100);
    }
  }

  /** The samples in [from, to) (ms of this watch). */
  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.t >= from && s.t < to);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const s = await this.page.evaluate(sampleInPage).catch(() => undefined);
      if (s) this.samples.push({ t: this.now(), ...s });
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
