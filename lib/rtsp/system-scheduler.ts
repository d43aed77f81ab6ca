/** The real clock and timers behind `Scheduler` (the only place the server reads time). */
import type { Scheduler, TimerHandle } from './server-clock.js';

export const systemScheduler: Scheduler = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};
