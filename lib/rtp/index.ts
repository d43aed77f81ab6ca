export * from './packet.js';
export * from './seq.js';
export * from './errors.js';
export * from './extension.js';
export * from './sequence-tracker.js';
export type { SequenceCounters } from './sequence-counters.js';
