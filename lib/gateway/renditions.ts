/**
 * A stream's renditions: the stream's own source (the first, best profile) and one child
 * Stream per further camera profile, each with its own video track (egress timeline, history,
 * keyframe cache). Children are pulled on demand, while some viewer holds a switch (each switch
 * is an output of every child), and measured by a RenditionMeter on every track. Each viewer's
 * RenditionSwitch decides which rendition its packets come from.
 */
import type { Clock } from '../clock.js';
import { RenditionMeter, type RenditionMeasure } from './rendition-meter.js';
import { bestLive, RenditionSwitch, type SwitchableRendition, type SwitchBandwidthView } from './rendition-switch.js';
import { autoChooser, type AutoOptions } from './auto-rendition.js';
import { RenditionChooser, type RenditionLoad } from '../congestion/rendition-chooser.js';
import type { BandwidthEstimator } from '../congestion/bandwidth-estimator.js';
import type { TransportCcStats } from './transport-cc-peer.js';
import type { SourceState } from './source.js';
import type { Stream } from './stream.js';

export const RENDITION_DEFAULTS = Object.freeze({
  /**
   * A viewer switching to a rendition whose next keyframe is expected later than this (ms) asks
   * its camera for one (merged and rate-limited with every other keyframe request of that profile).
   */
  keyframeWaitMs: 500,
});

/** One rendition as /api/streams shows it. */
export interface RenditionStats extends RenditionMeasure {
  name: string;
  /** Without credentials. */
  url: string;
  sourceState: SourceState;
  /** Viewers on it now. */
  viewers: number;
  keyframeRequests: number;
}

/** A viewer's bandwidth estimate and where it comes from: transport-wide CC (TransportCcPeer) or receiver reports (ReportBandwidth). */
export interface BandwidthSource {
  readonly estimator: BandwidthEstimator;
  stats(): TransportCcStats;
}

export interface RenditionMember {
  name: string;
  /** The URL shown (credentials already removed). */
  publicUrl: string;
  /** The stream's own for the first, a child Stream (no WebRTC viewers of its own) for the others. */
  stream: Stream;
}

class Rendition implements SwitchableRendition {
  readonly name: string;
  readonly meter: RenditionMeter;
  keyframeRequests = 0;
  private lastAsk = -Infinity;

  constructor(readonly member: RenditionMember, private readonly clock: Clock, private readonly keyframeWaitMs: number) {
    this.name = member.name;
    this.meter = new RenditionMeter(() => clock.now());
    member.stream.videoTrack.addSink(this.meter);
  }

  get history() {
    return this.member.stream.videoTrack.history;
  }

  egressTsAt(now: number): number {
    return this.member.stream.videoTrack.timeline.egressTsAt(now);
  }

  live(): boolean {
    return this.member.stream.sourceState === 'playing';
  }

  wantKeyframe(now: number): void {
    if (now - this.lastAsk < this.keyframeWaitMs) return;
    if (this.meter.nextKeyframeInMs(now) <= this.keyframeWaitMs) return;
    this.lastAsk = now;
    this.keyframeRequests++;
    this.member.stream.requestKeyframe();
  }
}

export class RenditionSet {
  private readonly list: Rendition[];
  private readonly switches = new Map<string, RenditionSwitch>();

  constructor(members: readonly RenditionMember[], private readonly clock: Clock, keyframeWaitMs = RENDITION_DEFAULTS.keyframeWaitMs) {
    this.list = members.map((m) => new Rendition(m, clock, keyframeWaitMs));
  }

  get names(): string[] {
    return this.list.map((r) => r.name);
  }

