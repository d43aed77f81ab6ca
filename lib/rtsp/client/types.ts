/** Public types of the RTSP client: options and their defaults, tracks, session info, events, stats. */
import type { RtpPacket } from '../../rtp/packet.js';
import type { RtcpPacket } from '../../rtcp/index.js';
import type { SdpTrack, SessionDescription } from '../../sdp/index.js';
import { DEFAULT_RTSP_PARSER_LIMITS, type RtspParserLimits } from '../protocol/message-parser.js';
import type { RtpInfoEntry } from '../protocol/headers/rtp-info.js';
import type { ReceptionCounters } from './reception.js';
import type { Clock } from '../../clock.js';
import type { RtspClientError } from './errors.js';
import { UDP_PAIR_DEFAULTS } from './udp.js';
import { RTSP_TLS_DEFAULTS, type RtspTlsOptions } from './tls.js';

export type RtspTransportMode = 'udp' | 'tcp' | 'multicast';
export type RtspTransportPreference = RtspTransportMode | 'auto';

export interface ReconnectOptions {
  /** Reconnect when the camera drops or a (re)connection fails. Default true. */
  enabled?: boolean;
  /** First wait. Default 1000 ms. */
  initialDelayMs?: number;
  /** Longest wait. Default 30000 ms. */
  maxDelayMs?: number;
  /** Growth per consecutive failure. Default 2. */
  factor?: number;
  /** Give up after this many consecutive failures. Default Infinity. */
  maxAttempts?: number;
}

export const RECONNECT_DEFAULTS = Object.freeze({
  enabled: true,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  maxAttempts: Infinity,
} as const satisfies Required<ReconnectOptions>);

export interface RtspClientOptions {
  /** `rtsp://[user:pass@]host[:port]/path`. Credentials are taken out and never reported. */
  url: string;
  /** `auto` (default): UDP, falling back to TCP on 461 or when no packet arrives in time. */
  transport?: RtspTransportPreference;
  /** Which SDP tracks to set up, given each and all of the description's. Default: every video track. */
  wantTrack?: (track: SdpTrack, all: readonly SdpTrack[]) => boolean;
  /** Sees every RTP/RTCP datagram or interleaved frame as it arrives and every RTCP packet sent (a capture). */
  wireTap?: RtspWireTap;
  clock?: Clock;
  /** Default `camwire`. Some cameras answer 401 without a User-Agent (go2rtc#235). */
  userAgent?: string;
  /** Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Default 10000 ms. */
  requestTimeoutMs?: number;
  /** UDP/multicast: no RTP within this time after PLAY means try TCP (auto) or fail. Default 3000 ms. */
  udpFallbackMs?: number;
  /** While playing, no RTP for this long ends the session (then reconnect). Default 10000 ms. */
  mediaTimeoutMs?: number;
  /** RTCP receiver reports to the camera. Default every 5000 ms. */
  rtcpIntervalMs?: number;
  /** UDP SO_RCVBUF. Default 4 MiB. */
  receiveBufferBytes?: number;
  /** 3xx redirects followed before giving up. Default 5. */
  maxRedirects?: number;
  reconnect?: ReconnectOptions;
  /** Local address for UDP sockets. Default 0.0.0.0. */
  bindAddress?: string;
  /** Interface address for multicast membership. Default: the kernel's choice. */
  multicastInterface?: string;
  parserLimits?: Partial<RtspParserLimits>;
  /** rtsps:// only: extra CA, skipped verification, expected name (RTSP_TLS_DEFAULTS; trust: system store + NODE_EXTRA_CA_CERTS). */
  tls?: RtspTlsOptions;
  /**
   * UDP unicast: the client ports announced in SETUP instead of the bound ones, given those and
   * the track. For the lab: a netsim relay in front of the RTP socket puts loss and reordering
   * on the camera's path. RTCP we send still leaves from the bound RTCP port. Default: the bound ports.
   */
  udpAnnouncePorts?: (bound: { rtpPort: number; rtcpPort: number }, track: RtspTrack) => [number, number] | Promise<[number, number]>;
}

/**
 * What the client does unless told otherwise. The camera's URL has no default, nor do the
 * hooks whose absence is the behaviour (tls: only `insecure` has one; wantTrack: every video track; clock: the system's;
 * multicastInterface: the kernel's choice; udpAnnouncePorts: the bound ports; wireTap: no capture).
 */
