/**
 * Named link profiles. `firewall` imitates the path in the study camwire grew from (a
 * low-performance firewall between server and viewer: moderate, somewhat bursty loss, and
 * reordering that rises when traffic bunches up, e.g. during a keyframe burst). The numbers
 * are an imitation chosen to produce those symptoms, not a measurement of that firewall.
 */
import type { LinkProfile } from './link.js';

export const profiles = {
  /** Nothing but a little delay. */
  clean: { delay: { delayMs: 1 } },
  /** Independent 5% loss. */
  lossy5: { loss: 0.05, delay: { delayMs: 10, jitterMs: 2 } },
  /** The study's firewall: ~2% bursty loss, 1% reordering rising to 15% under load, a 30 Mbit/s bottleneck. */
  firewall: {
    burst: { loss: 0.02, meanBurst: 2 },
    rate: { kbps: 30_000, queueMs: 50 },
    reorder: { probability: 0.01, depth: 4, maxHoldMs: 20, underLoad: { gapMs: 1, probability: 0.15 } },
    delay: { delayMs: 5, jitterMs: 1, preserveOrder: true },
  },
} satisfies Record<string, LinkProfile>;

export type ProfileName = keyof typeof profiles;
