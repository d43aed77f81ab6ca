/**
 * When to probe a viewer on a lower rendition, and how hard, in the manner of libwebrtc's
 * ProbeController: one short cluster at a time, at a total rate of what the next rendition
 * needs times `overshoot`, for `clusterMs` and at most `maxClusterBytes`; the first
 * `firstAfterMs` after probing becomes allowed (a step, the start), then every `intervalMs`,
 * doubling after each failed probe (one whose result fell short, or none came within
 * `resultTimeoutMs`) up to `maxIntervalMs`, back to `intervalMs` after one that showed room.
 * So a link that cannot carry the next rendition sees one cluster (a few kilobytes) every
 * `maxIntervalMs`. Pure, on the times passed in.
 */
import type { ProbeClusterResult } from './probe-bitrate.js';

export const PROBE_CONTROLLER_DEFAULTS = Object.freeze({
  firstAfterMs: 2000,
  intervalMs: 2000,
  /** The longest wait between probes: a link back up is found within it (the 15 s goal). */
  maxIntervalMs: 8000,
  /**
   * The cluster's total rate over what the next rendition needs. A probe measures the lower of
   * its send and receive rates, and on a busy host the pacing timer stretches the send: at 1.2
   * two tbf spec runs in five missed a 20 Mbit/s link's room. libwebrtc probes at 2-3x.
   */
  overshoot: 2,
  clusterMs: 20,
  /**
   * A cluster is at least this big (sent over up to `maxClusterMs`): a shaper's token bucket
   * (tc tbf's `burst`, 32 KB in the measurement) lets a smaller one through at line
   * rate, and the probe then shows room the link does not have.
   */
  minClusterBytes: 48_000,
  maxClusterMs: 250,
  maxClusterBytes: 64_000,
  /** Padding rate never above this (bit/s). */
  maxPaddingBps: 20_000_000,
  resultTimeoutMs: 1000,
});

export type ProbeControllerOptions = Partial<Record<keyof typeof PROBE_CONTROLLER_DEFAULTS, number>>;

/** One cluster to send: padding at `paddingBps` for `durationMs`, `bytes` in all. */
export interface ProbePlan {
  cluster: number;
  paddingBps: number;
  durationMs: number;
  bytes: number;
}

export class ProbeController {
  private readonly o: Record<keyof typeof PROBE_CONTROLLER_DEFAULTS, number>;
  private interval: number;
  private nextAt = -Infinity;
  private pending = -1;
  private pendingSince = 0;
  private pendingNeed = 0;
  private cluster = 0;
  private readonly c = { probesSent: 0, probesFailed: 0, probesSucceeded: 0 };

  constructor(opts: ProbeControllerOptions = {}) {
    this.o = { ...PROBE_CONTROLLER_DEFAULTS, ...opts };
    this.interval = this.o.intervalMs;
  }

  /**
   * Called every tick. `allowed`: the viewer is on Auto, below the top, not switching or
   * settling, not congested. `needBps`: what the next rendition needs (with its margin, the
   * sound included); `sendingBps`: what the viewer is sent now. `latest`: the estimator's latest
   * probe result. Returns a cluster to send now, if one is due.
   */
  poll(now: number, allowed: boolean, needBps: number, sendingBps: number, latest: ProbeClusterResult | undefined): ProbePlan | undefined {
    if (this.pending >= 0) {
      if (latest?.cluster === this.pending) this.settle(latest.bps >= this.pendingNeed, now);
      else if (now - this.pendingSince >= this.o.resultTimeoutMs) this.settle(false, now);
      else return undefined;
    }
    if (!allowed || needBps <= 0) {
      this.nextAt = Math.max(this.nextAt, now + this.o.firstAfterMs);
      return undefined;
    }
    if (now < this.nextAt) return undefined;
    const paddingBps = Math.min(this.o.maxPaddingBps, Math.max(needBps * this.o.overshoot - sendingBps, needBps * 0.25));
    const atRate = (ms: number) => Math.ceil((paddingBps * ms) / 8000);
    const bytes = Math.min(this.o.maxClusterBytes, atRate(this.o.maxClusterMs), Math.max(this.o.minClusterBytes, atRate(this.o.clusterMs)));
    this.pending = this.cluster;
    this.cluster = (this.cluster + 1) & 0x3fffffff;
    this.pendingSince = now;
    this.pendingNeed = needBps;
    this.c.probesSent++;
    return { cluster: this.pending, paddingBps, durationMs: (bytes * 8000) / paddingBps, bytes };
  }

  stats(): { probesSent: number; probesFailed: number; probesSucceeded: number; probeIntervalMs: number } {
    return { ...this.c, probeIntervalMs: this.interval };
  }

  private settle(room: boolean, now: number): void {
    this.pending = -1;
    if (room) {
      this.c.probesSucceeded++;
      this.interval = this.o.intervalMs;
    } else {
      this.c.probesFailed++;
      this.interval = Math.min(this.interval * 2, this.o.maxIntervalMs);
    }
    this.nextAt = now + this.interval;
  }
}
