/**
 * The gateway's configuration (the `--config` JSON file and `startGateway`'s argument):
 * shape, defaults, and validation with clear errors naming the offending key.
 */
import { CamwireError } from '../errors.js';
import type { StreamConfig } from './gateway.js';
import type { StreamOptions } from './stream.js';
import type { RecoveryConfig } from './wiring.js';

export class ConfigError extends CamwireError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

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
}

export interface HttpConfig {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Largest accepted SDP offer (default 65536 bytes). */
  maxBodyBytes?: number;
  /** Most lines in an SDP offer (default 1000); more get 413 SDP_TOO_MANY_LINES before the offer is parsed. */
  maxOfferLines?: number;
  /** Access-Control-Allow-Origin: '*' (default), one origin, or a list of allowed origins. */
  corsOrigin?: string | string[];
  /** Require this bearer token on every route (`?token=` works for opening the player). */
  token?: string;
  /** Require HTTP basic auth on every route. */
  basicAuth?: { user: string; password: string };
  /** Per-address rate limit: requestsPerSecond (20), burst (40), maxAddresses tracked (10000), exemptLoopback (true); false for none. */
  rateLimit?: { requestsPerSecond?: number; burst?: number; maxAddresses?: number; exemptLoopback?: boolean } | false;
  /** Slow clients: all headers within this (default 10000 ms)... */
  headersTimeoutMs?: number;
  /** ...the whole request within this (default 30000 ms)... */
  requestTimeoutMs?: number;
  /** ...and an idle keep-alive connection closes after this (default 5000 ms). */
  keepAliveTimeoutMs?: number;
  /** Largest request head (default 16384 bytes: 431 beyond). */
  maxHeaderBytes?: number;
  /** Header lines read per request (default 64; more are ignored). */
  maxHeaders?: number;
  /** Open connections in total (default 1024) and per client address (default 64). */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
}

export interface MetricsConfig {
  /** Serve /metrics on its own listener at this port instead of the main one (default: main listener). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Bearer token for the metrics listener (default none). */
  token?: string;
}

export interface CamwireConfig {
  http?: HttpConfig;
  metrics?: MetricsConfig;
  /** Viewers at once over all streams (default 500); more get 503. */
  maxViewersTotal?: number;
  /** Streams by name ([A-Za-z0-9._-], at most 64 characters). */
  streams: Record<string, StreamConfig>;
  /** `?src=` URL patterns (glob, `*` = anything) allowed as ad-hoc streams (default none: 403). */
  allowSources?: string[];
  /** Ad-hoc `?src=` streams at once (default 16). */
  maxSourceStreams?: number;
  /** Defaults for every stream (each stream's own keys win). */
  streamDefaults?: StreamOptions;
  webrtc?: WebRtcConfig;
  recovery?: RecoveryConfig;
}

type Check = (v: unknown, path: string) => void;

