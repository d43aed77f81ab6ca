/**
 * The bandwidth scenarios' figures (issue 22): what the controller did over a run, sampled from
 * camwire's /api/streams and the relay twice a second, and how it stands against the issue's
 * goals. Pure functions: the runner collects the points, the report renders the summary.
 */
import type { RateStep } from '../../lib/netsim/token-bucket.js';
import type { Sample } from './record.js';
import type { StreamStats, ViewerInfo } from '../../lib/gateway/stream-stats.js';
import { round } from './record.js';

/** One look at the controller: which rendition the viewer is on, its estimate, and the link. */
export interface AbrPoint {
  /** Seconds since the viewer started (the time base of the browser samples). */
  t: number;
  /** The rendition packets come from ('' before the viewer exists). */
  rendition: string;
  /** The viewer's bandwidth estimate and the rate its feedback acknowledged (bit/s; 0 without transport-wide CC). */
  estimateBps: number;
  ackedBps: number;
  /** The delay detector's reading ('normal', 'overuse', 'underuse'; '' without transport-wide CC): why an estimate fell. */
  usage: string;
  /** The link's rate now (kbit/s), undefined on an unshaped link. */
  capacityKbps: number | undefined;
  /** Bytes camwire sent into the relay's media direction so far, and bytes that came out of it. */
  sentBytes: number;
  deliveredBytes: number;
}

/** Each rendition's measured egress bitrate (bit/s), from the same snapshot. */
export type RenditionRates = Record<string, number>;

/** The lab stream's viewer and renditions in a GET /api/streams answer. */
export function readAbr(api: unknown, stream: string): { rendition: string; estimateBps: number; ackedBps: number; usage: string; rates: RenditionRates } {
  const streams = (api as { streams?: unknown } | undefined)?.streams;
  // Typed by the gateway's own stats, so a renamed field fails the build instead of reading zeros.
  const s = (Array.isArray(streams) ? streams : []).find((x) => (x as { name?: unknown }).name === stream) as
    (Partial<Pick<StreamStats, 'renditions'>> & { viewers?: Partial<ViewerInfo>[] }) | undefined;
  const viewer = Array.isArray(s?.viewers) ? s.viewers[0] : undefined;
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  const rates: RenditionRates = {};
  for (const r of Array.isArray(s?.renditions) ? s.renditions : []) if (typeof r.name === 'string') rates[r.name] = num(r.bitrateBps);
  const current = viewer?.rendition?.current;
  return {
    rendition: typeof current === 'string' ? current : '',
    estimateBps: num(viewer?.rendition?.bandwidth?.estimateBps),
    ackedBps: num(viewer?.rendition?.bandwidth?.ackedBps),
    usage: viewer?.rendition?.bandwidth?.usage ?? '',
    rates,
  };
}

/** A link's shape as the run saw it: its rate steps in the samples' time base. */
export interface LinkSteps {
  /** Seconds (sample time) at which the schedule's origin fell; undefined when no packet crossed. */
  originS: number | undefined;
  steps: readonly RateStep[];
}

export interface SwitchEvent {
  t: number;
  from: string;
  to: string;
}

export interface StepResponse {
  /** Seconds (sample time) of the step, and the rate after it. */
  t: number;
  kbps: number;
  /** The rendition that fits the new rate (the best whose measured bitrate is under it). */
  fits: string;
  /** Seconds from the step until the viewer was on `fits`; undefined when it never got there before the next step or the end. */
  reachedAfterS: number | undefined;
  /** Once there, it stayed until the next step or the end (a trial that bounced back does not count as reaching it). */
  held: boolean;
}

export interface BandwidthSummary {
  /** Frames decoded per frame sent, from the first sample at or after 5 s to the end. */
  decodedPctAfter5s: number;
  framesSentAfter5s: number;
  framesDecodedAfter5s: number;
  /** Chromium's freezeCount over the whole run, and after the first 5 s (the stalls of the goals). */
  freezes: number;
  stallsAfter5s: number;
  /** Seconds spent on each rendition, and the share of each after the first 5 s (percent). */
  secondsOn: Record<string, number>;
  shareAfter5s: Record<string, number>;
  switches: SwitchEvent[];
  /** Switches a minute after the first 5 s (the join's first choice is not the controller's doing). */
  switchesPerMinute: number;
  /** Each link step after the start and how long the viewer took to the rendition that fits it. */
  steps: StepResponse[];
  /** First time on the top rendition, and whether it stayed there from then on. */
  firstOnTopS: number | undefined;
  stayedOnTop: boolean;
  /** Share of the time on the top rendition, in percent. */
  onTopPct: number;
  /** Median estimate after the first 10 s and, on a steady link, how far it is from the capacity (percent, signed). */
  medianEstimateKbps: number;
  estimateVsCapacityPct: number | undefined;
  /** The renditions' median measured bitrates (kbit/s), best first. */
  renditionKbps: Record<string, number>;
}

