export * from './message.js';
export * from './errors.js';
export { reasonPhrase } from './status.js';
