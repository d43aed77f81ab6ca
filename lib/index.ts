/** camwire public API for embedders. Re-exports only. */
export { CamwireError } from './errors.js';
export * from './rtp/index.js';
export * from './sdp/index.js';