const num = (min: number, max: number): Check => (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(`${path} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
};
const str: Check = (v, path) => {
  if (typeof v !== 'string' || v.length === 0) throw new ConfigError(`${path} must be a non-empty string`);
};
/** A secret must be long enough not to be guessed; its value never appears in an error. */
const secret: Check = (v, path) => {
  if (typeof v !== 'string' || v.length < 8) throw new ConfigError(`${path} must be a string of at least 8 characters`);
};
const bool: Check = (v, path) => {
  if (typeof v !== 'boolean') throw new ConfigError(`${path} must be true or false`);
};
const oneOf = (...values: string[]): Check => (v, path) => {
  if (!values.includes(v as string)) throw new ConfigError(`${path} must be one of ${values.join(', ')}`);
};
const rtspUrl: Check = (v, path) => {
  str(v, path);
  if (!/^rtsps?:\/\/[^/\s]+/i.test(v as string)) throw new ConfigError(`${path} must be an rtsp:// URL`);
};
const stringOrList: Check = (v, path) => (Array.isArray(v) ? strings(v, path) : str(v, path));
const strings: Check = (v, path) => {
  if (!Array.isArray(v)) throw new ConfigError(`${path} must be an array of strings`);
  v.forEach((x, i) => str(x, `${path}[${i}]`));
};

function object(shape: Record<string, Check>): Check {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${path} must be an object`);
    for (const [k, val] of Object.entries(v)) {
      // own keys only: `valueOf` or `constructor` in a config file are unknown settings, not Object methods
      const check = Object.hasOwn(shape, k) ? shape[k] : undefined;
      if (!check) throw new ConfigError(`${path}.${k} is not a known setting (known: ${Object.keys(shape).join(', ')})`);
      if (val !== undefined) check(val, `${path}.${k}`);
    }
  };
}

const STREAM_OPTIONS: Record<string, Check> = {
  onDemand: bool,
  idleStopMs: num(0, 86_400_000),
  maxViewers: num(1, 10_000),
  rtx: bool,
  nack: bool,
  keyframeCacheMaxAgeMs: num(0, 3_600_000),
  keyframeCacheMaxBytes: num(65_536, 1 << 30),
  keyframeOnJoin: bool,
  connectTimeoutMs: num(1000, 600_000),
  timestampJumpMs: num(100, 3_600_000),
  rrtr: bool,
  viewerKeyframeRequests: oneOf('forward', 'ignore'),
  viewerRtcpTimeoutMs: num(1000, 3_600_000),
  viewerDisconnectTimeoutMs: num(1000, 3_600_000),
  forwarding: oneOf('frame', 'packet'),
};

const RTSP_OPTIONS = object({
  connectTimeoutMs: num(100, 600_000),
  requestTimeoutMs: num(100, 600_000),
  udpFallbackMs: num(100, 600_000),
  mediaTimeoutMs: num(100, 3_600_000),
  rtcpIntervalMs: num(100, 600_000),
  receiveBufferBytes: num(65536, 1 << 30),
  userAgent: str,
  bindAddress: str,
  multicastInterface: str,
  parserLimits: object({ maxHeaderBytes: num(1024, 16 << 20), maxHeaderCount: num(8, 100_000), maxBodyBytes: num(4096, 1 << 30) }),
  reconnect: object({ enabled: bool, initialDelayMs: num(0, 600_000), maxDelayMs: num(0, 3_600_000), factor: num(1, 100), maxAttempts: num(0, 1e9) }),
});

const CONFIG = object({
  http: object({
    host: str, port: num(0, 65535), maxBodyBytes: num(1024, 16 * 1024 * 1024), maxOfferLines: num(16, 1_000_000), corsOrigin: stringOrList,
    token: secret, basicAuth: object({ user: str, password: secret }),
    rateLimit: (v, path) => (v === false ? undefined : object({ requestsPerSecond: num(0.01, 1e6), burst: num(1, 1e6), maxAddresses: num(1, 1e7), exemptLoopback: bool })(v, path)),
    headersTimeoutMs: num(100, 600_000), requestTimeoutMs: num(100, 3_600_000), keepAliveTimeoutMs: num(100, 600_000),
    maxHeaderBytes: num(1024, 1 << 20), maxHeaders: num(1, 10_000), maxConnections: num(1, 1e6), maxConnectionsPerAddress: num(1, 1e6),
  }),
  metrics: object({ port: num(0, 65535), host: str, token: secret }),
  maxViewersTotal: num(1, 1e6),
  streams: (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${path} must be an object of name -> stream`);
    for (const [name, s] of Object.entries(v)) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new ConfigError(`${path}: bad stream name ${JSON.stringify(name)}`);
      object({ url: rtspUrl, transport: oneOf('auto', 'udp', 'tcp', 'multicast'), cameraNack: bool, cameraReorder: oneOf('auto', 'on', 'off'), reorderMinWaitMs: num(0, 5000), rtsp: RTSP_OPTIONS, ...STREAM_OPTIONS })(s, `${path}.${name}`);
      if ((s as { url?: unknown }).url === undefined) throw new ConfigError(`${path}.${name}.url is required`);
    }
  },
  allowSources: strings,
  maxSourceStreams: num(0, 10_000),
  streamDefaults: object(STREAM_OPTIONS),
  webrtc: object({ bindAddress: str, portRangeBegin: num(1, 65535), portRangeEnd: num(1, 65535), gatheringTimeoutMs: num(100, 60_000), mtu: num(300, 1500) }),
  recovery: object({
    history: object({ maxAgeMs: num(10, 60_000), maxPackets: num(16, 1_000_000), maxPacketSize: num(64, 1500), byteCapacity: num(1500, 1 << 30) }),
    keyframeRequestIntervalMs: num(0, 60_000),
    resendMemory: num(16, 1 << 20),
  }),
});

/** Validates a parsed JSON config; throws ConfigError naming the key at fault. */
export function parseConfig(input: unknown): CamwireConfig {
  CONFIG(input, 'config');
  const cfg = input as CamwireConfig;
  if (cfg.streams === undefined) (cfg as { streams: Record<string, StreamConfig> }).streams = {};
  const w = cfg.webrtc;
  if (w && (w.portRangeBegin === undefined) !== (w.portRangeEnd === undefined)) {
    throw new ConfigError('config.webrtc needs both portRangeBegin and portRangeEnd');
  }
  if (w?.portRangeBegin !== undefined && w.portRangeEnd !== undefined && w.portRangeBegin > w.portRangeEnd) {
    throw new ConfigError('config.webrtc.portRangeBegin is above portRangeEnd');
  }
  return cfg;
}
