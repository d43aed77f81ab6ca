/** RTSP: the protocol (pure), the client and the server. */
export * from './protocol/index.js';
export { RtspClient } from './client/client.js';
export * from './client/types.js';
export { RtspClientError, RtspStatusError, type RtspClientErrorCode } from './client/errors.js';

export { RtpReception, type ReceptionCounters, type ReceptionReportBlock } from './client/reception.js';
export { buildReceiverReport, buildPli, buildFir, buildNack } from './client/rtcp.js';
export { describeRtspTracks, defaultWantTrack, type DescribedSession, type MulticastHint } from './client/describe.js';
export { RTSP_TLS_DEFAULTS, type RtspTlsOptions } from './client/tls.js';
export { UdpPortPair, DEFAULT_UDP_RECEIVE_BUFFER, type UdpPairOptions } from './client/udp.js';
export * from './server/index.js';
