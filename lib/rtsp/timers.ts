/**
 * Time for the RTSP client, injected so keep-alives, receiver reports, fallback and
 * reconnection run on virtual time in tests. Same shape as the server's `Scheduler`.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `fn` once after `delayMs` (never synchronously). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

export const systemTimers: Timers = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  },
};
