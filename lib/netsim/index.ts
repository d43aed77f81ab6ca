// The UDP relay (./udp-relay.js) is deliberately not re-exported: it is the only netsim file
// that does I/O, and importing the models must not pull in dgram.
export * from './prng.js';
export * from './model.js';
export * from './loss.js';
export * from './reorder.js';
export * from './delay.js';
export * from './token-bucket.js';
export * from './link.js';
export * from './profiles.js';
export * from './errors.js';
export { DeliveryQueue } from './heap.js';
