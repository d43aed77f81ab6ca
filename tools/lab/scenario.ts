/**
 * What a lab run is: a camera stand-in, an impaired leg with a netsim link profile and a
 * seed, and the recovery strategies to compare under exactly that impairment. The presets
 * are the checks of issue 7 (figures for the README), plus the clean-link control.
 */
import type { LinkProfile } from '../../lib/netsim/link.js';
import type { BandwidthGoals } from './bandwidth-record.js';
import { BANDWIDTH_MATRIX, bandwidthPresets } from './bandwidth-scenarios.js';

/**
 * Which camera stand-in feeds camwire: the demo camera on the lab's 720p30 clip (or a 360p25
 * one), GStreamer, or the demo camera serving two profiles that camwire takes as renditions.
 */
export type SourceKind = 'demo' | 'demo-360p' | 'gstreamer' | 'renditions';

/** Which leg the netsim relay impairs: camera -> camwire (RTP/RTCP over UDP) or camwire <-> browser. */
export type Leg = 'camera' | 'webrtc';

/**
 * How camwire recovers:
 * - recovery `none`: forward only; NACKs are not answered (like the server in the study);
 * - `nack`: lost packets are resent from the shared history on the media SSRC;
 * - `nack+rtx`: resent on the negotiated RTX stream (RFC 4588).
 * `pli` `forward` passes keyframe requests to the camera (rate-limited), `ignore` drops them.
 * `reorder` switches the reorder buffer on the camera leg.
 */
export interface Strategy {
  name: string;
  recovery: 'none' | 'nack' | 'nack+rtx';
  pli: 'forward' | 'ignore';
  reorder: boolean;
  /** Lab-only sender experiment (see lab-deps.ts): resend each retransmission this many extra times. */
  retransmitCopies?: number;
  /** Floor of the camera-leg reorder buffer's hold time (ms; the gateway's `reorderMinWaitMs`). */
  reorderMinWaitMs?: number;
  /** XR RRTR/DLRR so Chromium learns the RTT (the gateway's `rrtr`, default true; false to measure without). */
  rrtr?: boolean;
  /** The gateway's `forwarding` (default 'frame'). */
  forwarding?: 'frame' | 'packet';
}

export interface Impairment {
  leg: Leg;
  /** Applied in the direction of the media (camera -> camwire, camwire -> browser). */
  forward: LinkProfile;
  /** Applied to the other direction (RTCP, NACK, PLI, ICE). */
  back: LinkProfile;
  /** Datagrams smaller than this pass unimpaired (0 = every datagram). */
  minSize: number;
}

/** What a preset must show; every figure is optional. */
export interface Expectation {
  /** Strategies the figures apply to (by name); others only get charted. */
  strategies: string[];
  minDecodedPct?: number;
  maxFreezes?: number;
  /** packetsLost / (packetsReceived + packetsLost) after recovery, in percent. */
  maxLostPct?: number;
  /** Every keyframe request (PLI) is followed by a decoded keyframe within this many ms. */
  maxPliToKeyframeMs?: number;
  maxNacks?: number;
  /** Frames lost on the camera leg (camera frames - frames camwire delivered). */
  maxCameraFramesLost?: number;
  /** The study's failure must show: decoded below this percent, or a freeze. */
  failureBelowPct?: number;
}

export interface Scenario {
  id: string;
  title: string;
  source: SourceKind;
  durationS: number;
  seed: number;
  impairment: Impairment;
  strategies: Strategy[];
  expect: Expectation[];
  /** The camera sends its sound and the viewer takes it: the run records audio rows (`--audio`). */
  audio?: boolean;
  /** A bandwidth scenario: the run samples the controller and is held to these goals of issue 22. */
  bandwidth?: BandwidthGoals;
}

export const STRATEGIES: Record<string, Strategy> = {
  none: { name: 'none', recovery: 'none', pli: 'ignore', reorder: true },
  nack: { name: 'nack', recovery: 'nack', pli: 'forward', reorder: true },
  'nack+rtx': { name: 'nack+rtx', recovery: 'nack+rtx', pli: 'forward', reorder: true },
  'nack+rtx/hold60': { name: 'nack+rtx/hold60', recovery: 'nack+rtx', pli: 'forward', reorder: true, reorderMinWaitMs: 60 },
  'nack+rtx/no-reorder': { name: 'nack+rtx/no-reorder', recovery: 'nack+rtx', pli: 'forward', reorder: false },
  'nack+rtx/pli-ignore': { name: 'nack+rtx/pli-ignore', recovery: 'nack+rtx', pli: 'ignore', reorder: true },
  'nack+rtx/x2': { name: 'nack+rtx/x2', recovery: 'nack+rtx', pli: 'forward', reorder: true, retransmitCopies: 1 },
  'nack/no-rtt': { name: 'nack/no-rtt', recovery: 'nack', pli: 'forward', reorder: true, rrtr: false },
  'nack+rtx/no-rtt': { name: 'nack+rtx/no-rtt', recovery: 'nack+rtx', pli: 'forward', reorder: true, rrtr: false },
  'nack+rtx/packet': { name: 'nack+rtx/packet', recovery: 'nack+rtx', pli: 'forward', reorder: true, forwarding: 'packet' },
};

