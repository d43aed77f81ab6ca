/**
 * Keyframe policy of one stream: merges PLI/FIR from every receiver into at most one
 * upstream request per `minIntervalMs` (Janus: 1 s); a keyframe going out satisfies a
 * pending request.
 */

export interface KeyframePolicyOptions {
  /** Upstream keyframe requests at most this often (ms). Default 1000. */
  minIntervalMs?: number;
}

export const KEYFRAME_POLICY_DEFAULTS = Object.freeze({
  minIntervalMs: 1000,
} as const satisfies Required<KeyframePolicyOptions>);

export interface KeyframePolicyStats {
  pliIn: number;
  firIn: number;
  /** Requests sent upstream. */
  forwarded: number;
  /** Requests folded into one already sent or pending. */
  merged: number;
  keyframes: number;
}

export type KeyframeRequestKind = 'pli' | 'fir';

export class KeyframePolicy {
  readonly stats: KeyframePolicyStats = { pliIn: 0, firIn: 0, forwarded: 0, merged: 0, keyframes: 0 };
  private readonly minInterval: number;
  private lastForwardAt = -Infinity;
  private pending = false;

  constructor(options: KeyframePolicyOptions = {}) {
    this.minInterval = options.minIntervalMs ?? KEYFRAME_POLICY_DEFAULTS.minIntervalMs;
  }

  /**
   * A receiver sent PLI or FIR (or the stream itself needs a keyframe). Returns true when the
   * caller should send a request upstream now; otherwise it is merged and `poll` says when.
   */
  request(kind: KeyframeRequestKind, now: number): boolean {
    if (kind === 'fir') this.stats.firIn++;
    else this.stats.pliIn++;
    if (now - this.lastForwardAt >= this.minInterval) return this.forward(now);
    if (this.pending) this.stats.merged++;
    else this.pending = true;
    return false;
  }

  /** True when a merged request is due upstream now. */
  poll(now: number): boolean {
    if (this.pending && now - this.lastForwardAt >= this.minInterval) return this.forward(now);
    return false;
  }

  /** A keyframe went out: a pending request is satisfied. */
  onKeyframe(): void {
    this.stats.keyframes++;
    this.pending = false;
  }

  private forward(now: number): boolean {
    this.lastForwardAt = now;
    this.pending = false;
    this.stats.forwarded++;
    return true;
  }
}
