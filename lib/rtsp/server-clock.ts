/**
 * Time for the RTSP server, injected so pacing, session timeouts and RTCP reports run on
 * virtual time in tests. The same shape as the client's `Timers` (timers.ts). For the
 * server, `now()` must count milliseconds from the Unix epoch (as `systemTimers` does), since
 * the same reading gives the NTP time of its sender reports.
 */
import type { Timers } from './timers.js';

export type { TimerHandle } from './timers.js';
export type Scheduler = Timers;
