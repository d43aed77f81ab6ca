export { Gateway, type GatewayOptions, type SourceFactory, type StreamConfig } from './gateway.js';
export { Stream, STREAM_DEFAULTS, CODEC_WAIT, type StreamOptions, type StreamStats, type ViewerInfo } from './stream.js';
export { Viewer, type ViewerOptions, type ViewerState, type ViewerStats, type ViewerTrackOptions, type CachedKeyframe } from './viewer.js';
export { TrackSender, TRACK_SENDER_DEFAULTS, type SenderMedia, type SenderState, type TrackSenderOptions, type TrackSenderStats } from './track-sender.js';
export type { TrackSink, SinkState } from './track-sink.js';
export type { MediaKind, Track } from './track.js';
export { VideoTrack, VIDEO_CLOCK_RATE, type TrackOwner, type VideoTrackOptions, type VideoTrackStats } from './video-track.js';
export { AudioTrack, type AudioTrackOptions, type AudioTrackStats } from './audio-track.js';
export { StreamAudio, type StreamAudioState, type StreamAudioStats } from './stream-audio.js';
export { RedSink } from './red-sink.js';
export { negotiateAudio, chooseAudio, type BrowserAudioCodec, type NegotiatedAudio } from './negotiate-audio.js';
export { EgressTimeline, type EgressTimelineOptions } from './egress-timeline.js';
export { KeyframeCache, type KeyframeCacheOptions, type KeyframeEntry } from './keyframe-cache.js';
export type { CutThroughCounters, Forwarder, TrackOutput } from './forwarder.js';
export { MAX_EGRESS_PACKET, PLACEHOLDER_PAYLOAD_TYPE } from './egress-packet.js';
export type { AccessUnit as SourceAccessUnit, SourceInfo, SourceSink, SourceState, VideoCodec, VideoSource } from './source.js';
export { CodecPacketizer } from './codec-packetizer.js';
export type {
  PeerAudioParams, PeerHandlers, PeerMediaParams, PeerState, PeerTransportStats, WebRtcPeer, WebRtcTransport,
} from './transport.js';
export {
  systemClock, type Clock, type EgressHistory, type EgressPacketizer, type GatewayDeps, type GatewayRtcp,
  type KeyframeGate, type NegotiatedVideo, type OfferNegotiator, type ResendGate, type RtcpEvent, type RtxBuilder,
  type SenderReportInfo,
} from './deps.js';
export { negotiateOffer, chooseVideo, FALLBACK_PROFILE_LEVEL_ID, type OfferedVideo } from './negotiate.js';
export { gatewayRtcp } from './rtcp-adapter.js';
export { createDeps, defaultDeps, defaultSourceFactory, type RecoveryConfig } from './wiring.js';
export { parseConfig, ConfigError, type CamwireConfig, type HttpConfig, type WebRtcConfig } from './config.js';
export { GatewayError } from './errors.js';
