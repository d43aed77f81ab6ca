/**
 * What the gateway needs from a WebRTC stack: one browser peer that sends raw RTP/RTCP and
 * hands back the browser's RTCP. `native-bindings/webrtc.ts` implements it over
 * node-datachannel; tests may implement it in memory. No WebRTC library is imported here, so
 * lib/gateway depends only on this interface (dependencies point down the data flow).
 */

import { PACKETIZER_DEFAULTS } from '../h264/packetizer.js';
import type { IceServerConfig } from './ice-servers.js';
import type { MediaKind } from './track.js';

/** How the WebRTC stack is set up (the config's `webrtc` block). */
export interface WebRtcConfig {
  /** Local address ICE binds to (default: all interfaces). */
  bindAddress?: string;
  /** UDP port range for ICE (default: ephemeral ports). */
  portRangeBegin?: number;
  portRangeEnd?: number;
  /** Give up answering an offer when ICE gathering takes longer (default 5000 ms). */
  gatheringTimeoutMs?: number;
  /** Largest RTP packet sent to browsers, header included (default 1200). */
  mtu?: number;
  /**
   * STUN/TURN servers for camwire's ICE agent and, through WHEP Link headers, the browser's
   * (default none). An entry with `secret` mints TURN REST credentials per viewer.
   */
  iceServers?: IceServerConfig[];
  /** IP addresses advertised as extra host candidates in every answer (1:1 NAT, Docker; default none). */
  publicAddresses?: string[];
  /** Every viewer on ONE UDP port, `portRangeBegin` (libjuice's mux; default false). */
  udpMux?: boolean;
}

/**
 * ICE binds to every interface on ephemeral ports, one per viewer, unless given an address,
 * a range or the mux; no STUN/TURN server and no extra address unless configured.
 */
export const WEBRTC_DEFAULTS = Object.freeze({
  gatheringTimeoutMs: 5000,
  mtu: PACKETIZER_DEFAULTS.mtu,
  iceServers: [],
  publicAddresses: [],
  udpMux: false,
} as const satisfies Required<Omit<WebRtcConfig, 'bindAddress' | 'portRangeBegin' | 'portRangeEnd'>>);

/** What the answer offers the browser; chosen from its offer by `negotiateVideo`. */
export interface PeerMediaParams {
  /** The offer's video `a=mid`. */
  mid: string;
  /** H.264 when absent. */
  codec?: 'h264' | 'h265';
  /** The offer's payload type that matches the camera's stream. */
  payloadType: number;
  /** fmtp of the format in the answer (H.264: profile-level-id, packetization-mode=1; H.265: the offer's level-id, profile-id, tier-flag, tx-mode). */
  fmtp: string;
  /** The offer's RTX payload type whose apt is `payloadType`, when RTX is wanted. */
  rtxPayloadType?: number;
  /** SSRC camwire sends media on. */
  ssrc: number;
  /** SSRC of the RTX stream (RFC 4588), announced with an FID group; only with rtxPayloadType. */
  rtxSsrc?: number;
  cname: string;
  /** Offer `a=rtcp-fb:<pt> rrtr` (RFC 3611) so the browser sends XR RRTR and learns its RTT from DLRR. */
  rrtr?: boolean;
  /** MediaStream id and track id for `a=msid`. */
  streamId: string;
  trackId: string;
  /** Negotiate transport-wide CC on the video with this header extension id (the offer's). */
  transportCcExtensionId?: number;
  /** An audio m-line in the same BUNDLE, when the offer has one with a codec the stream sends. */
  audio?: PeerAudioParams;
}

/** The answer's audio: chosen from the offer by `negotiateAudio`. */
export interface PeerAudioParams {
  /** The offer's audio `a=mid`. */
  mid: string;
  payloadType: number;
  /** rtpmap after the payload type, e.g. `opus/48000/2`, `PCMU/8000`. */
  rtpmap: string;
  fmtp?: string;
  /** RED (RFC 2198) payload type carrying `payloadType` (`red/48000/2`). */
  redPayloadType?: number;
  /** Offer `a=rtcp-fb:<pt> nack`: audio retransmissions answered. */
  nack: boolean;
  ssrc: number;
  trackId: string;
}

export type PeerState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export interface PeerHandlers {
  /** One RTCP compound packet from the browser, already decrypted. The buffer may be reused after return. */
  onRtcp(packet: Uint8Array): void;
  /** Connection state changes; 'closed' is the last one. */
  onState(state: PeerState): void;
  /** The media track is open: RTP sent before this is lost. */
  onOpen(): void;
}

export interface PeerAddress {
  address: string;
  port: number;
}

export interface PeerTransportStats {
  bytesSent: number;
  bytesReceived: number;
  /** ICE round-trip time in ms when the stack knows it. */
  rttMs: number | undefined;
}

export interface WebRtcPeer {
  /** The complete answer (all candidates gathered: no trickle). */
  readonly answerSdp: string;
  readonly media: PeerMediaParams;
  readonly state: PeerState;
  /** True once the media track is open and until close. */
  readonly isOpen: boolean;
  /** Sends one RTP packet on the media of `kind` (default video); false when it could not be sent (not open, closed, buffer full). */
  sendRtp(packet: Uint8Array, kind?: MediaKind): boolean;
  /** Sends one RTCP compound packet (SR, SDES...), on the media of `kind` (default video). */
  sendRtcp(packet: Uint8Array, kind?: MediaKind): boolean;
  transportStats(): PeerTransportStats;
  /** The ICE-selected pair (camwire's address and port, the browser's), once connected, if the stack tells. */
  selectedPath?(): { local: PeerAddress; remote: PeerAddress } | undefined;
  /** Idempotent. Fires onState('closed'). */
  close(): void;
}

export interface WebRtcTransport {
  /**
   * Answers a browser's offer. Resolves once ICE gathering has completed, with the full
   * answer; rejects with a typed error when the offer cannot be answered or gathering times out.
   */
  createPeer(offerSdp: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer>;
  /** Number of peers not yet closed. */
  readonly peerCount: number;
  /** Closes every peer and releases the native stack so the process can exit. Idempotent. */
  cleanup(): void;
}
