export * from './types.js';
export * from './errors.js';
export { parseSdp, defaultOrigin, DEFAULT_MAX_SDP_SIZE, type ParseSdpOptions } from './parse.js';
export { serializeSdp } from './serialize.js';
export * from './attributes.js';
export * from './h264-fmtp.js';
export { parseH265Fmtp, serializeH265Fmtp, type H265Fmtp, type H265FmtpInput } from './h265-fmtp.js';
export {
  describeTracks, findH264PayloadTypes, findH265PayloadTypes, type SdpTrack, type TrackFormat, type H264PayloadType, type H265PayloadType,
} from './tracks.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { addPublicCandidates, parseCandidateLine, type IceCandidate } from './candidates.js';
