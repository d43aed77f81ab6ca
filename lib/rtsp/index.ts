export * from './message.js';
export * from './errors.js';
export { reasonPhrase } from './status.js';
export * from './headers/index.js';
export * from './url.js';
export * from './auth.js';
export { RtspClient } from './client.js';
export * from './client-types.js';
export { RtspClientError, RtspStatusError, type RtspClientErrorCode } from './client-errors.js';
export { systemTimers, type Timers, type TimerHandle } from './timers.js';
export { RtpReception, type ReceptionCounters, type ReceptionReportBlock } from './reception.js';
export { buildReceiverReport, buildPli, buildFir, buildNack } from './client-rtcp.js';
export { describeRtspTracks, defaultWantTrack, type DescribedSession, type MulticastHint } from './client-describe.js';
export { UdpPortPair, DEFAULT_UDP_RECEIVE_BUFFER, type UdpPairOptions } from './udp.js';
export { probe, formatProbe, profileName, type ProbeOptions, type ProbeResult, type ProbeTrack, type ProbeRecovery } from './probe.js';
export {
  CameraLeg, attachCameraLeg, firstH264Track, type CameraLegOptions, type CameraLegStats, type CameraLegUpstream, type CameraLegClient,
} from './camera-leg.js';
