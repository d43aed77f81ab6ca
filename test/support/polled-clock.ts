/**
 * Timers on a clock the caller drives (virtual time, or a bench's own clock): nothing fires by
 * itself; `runDue` fires what is due by `now()`, earliest first. For synchronous simulations
 * (FakeTimers' `advance` yields to I/O between timers, so it cannot run inside one).
 */
import type { TimerHandle, Clock } from '../../lib/clock.js';

interface Pending {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

export class PolledTimers implements Clock {
  private readonly pending: Pending[] = [];

  constructor(readonly now: () => number, readonly wallClock: () => number = now) {}

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.now() + Math.max(0, delayMs), fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => { p.cancelled = true; } };
  }

  /** Fires the timers due by `now()` (also those they set that are due). No allocation when none is pending. */
  runDue(): void {
    for (;;) {
      const now = this.now();
      let best = -1;
      for (let i = 0; i < this.pending.length; i++) {
        const p = this.pending[i];
        if (p.cancelled) this.pending.splice(i--, 1);
        else if (p.at <= now && (best < 0 || p.at < this.pending[best].at)) best = i;
      }
      if (best < 0) return;
      const p = this.pending[best];
      this.pending.splice(best, 1);
      p.fn();
    }
  }
}
