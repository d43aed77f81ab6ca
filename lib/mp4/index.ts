export * from './errors.js';
export * from './options.js';
export * from './tracks.js';
export * from './muxer.js';
export * from './timeline.js';
