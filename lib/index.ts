/**
 * camwire public API for embedders. Re-exports only. Loading it does not load the native
 * WebRTC addon (startGateway does); one layer alone: `camwire/rtp`, `camwire/sdp`... (package.json).
 */
export { CamwireError } from './errors.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export * from './rtp/index.js';
export * from './sdp/index.js';
export * from './rtcp/index.js';
export * from './recovery/index.js';
export * from './congestion/index.js';
export * from './netsim/index.js';
export * from './h264/index.js';
export * from './h265/index.js';
export * from './rtsp/index.js';
export * from './ingest/index.js';
// Both rtcp (ReceptionStats) and rtsp (RtpReception) name their counters ReceptionCounters.
export type { ReceptionCounters } from './rtcp/index.js';
export type { ReceptionCounters as RtspReceptionCounters } from './rtsp/index.js';
export * from './gateway/index.js';
export * from './http/index.js';
export * from './app/index.js';
export * from './audio/index.js';
export * from './mp4/index.js';
export * from './capture/index.js';
