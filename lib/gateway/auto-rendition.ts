/**
 * Auto for one viewer with a bandwidth estimate: each tick, the renditions' measured loads and
 * the estimate go to its RenditionChooser, with the sound's measured share taken out of the
 * budget (AudioShare); when the viewer can be probed (transport-wide CC and RTX negotiated),
 * its ProbeController decides when a padding cluster goes out through its ProbeSender, and the
 * chooser steps up only on a probe's result instead of a blind trial.
 */
import { RenditionChooser, RENDITION_CHOOSER_DEFAULTS, type RenditionLoad } from '../congestion/rendition-chooser.js';
import { ProbeController } from '../congestion/probe-controller.js';
import type { BandwidthSource } from './renditions.js';
import { AudioShare } from './audio-share.js';
import { ProbeSender } from './probe-sender.js';
import type { TransportCcPeer } from './transport-cc-peer.js';
import type { Viewer } from './viewer.js';
import type { Clock } from '../clock.js';

/** What Auto reads of the viewer's switch. */
export interface AutoSwitchView {
  readonly current: number;
  readonly target: number;
}

/** A rendition as Auto weighs it. */
export interface AutoRendition {
  bitrateBps(): number;
  live(): boolean;
}

export interface AutoOptions {
  bandwidth: BandwidthSource;
  now: () => number;
  audio?: AudioShare;
  /** Present when the viewer can be probed. */
  prober?: ProbeSender;
}

export function autoChooser<S extends AutoSwitchView>(list: readonly AutoRendition[], o: AutoOptions, fallback: (sw: S) => number): (sw: S) => number {
  const chooser = new RenditionChooser(o.now(), {}, o.prober !== undefined);
  const controller = o.prober ? new ProbeController() : undefined;
  const loads: RenditionLoad[] = list.map(() => ({ bitrateBps: 0, live: false }));
  return (sw) => {
    const est = o.bandwidth.estimator;
    const seen = est.stats();
    if (seen.feedbacks + seen.receiverReports === 0) return fallback(sw);
    for (let i = 0; i < list.length; i++) {
      loads[i].bitrateBps = list[i].bitrateBps();
      loads[i].live = list[i].live();
    }
    const now = o.now();
    const audioBps = o.audio?.sample(now) ?? 0;
    est.setUntrackedBps(audioBps);
    const budget = est.estimateBps - audioBps;
    const latest = est.lastProbe;
    const probe = latest && latest.bps > 0 ? { bps: latest.bps - audioBps, at: latest.at } : undefined;
    const target = chooser.choose(now, sw.target, budget, loads, probe);
    if (controller && o.prober) {
      const on = loads[sw.current];
      const fits = on !== undefined && on.bitrateBps * (1 - RENDITION_CHOOSER_DEFAULTS.downMargin) <= budget;
      const allowed = target === sw.current && fits && !chooser.settling(now) && !chooser.holdingUp(now) && seen.usage !== 'overuse';
      const need = chooser.upNeedBps(target, loads);
      const plan = controller.poll(now, allowed, need > 0 ? need + audioBps : 0, (on?.bitrateBps ?? 0) + audioBps, latest);
      if (plan) o.prober.send(plan);
    }
    return target;
  };
}

/**
 * Auto's view of one viewer beyond its estimate: the sound's share of its link, and a probe
 * sender when it can be probed (transport-wide CC and RTX: padding goes on its RTX stream).
 * `viewer` is read late: the viewer is made after its switch.
 */
export function viewerAuto(twcc: TransportCcPeer | undefined, rtx: boolean, viewer: () => Viewer | undefined, clock: Clock): Pick<AutoOptions, 'audio' | 'prober'> {
  const audio = new AudioShare(() => viewer()?.sender('audio')?.stats);
  if (!twcc || !rtx) return { audio };
  const padder = { writeRtxPadding: (out: Uint8Array, padding: number) => viewer()?.sender('video')?.writeRtxPadding(out, padding) ?? 0 };
  return { audio, prober: new ProbeSender(twcc, padder, clock) };
}
