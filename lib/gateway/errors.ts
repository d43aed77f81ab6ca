import { CamwireError } from '../errors.js';

export type GatewayErrorCode =
  /** The browser's offer has no active video m-line, or none with an a=mid (BUNDLE needs one). */
  | 'OFFER_NO_VIDEO'
  /** The offer has no H.264 format with packetization-mode=1. */
  | 'OFFER_NO_H264'
  | 'OFFER_NO_H265'
  /** The WebRTC stack refused the offer or failed to answer it. */
  | 'OFFER_REJECTED'
  /** ICE gathering took longer than webrtc.gatheringTimeoutMs. */
  | 'GATHERING_TIMEOUT'
  /** A stream's maxViewers, or maxViewersTotal over all streams, is reached. */
  | 'PEER_LIMIT'
  /** maxSourceStreams ad-hoc `?src=` streams exist already. */
  | 'STREAM_LIMIT'
  /** A `?src=` URL outside allowSources (or one carrying credentials). */
  | 'SOURCE_NOT_ALLOWED'
  /** A stream name outside [A-Za-z0-9._-]{1,64}, or one already taken. */
  | 'STREAM_BAD_NAME'
  | 'STREAM_EXISTS'
  /** No stream of that name (the stream API's PATCH and DELETE). */
  | 'STREAM_UNKNOWN'
  /** Another change to this stream is still being applied (a concurrent API call or reload). */
  | 'STREAM_BUSY'
  /** The WebRTC transport was cleaned up (the gateway is shutting down). */
  | 'TRANSPORT_CLOSED'
  /** The gateway is draining before shutdown: it serves its viewers but takes no new ones. */
  | 'DRAINING'
  /** A stream's parts cannot work together (egress MTU too large, packet forwarding without parameter sets). */
  | 'BAD_OPTION'
  /** The camera's audio track has parameters browsers do not play (rate, channels, codec) or lacks the AAC config: dropped, the video plays. */
  | 'AUDIO_UNUSABLE';

/** Failures of the gateway and its WebRTC transport. */
export class GatewayError extends CamwireError {
  declare readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string) {
    super(code, message);
  }
}
