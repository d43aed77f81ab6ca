export * from './errors.js';
export * from './nal.js';
export * from './parameter-sets.js';
export * from './sps.js';
export * from './depacketizer-stats.js';
export * from './depacketizer.js';
export * from './packetizer.js';
export * from './unit-start.js';
