/**
 * The bandwidth scenarios of issue 22: the lab's two-rendition camera (~2.6 Mbit/s 720p and
 * ~0.42 Mbit/s 360p) behind a tc-tbf-shaped bottleneck on the WebRTC leg (netsim TokenBucket:
 * rate, burst 32 kB, 200 ms of queue, as the issue's `tbf rate 1200kbit burst 32kb latency 200ms`),
 * each held to the goals. `npm run lab -- --scenario bandwidth` runs them all.
 */
import type { RateStep, TokenBucketOptions } from '../../lib/netsim/token-bucket.js';
import type { Impairment, Scenario, Strategy } from './scenario.js';

const BURST_BYTES = 32 * 1024;
const LATENCY_MS = 200;
const NARROW_KBPS = 1200;
const WIDE_KBPS = 20_000;

function tbf(kbps: number | RateStep[]): TokenBucketOptions {
  return { kbps, burstBytes: BURST_BYTES, latencyMs: LATENCY_MS };
}

/** The media direction shaped (and lossy when `loss`); feedback flows back unshaped, lossy alike. */
function shaped(kbps: number | RateStep[], loss = 0): Impairment {
  return { leg: 'webrtc', forward: { tbf: tbf(kbps), ...(loss > 0 ? { loss } : {}) }, back: loss > 0 ? { loss } : {}, minSize: 0 };
}

/** Up from `lowKbps` to `highKbps` over `periodS`, one step a second, then down at once: `teeth` times. */
export function sawtooth(lowKbps: number, highKbps: number, periodS: number, teeth: number): RateStep[] {
  const steps: RateStep[] = [];
  for (let k = 0; k < teeth; k++) {
    for (let i = 0; i < periodS; i++) steps.push({ atMs: (k * periodS + i) * 1000, kbps: Math.round(lowKbps + ((highKbps - lowKbps) * i) / (periodS - 1)) });
  }
  return steps;
}

/** The scenario ids `--scenario bandwidth` stands for, in the order they run. */
export const BANDWIDTH_MATRIX = ['bw-narrow', 'bw-wide', 'bw-step', 'bw-sawtooth', 'bw-loss5', 'bw-loss10', 'bw-loss15'];

const STEADY = { maxSwitchesPerMinute: 2, estimateWithinPct: 30 };

type Preset = Omit<Scenario, 'seed'>;

/** The presets, given the lab's strategy lookup (every one runs camwire's default recovery, nack+rtx). */
export function bandwidthPresets(strategy: (name: string) => Strategy): Record<string, Preset> {
  const base = { source: 'renditions' as const, strategies: [strategy('nack+rtx')], expect: [] };
  const loss = (pct: number): Preset => ({
    ...base, id: `bw-loss${pct}`, title: `${pct}% random loss on a 20 Mbit/s link, both directions (two renditions)`, durationS: 30,
    impairment: shaped(WIDE_KBPS, pct / 100),
    bandwidth: { minOnTopPct: 95, minDecodedPctAfter5s: 99 },
  });
  return {
    'bw-narrow': {
      ...base, id: 'bw-narrow', title: 'Steady 1.2 Mbit/s link (two renditions)', durationS: 30, impairment: shaped(NARROW_KBPS),
      bandwidth: { minDecodedPctAfter5s: 95, maxStallsAfter5s: 1, mostlyOn: '360p', ...STEADY },
    },
    'bw-wide': {
      ...base, id: 'bw-wide', title: 'Steady 20 Mbit/s link (two renditions)', durationS: 30, impairment: shaped(WIDE_KBPS),
      bandwidth: { topWithinS: 10, ...STEADY },
    },
    'bw-step': {
      ...base, id: 'bw-step', title: 'Link steps 20 -> 1.2 Mbit/s at 10 s, back to 20 at 25 s (two renditions)', durationS: 60,
      impairment: shaped([{ atMs: 0, kbps: WIDE_KBPS }, { atMs: 10_000, kbps: NARROW_KBPS }, { atMs: 25_000, kbps: WIDE_KBPS }]),
      bandwidth: { stepDownWithinS: 4, stepUpWithinS: 15, maxStallsAfter5s: 2 },
    },
    'bw-sawtooth': {
      ...base, id: 'bw-sawtooth', title: 'Slow sawtooth: 0.8 -> 4 Mbit/s over 20 s, three times (two renditions)', durationS: 60,
      impairment: shaped(sawtooth(800, 4000, 20, 3)),
      // The issue sets no figure for it: it is there to be seen on the chart.
      bandwidth: {},
    },
    'bw-loss5': loss(5),
    'bw-loss10': loss(10),
    'bw-loss15': loss(15),
  };
}
