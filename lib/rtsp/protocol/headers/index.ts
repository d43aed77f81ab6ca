export * from './transport.js';
export * from './session.js';
export * from './rtp-info.js';
export * from './public.js';
export * from './authenticate.js';
export { splitOutsideQuotes, unquote, parseParams } from './params.js';
