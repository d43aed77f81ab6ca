export { createRequestHandler, type HttpOptions } from './server.js';
export { renderMetrics } from './metrics.js';
export { playerPage } from './player.js';
export { HttpError } from './body.js';
