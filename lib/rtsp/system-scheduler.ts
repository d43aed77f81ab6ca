/** The real clock and timers behind `Scheduler`: the client's `systemTimers` (epoch-based ms). */
export { systemTimers as systemScheduler } from './timers.js';