/** The goals' figures count from here: the first seconds are the join. */
const SETTLE_S = 5;

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Renditions in best-first order, by median measured bitrate. */
export function renditionOrder(rates: readonly RenditionRates[]): Record<string, number> {
  const names = new Set(rates.flatMap((r) => Object.keys(r)));
  const kbps = [...names].map((n) => [n, round(median(rates.map((r) => r[n]).filter((x) => x > 0)) / 1000, 0)] as const);
  kbps.sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(kbps);
}

/** The best rendition whose bitrate is under `kbps` (the lowest when none is). */
export function fits(kbps: number, renditionKbps: Record<string, number>): string {
  const order = Object.entries(renditionKbps);
  return (order.find(([, r]) => r <= kbps) ?? order[order.length - 1])?.[0] ?? '';
}

function afterFiveSeconds(samples: readonly Sample[]): { decodedPct: number; sent: number; decoded: number; stalls: number; freezes: number } {
  const last = samples[samples.length - 1];
  const first = samples.find((s) => s.t >= SETTLE_S) ?? last;
  const sent = last.wire.framesSent - first.wire.framesSent;
  const decoded = last.browser.framesDecoded - first.browser.framesDecoded;
  return {
    decodedPct: sent > 0 ? round((100 * decoded) / sent, 2) : 0,
    sent, decoded,
    stalls: last.browser.freezeCount - first.browser.freezeCount,
    freezes: last.browser.freezeCount,
  };
}

function switchesOf(points: readonly AbrPoint[]): SwitchEvent[] {
  const out: SwitchEvent[] = [];
  let on = '';
  for (const p of points) {
    if (p.rendition === '' || p.rendition === on) continue;
    if (on !== '') out.push({ t: p.t, from: on, to: p.rendition });
    on = p.rendition;
  }
  return out;
}

function secondsOnEach(points: readonly AbrPoint[]): Record<string, number> {
  const on: Record<string, number> = {};
  for (let i = 1; i < points.length; i++) {
    const r = points[i - 1].rendition;
    if (r === '') continue;
    on[r] = round((on[r] ?? 0) + points[i].t - points[i - 1].t, 1);
  }
  return on;
}

/**
 * The steps that change which rendition fits (a sawtooth's small steps between two crossings
 * are not decisions), each with how long the viewer took to get there before the next such step.
 */
function stepResponses(points: readonly AbrPoint[], link: LinkSteps, renditionKbps: Record<string, number>, endS: number): StepResponse[] {
  const origin = link.originS;
  if (origin === undefined) return [];
  const at = (i: number) => round(origin + link.steps[i].atMs / 1000, 1);
  const changes: number[] = [];
  for (let i = 1, fit = fits(link.steps[0].kbps, renditionKbps); i < link.steps.length && at(i) < endS; i++) {
    const next = fits(link.steps[i].kbps, renditionKbps);
    if (next !== fit) changes.push(i);
    fit = next;
  }
  return changes.map((i, k) => {
    const t = at(i);
    const until = k + 1 < changes.length ? at(changes[k + 1]) : endS;
    const want = fits(link.steps[i].kbps, renditionKbps);
    // Already on it at the step counts as 0 s: the last point at or before the step shows that.
    const before = [...points].reverse().find((p) => p.t <= t);
    const reached = before?.rendition === want ? before : points.find((p) => p.t > t && p.t <= until && p.rendition === want);
    const held = reached !== undefined && points.every((p) => p.t < reached.t || p.t > until || p.rendition === want);
    return { t, kbps: link.steps[i].kbps, fits: want, reachedAfterS: reached ? round(Math.max(0, reached.t - t), 1) : undefined, held };
  });
}

export function summarizeBandwidth(samples: readonly Sample[], points: readonly AbrPoint[], rates: readonly RenditionRates[], link: LinkSteps): BandwidthSummary {
  const five = afterFiveSeconds(samples);
  const renditionKbps = renditionOrder(rates);
  const top = Object.keys(renditionKbps)[0] ?? '';
  const on = points.filter((p) => p.rendition !== '');
  const switches = switchesOf(on);
  const settled = on.filter((p) => p.t >= SETTLE_S);
  const spanS = settled.length > 1 ? settled[settled.length - 1].t - settled[0].t : 0;
  const lateSeconds = secondsOnEach(settled);
  const lateTotal = Object.values(lateSeconds).reduce((a, b) => a + b, 0);
  const firstTop = on.find((p) => p.rendition === top);
  const late = on.filter((p) => p.t >= 10).map((p) => p.estimateBps).filter((x) => x > 0);
  const medianEstimateKbps = round(median(late) / 1000, 0);
  const steady = link.steps.length === 1 ? link.steps[0].kbps : undefined;
  const secondsOn = secondsOnEach(on);
  const total = Object.values(secondsOn).reduce((a, b) => a + b, 0);
  return {
    decodedPctAfter5s: five.decodedPct, framesSentAfter5s: five.sent, framesDecodedAfter5s: five.decoded,
    freezes: five.freezes, stallsAfter5s: five.stalls,
    secondsOn,
    shareAfter5s: Object.fromEntries(Object.entries(lateSeconds).map(([n, sec]) => [n, round((100 * sec) / lateTotal, 1)])),
    switches,
    switchesPerMinute: spanS > 0 ? round((switches.filter((w) => w.t > settled[0].t).length * 60) / spanS, 2) : 0,
    steps: stepResponses(on, link, renditionKbps, on.length > 0 ? on[on.length - 1].t : 0),
    firstOnTopS: firstTop?.t,
    stayedOnTop: firstTop !== undefined && on.every((p) => p.t < firstTop.t || p.rendition === top),
    onTopPct: total > 0 ? round((100 * (secondsOn[top] ?? 0)) / total, 1) : 0,
    medianEstimateKbps,
    estimateVsCapacityPct: steady !== undefined && late.length > 0 ? round((100 * (medianEstimateKbps - steady)) / steady, 1) : undefined,
    renditionKbps,
  };
}

