/**
 * Samples a bandwidth run twice a second: the viewer's rendition and estimate from the server's
 * /api/streams snapshot, the relay's bytes in and out of the media direction, and the link's
 * rate now. Runs beside the once-a-second browser samples, in their time base.
 */
import { performance } from 'node:perf_hooks';
import type { ImpairedPipe } from './impaired-pipe.js';
import { readAbr, type AbrPoint, type LinkSteps, type RenditionRates } from './bandwidth-record.js';
import { rateSchedule } from '../../lib/netsim/token-bucket.js';
import type { LinkProfile } from '../../lib/netsim/link.js';

const PERIOD_MS = 500;

export class AbrSampler {
  readonly points: AbrPoint[] = [];
  readonly rates: RenditionRates[] = [];
  private readonly perfAtStart: number;
  private running = true;
  private loop: Promise<void> | undefined;

  /** `startedAt` (Date.now()) is the samples' time zero. */
  constructor(
    private readonly detail: () => Promise<unknown>,
    private readonly pipe: ImpairedPipe,
    private readonly stream: string,
    private readonly startedAt: number,
  ) {
    this.perfAtStart = performance.now() - (Date.now() - startedAt);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The shaped link's steps in the samples' time base (the schedule starts with the first packet through it). */
  link(profile: LinkProfile): LinkSteps {
    const origin = this.pipe.mediaOriginMs();
    return {
      originS: origin === undefined ? undefined : Math.round((origin - this.perfAtStart) / 100) / 10,
      steps: profile.tbf ? rateSchedule(profile.tbf.kbps) : [],
    };
  }

  private async run(): Promise<void> {
    for (let next = Date.now(); this.running; next += PERIOD_MS) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      if (!this.running) break;
      let api: unknown;
      try {
        api = await this.detail();
      } catch {
        continue; // a missed look is a gap in the chart, not a failed run
      }
      const a = readAbr(api, this.stream);
      const bytes = this.pipe.mediaBytes();
      this.points.push({
        t: Math.round((Date.now() - this.startedAt) / 100) / 10,
        rendition: a.rendition, estimateBps: a.estimateBps, ackedBps: a.ackedBps, usage: a.usage,
        capacityKbps: this.pipe.mediaRateKbps(), sentBytes: bytes.in, deliveredBytes: bytes.out,
      });
      this.rates.push(a.rates);
    }
  }
}
