export * from './message.js';
export * from './errors.js';
export { reasonPhrase } from './status.js';
export * from './headers/index.js';
export * from './url.js';
export * from './auth.js';