export const RTSP_CLIENT_DEFAULTS = Object.freeze({
  transport: 'auto',
  userAgent: 'camwire',
  connectTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  udpFallbackMs: 3000,
  mediaTimeoutMs: 10_000,
  rtcpIntervalMs: 5000,
  receiveBufferBytes: UDP_PAIR_DEFAULTS.receiveBufferBytes,
  maxRedirects: 5,
  reconnect: RECONNECT_DEFAULTS,
  bindAddress: UDP_PAIR_DEFAULTS.bindAddress,
  parserLimits: DEFAULT_RTSP_PARSER_LIMITS,
  tls: RTSP_TLS_DEFAULTS,
} as const satisfies Required<Omit<RtspClientOptions, 'url' | 'wantTrack' | 'clock' | 'multicastInterface' | 'udpAnnouncePorts' | 'wireTap'>>);

export interface RtspTrack {
  /** Position among the tracks set up (what events carry). */
  index: number;
  mediaType: string;
  codec?: string;
  payloadType: number;
  clockRate: number;
  /** Absolute control URL used in SETUP. */
  control: string;
  /** What describeTracks made of the media section. */
  sdp: SdpTrack;
  /** Set once SETUP is answered. */
  endpoints?: RtspTrackEndpoints;
}

/** Raw media of the camera leg, for a capture: bytes valid only during the call, never modified. */
export interface RtspWireTap {
  /** `data` on `track`: RTP or RTCP, from the camera (`outgoing` false, before parsing) or to it. */
  onWire(track: number, rtcp: boolean, outgoing: boolean, data: Uint8Array): void;
}

/**
 * Where a track's media flows: the camera's and camwire's addresses and RTP/RTCP ports. Over
 * TCP-interleaved (`interleaved`) the addresses are the RTSP connection's and the ports are
 * its ports (RTCP one above), so a capture can show the frames as UDP between the same hosts.
 */
export interface RtspTrackEndpoints {
  camera: string;
  local: string;
  cameraRtpPort: number;
  cameraRtcpPort: number;
  localRtpPort: number;
  localRtcpPort: number;
  interleaved: boolean;
}

export interface RtspSessionInfo {
  /** Request URL without credentials. */
  url: string;
  server?: string;
  transport: RtspTransportMode;
  tracks: RtspTrack[];
  sessionId: string;
  /** Seconds (60 when the server did not say). */
  timeoutS: number;
  keepAliveMethod: 'GET_PARAMETER' | 'OPTIONS';
  authScheme?: string;
  sdp: string;
  description: SessionDescription;
  rtpInfo: RtpInfoEntry[];
  /** Counts sessions of this client: a new value means new SSRC, sequence numbers and timestamps. */
  generation: number;
  /** Quickest RTSP request-to-response time of the handshake (ms): an upper bound on the RTT to the camera. */
  controlRttMs?: number;
}

export type RtspClientState = 'idle' | 'connecting' | 'playing' | 'paused' | 'reconnecting' | 'closed';

export interface RtspStateChange {
  state: RtspClientState;
  /** Why we left the previous state, when it was a failure. */
  reason?: RtspClientError;
  /** reconnecting: which consecutive attempt comes next, and after how long. */
  attempt?: number;
  delayMs?: number;
  transport?: RtspTransportMode;
}

export interface RtspClientEvents {
  rtp: (packet: RtpPacket, track: RtspTrack) => void;
  rtcp: (packets: RtcpPacket[], track: RtspTrack) => void;
  state: (change: RtspStateChange) => void;
  error: (error: RtspClientError) => void;
  session: (info: RtspSessionInfo) => void;
}

export interface RtspTrackStats extends ReceptionCounters {
  rtcpReceived: number;
  rtcpSent: number;
  rtpParseErrors: number;
  /** Packets from an unexpected address, payload type or channel. */
  foreignPackets: number;
  /** UDP/multicast: SO_RCVBUF the kernel granted (Linux reports twice the usable size); 0 on TCP. */
  receiveBufferBytes: number;
}

export interface RtspClientStats {
  sessions: number;
  reconnects: number;
  udpToTcpFallbacks: number;
  redirects: number;
  keepAlivesSent: number;
  keepAliveFailures: number;
  reauthentications: number;
  mismatchedCseq: number;
  serverRequests: number;
  tracks: RtspTrackStats[];
  /** Quirks of this server that were worked around (deduplicated, stable strings). */
  quirks: string[];
}
