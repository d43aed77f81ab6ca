/**
 * Which rendition a viewer on Auto should get, from its bandwidth estimate and the renditions'
 * measured bitrates, with hysteresis so a steady link does not oscillate. Down: the current
 * rendition has not fitted the estimate for `downHoldMs`; the target is the best that fits.
 * Up, one step at a time: the estimate has had room for the next rendition plus `upMargin` for
 * `upHoldMs`; or, since an estimate is capped by what the viewer now receives (a viewer on a
 * low rendition cannot show room for a higher one), a trial of the next rendition after
 * `retryUpMs` with no congestion seen, backing off (doubling to `maxRetryUpMs`) each time a
 * trial is followed by a step down within `trialMs`. Just after a step up, `settleMs` lets the
 * estimate catch up with the higher rate. A chooser made with `probing` (the viewer can be
 * sent padding probes) never steps up blind: up on a probe measured since the last change that
 * showed room for the next rendition plus `upMargin`, and not within `probeAfterDownMs` of a
 * step down (twice that after a step up that failed, doubling to `maxRetryUpMs`). Pure, on the times passed in.
 */

export const RENDITION_CHOOSER_DEFAULTS = Object.freeze({
  downHoldMs: 1000,
  /** The rendition a viewer is on still fits an estimate this fraction under its bitrate (the hysteresis band's lower edge). */
  downMargin: 0.1,
  upMargin: 0.25,
  upHoldMs: 5000,
  /**
   * A trial is a blind step up (for a viewer that cannot be probed): on a link that cannot carry the higher
   * rendition it costs a stall, so the first comes late and each failed one doubles the wait.
   */
  retryUpMs: 30_000,
  maxRetryUpMs: 240_000,
  trialMs: 10_000,
  /**
   * After a step up the estimate still lags (it is capped by the rate acknowledged, which was
   * the lower rendition's): for this long only an estimate under `settleFloor` of the new
   * rendition's bitrate (a real overuse cut) sends the viewer back down.
   */
  settleMs: 3000,
  settleFloor: 0.6,
  /**
   * With probing: no step up within this long of a step down. A probe can overstate a link
   * whose queue lets a burst through at line rate (tc tbf's bucket, a cable modem's), and a
   * link that just congested rarely has room again at once.
   */
  probeAfterDownMs: 10_000,
});

/** A probe's result as the chooser weighs it: bit/s of room for video, and when it was known. */
export interface ProbeShown {
  bps: number;
  at: number;
}

export type RenditionChooserOptions = Partial<Record<keyof typeof RENDITION_CHOOSER_DEFAULTS, number>>;

/** What the chooser sees of a rendition (best first). */
export interface RenditionLoad {
  /** Measured bit/s; 0 while unknown (taken as fitting). */
  bitrateBps: number;
  live: boolean;
}

export class RenditionChooser {
  private readonly o: Record<keyof typeof RENDITION_CHOOSER_DEFAULTS, number>;
  private tooBigSince = -1;
  private roomSince = -1;
  private lastChange: number;
  private lastUp = -Infinity;
  private retryUp: number;
  /** With probing: how long after a step down a probe may step up (doubling, up to `maxRetryUpMs`, after each step up that failed). */
  private probeWait = 0;

  constructor(now: number, opts: RenditionChooserOptions = {}, private readonly probing = false) {
    this.o = { ...RENDITION_CHOOSER_DEFAULTS, ...opts };
    this.lastChange = now;
    this.retryUp = this.o.retryUpMs;
  }

  /**
   * The rendition to target now, given the one wanted so far (`current`), the estimate (bit/s)
   * and, with probing, the latest probe's result.
   */
  choose(now: number, current: number, estimateBps: number, list: readonly RenditionLoad[], probe?: ProbeShown): number {
    const fits = (i: number) => list[i].bitrateBps === 0 || list[i].bitrateBps <= estimateBps;
    const stillFits = list[current] !== undefined && list[current].bitrateBps * (1 - this.o.downMargin) <= estimateBps;
    if (!list[current]?.live) return this.change(now, current, this.bestFitting(list, fits));
    const settling = now - this.lastUp < this.o.settleMs && list[current].bitrateBps * this.o.settleFloor <= estimateBps;
    if (!stillFits && !settling) {
      this.roomSince = -1;
      if (this.tooBigSince < 0) this.tooBigSince = now;
      if (now - this.tooBigSince < this.o.downHoldMs) return current;
      // The best lower one that fits, else the lowest: never up for lack of room.
      const lower = this.bestFitting(list, fits, current + 1);
      return this.change(now, current, lower > current ? lower : current);
    }
    if (settling) return current;
    this.tooBigSince = -1;
    const up = this.nextLiveAbove(list, current);
    if (up < 0) return current;
    if (list[up].bitrateBps > 0 && list[up].bitrateBps * (1 + this.o.upMargin) <= estimateBps) {
      if (this.roomSince < 0) this.roomSince = now;
      if (now - this.roomSince >= this.o.upHoldMs) return this.change(now, current, up);
    } else {
      this.roomSince = -1;
    }
    if (this.probing) {
      const need = this.upNeedBps(current, list);
      const shown = probe !== undefined && need > 0 && probe.at > this.lastChange && probe.bps >= need;
      return shown && !this.holdingUp(now) ? this.change(now, current, up) : current;
    }
    if (now - this.lastChange >= this.retryUp) return this.change(now, current, up);
    return current;
  }

  /** What a probe must show (bit/s) to step up from `current`: the next live rendition plus the margin; 0 on the top or while unmeasured. */
  upNeedBps(current: number, list: readonly RenditionLoad[]): number {
    const up = this.nextLiveAbove(list, current);
    return up < 0 ? 0 : list[up].bitrateBps * (1 + this.o.upMargin);
  }

  /** With probing, whether a recent step down (or a failed step up) still holds steps up back: no use probing. */
  holdingUp(now: number): boolean {
    return now - this.lastChange < this.probeWait;
  }

  /** Whether a step was made within `settleMs` (the estimate still catching up with it): no time to probe. */
  settling(now: number): boolean {
    return now - this.lastChange < this.o.settleMs;
  }

  private change(now: number, from: number, to: number): number {
    if (to === from) return from;
    if (to < from) {
      this.lastUp = now;
    } else {
      // A step down soon after a step up: that trial (or probe) failed, so wait longer before the next.
      const failed = now - this.lastUp < this.o.trialMs;
      this.retryUp = failed ? Math.min(this.retryUp * 2, this.o.maxRetryUpMs) : this.o.retryUpMs;
      this.probeWait = failed ? Math.min(Math.max(this.probeWait * 2, 2 * this.o.probeAfterDownMs), this.o.maxRetryUpMs) : this.o.probeAfterDownMs;
    }
    this.lastChange = now;
    this.tooBigSince = -1;
    this.roomSince = -1;
    return to;
  }

  /** The best live rendition from `from` down that fits, else the lowest live one (-1 below `from` > 0 when none plays). */
  private bestFitting(list: readonly RenditionLoad[], fits: (i: number) => boolean, from = 0): number {
    let lowest = -1;
    for (let i = from; i < list.length; i++) {
      if (!list[i].live) continue;
      if (fits(i)) return i;
      lowest = i;
    }
    if (lowest >= 0 || from > 0) return lowest;
    for (let i = 0; i < list.length; i++) if (list[i].live) return i;
    return 0;
  }

  private nextLiveAbove(list: readonly RenditionLoad[], current: number): number {
    for (let i = current - 1; i >= 0; i--) if (list[i].live) return i;
    return -1;
  }
}
