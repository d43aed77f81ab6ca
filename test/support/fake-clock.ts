/** Virtual time for client tests: timers fire only when the test advances the clock. */
import type { TimerHandle, Clock } from '../../lib/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeTimers implements Clock {
  private t = 1_000_000;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  wallClock(): number {
    return this.t;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }

  /** Moves time forward by `ms`, firing due timers in order (yielding to I/O between them). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.pending[0];
      if (!next || next.at > end) break;
      this.pending.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
    await new Promise((r) => setImmediate(r));
  }

  get pendingCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}

/** Waits (real time, polling) until `cond()` holds; fails after `ms`. */
export async function until(cond: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