export function strategy(name: string): Strategy {
  const s = STRATEGIES[name];
  if (!s) throw new Error(`unknown strategy ${name} (known: ${Object.keys(STRATEGIES).join(', ')})`);
  return s;
}

const CLEAN: LinkProfile = {};

/** Random loss of media-sized datagrams in both directions, as in the reference measurements. */
function webrtcLoss(p: number): Impairment {
  return { leg: 'webrtc', forward: { loss: p }, back: { loss: p }, minSize: 0 };
}

const BASE = ['none', 'nack', 'nack+rtx'];

/** A preset; `source` is fixed by those that need a particular camera (the bandwidth scenarios' two renditions). */
export type Preset = Omit<Scenario, 'source' | 'seed'> & { source?: SourceKind };

export const PRESETS: Record<string, Preset> = {
  clean: {
    id: 'clean', title: 'Clean link (control)', durationS: 20,
    impairment: { leg: 'webrtc', forward: CLEAN, back: CLEAN, minSize: 0 },
    strategies: BASE.map(strategy),
    expect: [{ strategies: BASE, minDecodedPct: 99.5, maxFreezes: 0, maxNacks: 0 }],
  },
  loss5: {
    id: 'loss5', title: '5% random loss, WebRTC leg, both directions', durationS: 30,
    impairment: webrtcLoss(0.05),
    strategies: [...BASE, 'nack+rtx/no-rtt'].map(strategy),
    expect: [
      { strategies: ['nack', 'nack+rtx'], minDecodedPct: 99.5, maxFreezes: 0, maxLostPct: 0.1 },
      { strategies: ['none'], failureBelowPct: 90 },
    ],
  },
  loss10: {
    id: 'loss10', title: '10% random loss, WebRTC leg, both directions', durationS: 30,
    impairment: webrtcLoss(0.10),
    strategies: ['none', 'nack', 'nack+rtx', 'nack+rtx/pli-ignore', 'nack+rtx/no-rtt'].map(strategy),
    expect: [{ strategies: ['nack', 'nack+rtx'], minDecodedPct: 95, maxPliToKeyframeMs: 1000 }],
  },
  loss15: {
    id: 'loss15', title: '15% random loss, WebRTC leg, both directions', durationS: 30,
    impairment: webrtcLoss(0.15),
    strategies: ['none', 'nack', 'nack+rtx', 'nack+rtx/x2', 'nack+rtx/no-rtt'].map(strategy),
    expect: [{ strategies: ['nack', 'nack+rtx'], minDecodedPct: 99.5, maxFreezes: 1 }],
  },
  burst: {
    id: 'burst', title: 'Bursty loss (Gilbert-Elliott 2% average, mean burst 5), WebRTC leg', durationS: 30,
    impairment: { leg: 'webrtc', forward: { burst: { loss: 0.02, meanBurst: 5 } }, back: { burst: { loss: 0.02, meanBurst: 5 } }, minSize: 0 },
    strategies: [...BASE, 'nack+rtx/no-rtt'].map(strategy),
    expect: [{ strategies: ['nack', 'nack+rtx'], minDecodedPct: 99 }],
  },
  reorder: {
    id: 'reorder', title: '25% reordering + 20 ms jitter, camera leg', durationS: 30,
    impairment: {
      leg: 'camera',
      // 25% of packets overtaken by 1-4 later ones; on top, 20 ms of delay jitter that keeps order
      // (jitter that reorders too would make far more than 25% of packets arrive out of order).
      forward: { reorder: { probability: 0.25, depth: 4, maxHoldMs: 20 }, delay: { delayMs: 20, jitterMs: 20, preserveOrder: true } },
      back: CLEAN, minSize: 0,
    },
    strategies: ['nack+rtx', 'nack+rtx/packet', 'nack+rtx/hold60', 'nack+rtx/no-reorder'].map(strategy),
    expect: [{ strategies: ['nack+rtx', 'nack+rtx/packet'], maxCameraFramesLost: 0, minDecodedPct: 99.5 }],
  },
  'camera-loss5': {
    id: 'camera-loss5', title: '5% random loss, camera leg (NACK upstream)', durationS: 30,
    impairment: { leg: 'camera', forward: { loss: 0.05 }, back: CLEAN, minSize: 0 },
    strategies: ['nack+rtx', 'nack+rtx/packet'].map(strategy),
    expect: [],
  },
  duplicate: {
    id: 'duplicate', title: '10% duplication + 5 ms jitter, WebRTC leg', durationS: 20,
    impairment: { leg: 'webrtc', forward: { duplicate: 0.1, delay: { delayMs: 5, jitterMs: 5, preserveOrder: true } }, back: CLEAN, minSize: 0 },
    strategies: BASE.map(strategy),
    expect: [{ strategies: BASE, minDecodedPct: 99.5 }],
  },
  ...bandwidthPresets(strategy),
};