/** The goals a bandwidth scenario is held to; every one optional. */
export interface BandwidthGoals {
  minDecodedPctAfter5s?: number;
  maxStallsAfter5s?: number;
  /** On this rendition at least 90% of the time after the first 5 s. */
  mostlyOn?: string;
  /** On the top rendition within this many seconds of joining and there to the end. */
  topWithinS?: number;
  /** On the top rendition at least this share of the time (percent). */
  minOnTopPct?: number;
  /** Each step down reached the rendition that fits within this many seconds; each step up within the other. */
  stepDownWithinS?: number;
  stepUpWithinS?: number;
  maxSwitchesPerMinute?: number;
  /** Median estimate within this many percent of a steady link's capacity. */
  estimateWithinPct?: number;
}

export interface GoalResult {
  goal: string;
  value: string;
  met: boolean;
}

/** How a run stands against its goals: one line per goal, met or not, with the figure. */
export function judgeBandwidth(s: BandwidthSummary, g: BandwidthGoals): GoalResult[] {
  const out: GoalResult[] = [];
  const add = (goal: string, value: string, met: boolean) => out.push({ goal, value, met });
  if (g.minDecodedPctAfter5s !== undefined) add(`>= ${g.minDecodedPctAfter5s}% decoded after 5 s`, `${s.decodedPctAfter5s}%`, s.decodedPctAfter5s >= g.minDecodedPctAfter5s);
  if (g.maxStallsAfter5s !== undefined) add(`<= ${g.maxStallsAfter5s} stalls`, String(s.stallsAfter5s), s.stallsAfter5s <= g.maxStallsAfter5s);
  if (g.mostlyOn !== undefined) {
    const share = s.shareAfter5s[g.mostlyOn] ?? 0;
    add(`on ${g.mostlyOn} (>= 90% of the time after 5 s)`, `${share}%`, share >= 90);
  }
  if (g.topWithinS !== undefined) {
    const ok = s.firstOnTopS !== undefined && s.firstOnTopS <= g.topWithinS && s.stayedOnTop;
    add(`on the top rendition within ${g.topWithinS} s and to the end`, s.firstOnTopS === undefined ? 'never' : `at ${s.firstOnTopS} s${s.stayedOnTop ? ', stayed' : ', left it'}`, ok);
  }
  if (g.minOnTopPct !== undefined) add(`on the top rendition >= ${g.minOnTopPct}% of the time`, `${s.onTopPct}%`, s.onTopPct >= g.minOnTopPct);
  const top = Object.keys(s.renditionKbps)[0];
  for (const st of s.steps) {
    const up = st.fits === top;
    const within = up ? g.stepUpWithinS : g.stepDownWithinS;
    if (within === undefined) continue;
    const value = st.reachedAfterS === undefined ? 'never' : `${st.reachedAfterS} s${st.held ? '' : ', left it again'}`;
    add(`${st.kbps} kbit/s at ${st.t} s: on ${st.fits} within ${within} s and there until the next step`, value, st.held && st.reachedAfterS! <= within);
  }
  if (g.maxSwitchesPerMinute !== undefined) add(`<= ${g.maxSwitchesPerMinute} switches a minute after 5 s`, String(s.switchesPerMinute), s.switchesPerMinute <= g.maxSwitchesPerMinute);
  if (g.estimateWithinPct !== undefined && s.estimateVsCapacityPct !== undefined) {
    add(`estimate within +-${g.estimateWithinPct}% of capacity`, `${s.estimateVsCapacityPct > 0 ? '+' : ''}${s.estimateVsCapacityPct}% (${s.medianEstimateKbps} kbit/s)`, Math.abs(s.estimateVsCapacityPct) <= g.estimateWithinPct);
  }
  return out;
}

/** What a bandwidth run adds to its record. */
export interface BandwidthRun {
  link: LinkSteps;
  points: AbrPoint[];
  /** Each point's measured rendition bitrates (the summary can be recomputed from the record). */
  rates: RenditionRates[];
  summary: BandwidthSummary;
  goals: GoalResult[];
}
