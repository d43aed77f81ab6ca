/**
 * The library's one notion of time, injected everywhere time matters (keep-alives, reports,
 * pacing, NACK timing, reconnection, the gateway's tick) so tests run on virtual time.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic: for intervals and deadlines only. */
  now(): number;
  /** Milliseconds since the Unix epoch: the NTP time of sender reports and RTT echoes. */
  wallClock(): number;
  /** Runs `fn` once after `delayMs` (never synchronously). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  wallClock: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};