/** The matrix `npm run lab` runs when no scenario is named. */
export const DEFAULT_MATRIX = ['clean', 'loss5', 'loss15', 'reorder', 'burst', 'loss10'];

/** Names that stand for several presets in `--scenario`. */
export const SCENARIO_GROUPS: Record<string, readonly string[]> = { bandwidth: BANDWIDTH_MATRIX };

/** `--scenario a,b,group` as preset ids, groups expanded. */
export function expandScenarios(list: string): string[] {
  return list.split(',').flatMap((id) => SCENARIO_GROUPS[id] ?? [id]);
}

export interface ScenarioOverrides {
  source?: SourceKind;
  seed?: number;
  durationS?: number;
  strategies?: string[];
}

export function buildScenario(id: string, o: ScenarioOverrides = {}): Scenario {
  const p = PRESETS[id];
  if (!p) throw new Error(`unknown scenario ${id} (known: ${Object.keys(PRESETS).join(', ')})`);
  return {
    ...p,
    source: p.source ?? o.source ?? 'demo',
    seed: o.seed ?? 1,
    durationS: o.durationS ?? p.durationS,
    strategies: o.strategies ? o.strategies.map(strategy) : p.strategies,
  };
}

/**
 * A custom scenario from a compact link description, e.g. `webrtc:loss=0.05`,
 * `camera:reorder=0.25,jitter=20`, `webrtc:burst=0.02/5,delay=30,jitter=10,dup=0.01`.
 * Applies to the media direction; `both` mirrors the loss models onto the back direction.
 */
export function parseImpairment(spec: string): Impairment {
  const [legPart, rest = ''] = spec.split(':');
  if (legPart !== 'camera' && legPart !== 'webrtc') throw new Error(`impairment must start with camera: or webrtc: (${spec})`);
  const forward: LinkProfile = {};
  let both = false;
  let minSize = 0;
  let delayMs: number | undefined;
  let jitterMs: number | undefined;
  for (const kv of rest.split(',').filter((x) => x.length > 0)) {
    const [k, v = ''] = kv.split('=');
    const num = Number(v);
    const need = () => {
      if (!Number.isFinite(num) || num < 0) throw new Error(`bad value in ${kv}`);
      return num;
    };
    switch (k) {
      case 'loss': forward.loss = need(); break;
      case 'burst': {
        const [avg, mean] = v.split('/').map(Number);
        if (!(avg >= 0) || !(mean >= 1)) throw new Error(`burst wants average/meanBurst, got ${v}`);
        forward.burst = { loss: avg, meanBurst: mean };
        break;
      }
      case 'reorder': forward.reorder = { probability: need(), depth: 4, maxHoldMs: 20 }; break;
      case 'dup': forward.duplicate = need(); break;
      case 'delay': delayMs = need(); break;
      case 'jitter': jitterMs = need(); break;
      case 'min-size': minSize = need(); break;
      case 'both': both = true; break;
      default: throw new Error(`unknown impairment key ${k} in ${spec}`);
    }
  }
  if (delayMs !== undefined || jitterMs !== undefined) {
    forward.delay = { delayMs: delayMs ?? jitterMs ?? 0, jitterMs: jitterMs ?? 0 };
  }
  const back: LinkProfile = both ? { loss: forward.loss, burst: forward.burst } : {};
  return { leg: legPart, forward, back, minSize };
}

/** A one-line description of a link profile for tables and chart titles. */
export function describeProfile(p: LinkProfile): string {
  const parts: string[] = [];
  if (p.loss) parts.push(`loss ${+(p.loss * 100).toFixed(2)}%`);
  if (p.burst) parts.push(`GE ${+(p.burst.loss * 100).toFixed(2)}%/burst ${p.burst.meanBurst}`);
  if (p.reorder) parts.push(`reorder ${+(p.reorder.probability * 100).toFixed(1)}%`);
  if (p.duplicate) parts.push(`dup ${+(p.duplicate * 100).toFixed(1)}%`);
  if (p.delay) parts.push(`delay ${p.delay.delayMs}±${p.delay.jitterMs ?? 0} ms`);
  if (p.rate) parts.push(`rate ${p.rate.kbps} kbit/s`);
  if (p.tbf) parts.push(typeof p.tbf.kbps === 'number' ? `tbf ${p.tbf.kbps} kbit/s` : `tbf ${p.tbf.kbps.length} steps, ${Math.min(...p.tbf.kbps.map((x) => x.kbps))}-${Math.max(...p.tbf.kbps.map((x) => x.kbps))} kbit/s`);
  return parts.length > 0 ? parts.join(', ') : 'clean';
}