  /**
   * A new viewer's switch: every child rendition feeds it from now on (and runs while it is
   * there). With `bandwidth`, Auto follows the viewer's estimate once feedback (transport-wide
   * CC, or receiver reports) has come; without, Auto is the best rendition that plays. `auto`:
   * the viewer's sound share and, when it can be probed, its probe sender.
   */
  createSwitch(viewerId: string, bandwidth?: BandwidthSource, auto: Pick<AutoOptions, 'audio' | 'prober'> = {}): RenditionSwitch {
    const renditions = this.list.map((r) => ({ bitrateBps: () => r.meter.measure().bitrateBps, live: () => r.live() }));
    const choose = bandwidth ? autoChooser(renditions, { bandwidth, now: () => this.clock.now(), ...auto }, bestLive) : bestLive;
    const prober = auto.prober;
    const shown = bandwidth && prober ? { stats: () => ({ ...bandwidth.stats(), probing: { ...prober.stats } }) } : bandwidth;
    return this.addSwitch(viewerId, choose, shown);
  }

  /**
   * A switch for an output that estimates its bandwidth itself (the WebSocket fallback, by its
   * send backlog): Auto follows `estimateBps`, given the measured bitrate of the rendition the
   * viewer is on (0 while unknown); the best rendition that plays while it is undefined.
   */
  createEstimatedSwitch(viewerId: string, estimateBps: (sentBps: number) => number | undefined): RenditionSwitch {
    return this.addSwitch(viewerId, this.estimateChooser(estimateBps));
  }

  private addSwitch(viewerId: string, choose: (sw: RenditionSwitch) => number, bandwidth?: SwitchBandwidthView): RenditionSwitch {
    const sw = new RenditionSwitch(this.list, () => this.clock.now(), choose, bandwidth);
    this.switches.set(viewerId, sw);
    for (let i = 1; i < this.list.length; i++) this.list[i].member.stream.addOutput(sw.tap(i));
    return sw;
  }

  /** What viewer `viewerId` is being sent now (bit/s): the measured bitrate of the rendition it is on, 0 when unknown. */
  sentBps(viewerId: string): number {
    const sw = this.switches.get(viewerId);
    return sw ? this.list[sw.current].meter.measure().bitrateBps : 0;
  }

  private estimateChooser(estimateBps: (sentBps: number) => number | undefined): (sw: RenditionSwitch) => number {
    const chooser = new RenditionChooser(this.clock.now());
    const loads: RenditionLoad[] = this.list.map(() => ({ bitrateBps: 0, live: false }));
    return (sw) => {
      const estimate = estimateBps(this.list[sw.current].meter.measure().bitrateBps);
      if (estimate === undefined) return bestLive(sw);
      for (let i = 0; i < this.list.length; i++) {
        loads[i].bitrateBps = this.list[i].meter.measure().bitrateBps;
        loads[i].live = this.list[i].live();
      }
      return chooser.choose(this.clock.now(), sw.target, estimate, loads);
    };
  }

  switchOf(viewerId: string): RenditionSwitch | undefined {
    return this.switches.get(viewerId);
  }

  removeSwitch(viewerId: string): void {
    const sw = this.switches.get(viewerId);
    if (!sw) return;
    this.switches.delete(viewerId);
    for (let i = 1; i < this.list.length; i++) this.list[i].member.stream.removeOutput(sw.tap(i));
  }

  /** Periodic work: the meters' windows, and the children's own (merged keyframe requests, idle stop). */
  tick(now: number): void {
    for (const r of this.list) r.meter.sample(now);
    for (let i = 1; i < this.list.length; i++) this.list[i].member.stream.tick();
  }

  stats(): RenditionStats[] {
    const on = new Array<number>(this.list.length).fill(0);
    for (const sw of this.switches.values()) on[sw.current]++;
    return this.list.map((r, i) => ({
      name: r.name, url: r.member.publicUrl, sourceState: r.member.stream.sourceState, viewers: on[i],
      keyframeRequests: r.keyframeRequests, ...r.meter.measure(),
    }));
  }

  /** Stops the children's sources (the stream's own is the stream's to stop). */
  close(): Promise<void> {
    return Promise.all(this.list.slice(1).map((r) => r.member.stream.close())).then(() => undefined);
  }
}
