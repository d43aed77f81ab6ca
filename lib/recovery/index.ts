export * from './reorder-buffer.js';
export * from './jitter.js';
export * from './nack-generator.js';
export * from './history.js';
export * from './rtx.js';
export * from './keyframe-policy.js';
export * from './errors.js';
export * from './receiver.js';
