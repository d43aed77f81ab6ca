/**
 * Time for the RTSP server, injected so pacing, session timeouts and RTCP reports run on
 * virtual time in tests. `now()` is milliseconds on a monotonic clock whose zero is the Unix
 * epoch, so the same reading also gives the NTP time of a sender report.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  now(): number;
  /** Runs `fn` once, `delayMs` from now (0 = as soon as possible, never synchronously). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}
