export { createRequestHandler, type HttpOptions } from './server.js';
export { renderMetrics } from './metrics.js';
export { playerPage } from './player.js';
export { HttpError } from './body.js';
export { WEBSOCKET_ROUTE_DEFAULTS, WebSocketViewers, type WebSocketRouteOptions, type WebSocketViewerInfo } from './websocket-route.js';
export { FMP4_SESSION_DEFAULTS, Fmp4Session, type Fmp4SessionOptions, type MessageChannel } from './fmp4-session.js';
export { Fmp4VideoSink } from './fmp4-video-sink.js';
export { PLAYER_FALLBACK_DEFAULTS } from './player-fallback.js';
