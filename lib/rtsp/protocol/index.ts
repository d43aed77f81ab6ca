/** RTSP as a wire format (RFC 2326): messages, the incremental parser, headers, auth, URLs. Pure: no sockets. */
export * from './message.js';
export { RtspHeaders } from './header-map.js';
export { RtspMessageParser, DEFAULT_RTSP_PARSER_LIMITS } from './message-parser.js';
export type { RtspParserLimits, RtspStreamHandler, RtspParserStats } from './message-parser.js';
export * from './errors.js';
export { reasonPhrase } from './status.js';
export * from './headers/index.js';
export * from './url.js';
export * from './auth.js';
