/**
 * The gateway's configuration (the `--config` JSON file and `startGateway`'s argument): its
 * shape, validation with clear errors naming the offending key, and the complete default
 * config. Every default comes from the component that applies it (the *_DEFAULTS objects);
 * this file only says which key of the file is which component's setting.
 */
import { CamwireError } from '../errors.js';
import { GATEWAY_DEFAULTS, type StreamConfig } from './gateway.js';
import { STREAM_DEFAULTS, type StreamOptions } from './stream-options.js';
import type { RecoveryConfig } from './wiring.js';
import { isIP } from 'node:net';
import { WEBRTC_DEFAULTS, type WebRtcConfig } from './transport.js';
import { parseIceUrl } from './ice-servers.js';
import { RTSP_SOURCE_DEFAULTS } from './rtsp-source.js';
import { RECONNECT_DEFAULTS, RTSP_CLIENT_DEFAULTS } from '../rtsp/client/types.js';
import { RTSP_TLS_DEFAULTS } from '../rtsp/client/tls.js';
import { KEYFRAME_POLICY_DEFAULTS } from '../recovery/keyframe-policy.js';
import { RESEND_LIMITER_DEFAULTS, RETRANSMISSION_HISTORY_DEFAULTS } from '../recovery/history.js';
import { REORDER_BUFFER_DEFAULTS } from '../recovery/reorder-buffer.js';
import { renditionsProblem } from './rendition-config.js';
import { HTTP_DEFAULTS, type HttpOptions } from '../http/server.js';
import { HTTP_LISTENER_DEFAULTS, type HttpListenerOptions } from '../http/listener-options.js';
import { WEBSOCKET_ROUTE_DEFAULTS } from '../http/websocket-route.js';
import { LOG_FORMATS, LOG_LEVELS, LOGGER_DEFAULTS, type LoggerOptions } from '../log/logger.js';
import { ADMIN_DEFAULTS, type AdminOptions } from '../http/admin-options.js';
import type { ViewerAuthOptions } from '../http/viewer-auth-options.js';
import { CAPTURE_DEFAULTS, type CaptureConfig } from '../capture/captures.js';
import { RECORD_DEFAULTS, RECORD_LIMITS, RecordError, resolveRecordSettings, type RecordSettings } from '../record/options.js';

export type { WebRtcConfig } from './transport.js';

export type ConfigErrorCode = 'CONFIG_INVALID';

/** A config that is not valid JSON of the right shape; the message names the key at fault. */
export class ConfigError extends CamwireError {
  declare readonly code: ConfigErrorCode;
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** The HTTP API (lib/http) and its listener; `metrics`, the clocks and the ICE servers (webrtc's) are the composition root's. */
export type HttpConfig = Omit<HttpOptions, 'metrics' | 'now' | 'iceServers' | 'wallClock' | 'clock' | 'log' | 'restreamStats' | 'streamApi' | 'viewerAuth' | 'recordings' | 'adminToken'> & HttpListenerOptions
  & AdminOptions & ViewerAuthOptions;

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
  /** On SIGTERM, serve the current viewers this long at most (default 30000 ms) before shutting down. */
  drainTimeoutMs?: number;
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
  /** Restream every stream over RTSP (lib/app/restream.ts); on when `port` is set. */
  rtspServer?: RtspServerConfig;
  /** The operator log: level and format (`--log-level`, `--log-format` win). */
  log?: Pick<LoggerOptions, 'level' | 'format'>;
  /** Stream API changes rewrite the --config file (atomically: write, then rename). Default false. */
  persistApi?: boolean;
  /** pcapng capture of every stream (lib/capture); on when `dir` is set. */
  capture?: CaptureConfig;
  /** fMP4 recording (lib/record): every recorded stream's settings (each stream's `record` turns it on and may override them). */
  record?: RecordSettings;
}

/** One RTSP login; the password never appears in logs, errors or the API. */
export interface RtspUser {
  user: string;
  password: string;
}

export interface RtspServerConfig {
  /** Default 127.0.0.1. */
  host?: string;
  /** No default: the restream is off until a port is given (8554 is RTSP's usual alternate). */
  port?: number;
  /** Logins accepted (Digest or Basic). Default none. */
  users?: RtspUser[];
  /** Serve without credentials; required when `users` is empty, so openness is never an accident. Default false. */
  anonymous?: boolean;
}

/** The restream's defaults (`port` and `users` have none: off, nobody). */
export const RTSP_SERVER_CONFIG_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  anonymous: false,
} as const satisfies Required<Omit<RtspServerConfig, 'port' | 'users'>>);

type Check = (v: unknown, path: string) => void;

/**
 * One key of the config: how its value is checked, and the value camwire uses when it is
 * absent (undefined when the absence itself is the default: no token, the kernel's choice).
 */
interface Setting {
  readonly check: Check;
  defaultValue(): unknown;
}

const setting = (check: Check, value?: unknown): Setting => ({
  check,
  defaultValue: () => (typeof value === 'object' && value !== null ? structuredClone(value) : value),
});

const num = (min: number, max: number, value?: number): Setting =>
  setting((v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new ConfigError(`${path} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
  }, value);
const checkText: Check = (v, path) => {
  if (typeof v !== 'string' || v.length === 0) throw new ConfigError(`${path} must be a non-empty string`);
};
const text = (value?: string): Setting => setting(checkText, value);
/** A secret must be long enough not to be guessed; its value never appears in an error. */
const secret = setting((v, path) => {
  if (typeof v !== 'string' || v.length < 8) throw new ConfigError(`${path} must be a string of at least 8 characters`);
});
const flag = (value?: boolean): Setting =>
  setting((v, path) => {
    if (typeof v !== 'boolean') throw new ConfigError(`${path} must be true or false`);
  }, value);
const oneOf = (values: readonly string[], value?: string): Setting =>
  setting((v, path) => {
    if (!values.includes(v as string)) throw new ConfigError(`${path} must be one of ${values.join(', ')}`);
  }, value);
const rtspUrl = setting((v, path) => {
  checkText(v, path);
  if (!/^rtsps?:\/\/[^/\s]+/i.test(v as string)) throw new ConfigError(`${path} must be an rtsp:// URL`);
});
const checkTexts: Check = (v, path) => {
  if (!Array.isArray(v)) throw new ConfigError(`${path} must be an array of strings`);
  v.forEach((x, i) => checkText(x, `${path}[${i}]`));
};
const RTSP_USER = object({ user: text(), password: secret });
/** RTSP logins: a user name Basic can carry (no `:`), each once, with a secret password. */
const rtspUsers = setting((v, path) => {
  if (!Array.isArray(v)) throw new ConfigError(`${path} must be an array of { user, password }`);
  const seen = new Set<string>();
  v.forEach((x, i) => {
    RTSP_USER.check(x, `${path}[${i}]`);
    const { user, password } = x as Partial<RtspUser>;
    if (user === undefined || password === undefined) throw new ConfigError(`${path}[${i}] needs both user and password`);
    if (user.includes(':')) throw new ConfigError(`${path}[${i}].user must not contain ':'`);
    if (seen.has(user)) throw new ConfigError(`${path}[${i}].user ${JSON.stringify(user)} is listed twice`);
    seen.add(user);
  });
});
const texts = (value?: readonly string[]): Setting => setting(checkTexts, value);
const textOrTexts = (value?: string): Setting => setting((v, path) => (Array.isArray(v) ? checkTexts(v, path) : checkText(v, path)), value);

/** An object of known keys; its default holds the defaults of its keys (undefined when none has one). */
function object(shape: Record<string, Setting>): Setting {
  return {
    check: (v, path) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${path} must be an object`);
      for (const [k, val] of Object.entries(v)) {
        // own keys only: `valueOf` or `constructor` in a config file are unknown settings, not Object methods
        const s = Object.hasOwn(shape, k) ? shape[k] : undefined;
        if (!s) throw new ConfigError(`${path}.${k} is not a known setting (known: ${Object.keys(shape).join(', ')})`);
        if (val !== undefined) s.check(val, `${path}.${k}`);
      }
    },
    defaultValue: () => {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(shape)) {
        const d = s.defaultValue();
        if (d !== undefined) out[k] = d;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    },
  };
}

/** `false` turns the feature off; otherwise an object of `shape`, whose defaults are the default. */
function falseOr(shape: Setting): Setting {
  return { check: (v, path) => (v === false ? undefined : shape.check(v, path)), defaultValue: shape.defaultValue };
}

/** A stream's options; in `streamDefaults` with STREAM_DEFAULTS, in a stream without (streamDefaults fill them). */
const streamOptions = (d: Partial<typeof STREAM_DEFAULTS>): Record<string, Setting> => ({
  onDemand: flag(d.onDemand),
  idleStopMs: num(0, 86_400_000, d.idleStopMs),
  maxViewers: num(1, 10_000, d.maxViewers),
  connectTimeoutMs: num(1000, 600_000, d.connectTimeoutMs),
  nack: flag(d.nack),
  rtx: flag(d.rtx),
  keyframeCacheMaxAgeMs: num(0, 3_600_000, d.keyframeCacheMaxAgeMs),
  keyframeCacheMaxBytes: num(65_536, 1 << 30, d.keyframeCacheMaxBytes),
  keyframeOnJoin: flag(d.keyframeOnJoin),
  timestampJumpMs: num(100, 3_600_000, d.timestampJumpMs),
  rrtr: flag(d.rrtr),
  viewerKeyframeRequests: oneOf(['forward', 'ignore'], d.viewerKeyframeRequests),
  viewerRtcpTimeoutMs: num(1000, 3_600_000, d.viewerRtcpTimeoutMs),
  viewerDisconnectTimeoutMs: num(1000, 3_600_000, d.viewerDisconnectTimeoutMs),
  forwarding: oneOf(['frame', 'packet'], d.forwarding),
  audio: flag(d.audio),
  audioWaitMs: num(0, 60_000, d.audioWaitMs),
});

/** At most this many STUN/TURN entries and public addresses: each costs every answer a line or a lookup. */
const MAX_ICE_ENTRIES = 16;

const ICE_SERVER = object({
  urls: textOrTexts(),
  username: text(),
  credential: text(),
  secret,
  ttlSeconds: num(60, 31_536_000),
});

/** The browser's RTCIceServer shape, or a TURN REST `secret`; no value of a secret in a message. */
const checkIceServers: Check = (v, path) => {
  if (!Array.isArray(v) || v.length > MAX_ICE_ENTRIES) throw new ConfigError(`${path} must be an array of at most ${MAX_ICE_ENTRIES} ICE servers`);
  v.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    ICE_SERVER.check(entry, at);
    const e = entry as { urls?: string | string[]; username?: string; credential?: string; secret?: string; ttlSeconds?: number };
    if (e.urls === undefined) throw new ConfigError(`${at}.urls is required`);
    const urls = typeof e.urls === 'string' ? [e.urls] : e.urls;
    if (urls.length === 0) throw new ConfigError(`${at}.urls must name at least one stun: or turn: URL`);
    let turn = false;
    urls.forEach((url, j) => {
      const parsed = parseIceUrl(url);
      if (!parsed) throw new ConfigError(`${at}.urls[${j}] must be stun:host[:port] or turn(s):host[:port][?transport=udp|tcp] (no user:password@ in it)`);
      turn ||= parsed.scheme.startsWith('turn');
    });
    if (e.secret !== undefined && (e.username !== undefined || e.credential !== undefined)) {
      throw new ConfigError(`${at} has a secret: its username and credential are minted, so give neither`);
    }
    if (e.ttlSeconds !== undefined && e.secret === undefined) throw new ConfigError(`${at}.ttlSeconds needs a secret`);
    if ((e.username === undefined) !== (e.credential === undefined)) throw new ConfigError(`${at} needs both username and credential`);
    if (turn && e.secret === undefined && e.username === undefined) {
      throw new ConfigError(`${at} is a TURN server: it needs a secret or a username and credential`);
    }
  });
};

const checkPublicAddresses: Check = (v, path) => {
  if (!Array.isArray(v) || v.length > MAX_ICE_ENTRIES) throw new ConfigError(`${path} must be an array of at most ${MAX_ICE_ENTRIES} IP addresses`);
  v.forEach((a, i) => {
    if (typeof a !== 'string' || isIP(a) === 0) throw new ConfigError(`${path}[${i}] must be an IPv4 or IPv6 address, got ${JSON.stringify(a)}`);
  });
};

const httpUrl = setting((v, path) => {
  checkText(v, path);
  if (!/^https?:\/\/[^/\s@]+(\/\S*)?$/i.test(v as string)) throw new ConfigError(`${path} must be an http:// or https:// URL without credentials`);
});

const JWT_OBJECT = object({
  secret, publicKey: text(), algorithms: texts(),
  leewaySeconds: num(0, 600), maxTokenBytes: num(256, 65_536),
});
/** HS256 with a `secret`, or RS256/ES256 with a PEM `publicKey`: exactly one of the two. */
const checkJwt: Check = (v, path) => {
  JWT_OBJECT.check(v, path);
  const j = v as { secret?: string; publicKey?: string; algorithms?: string[] };
  if ((j.secret === undefined) === (j.publicKey === undefined)) throw new ConfigError(`${path} needs exactly one of secret (HS256) or publicKey (RS256/ES256)`);
  if (j.publicKey !== undefined && !/-----BEGIN PUBLIC KEY-----/.test(j.publicKey)) throw new ConfigError(`${path}.publicKey must be a PEM public key`);
  j.algorithms?.forEach((a, i) => {
    if (!['HS256', 'RS256', 'ES256'].includes(a)) throw new ConfigError(`${path}.algorithms[${i}] must be HS256, RS256 or ES256`);
  });
};

const AUTH_HOOK = object({ url: httpUrl, timeoutMs: num(100, 60_000), cacheMs: num(0, 3_600_000), maxCacheEntries: num(1, 1e6) });
/** Off unless given; given, it needs its url (its other keys default to VIEWER_AUTH_DEFAULTS.authHook). */
const checkAuthHook: Check = (v, path) => {
  AUTH_HOOK.check(v, path);
  if ((v as { url?: string }).url === undefined) throw new ConfigError(`${path}.url is required`);
};

const client = RTSP_CLIENT_DEFAULTS;
const RTSP_OPTIONS = object({
  connectTimeoutMs: num(100, 600_000, client.connectTimeoutMs),
  requestTimeoutMs: num(100, 600_000, client.requestTimeoutMs),
  udpFallbackMs: num(100, 600_000, client.udpFallbackMs),
  mediaTimeoutMs: num(100, 3_600_000, client.mediaTimeoutMs),
  rtcpIntervalMs: num(100, 600_000, client.rtcpIntervalMs),
  receiveBufferBytes: num(65536, 1 << 30, client.receiveBufferBytes),
  userAgent: text(client.userAgent),
  bindAddress: text(client.bindAddress),
  multicastInterface: text(),
  tls: object({ ca: text(), insecure: flag(RTSP_TLS_DEFAULTS.insecure), servername: text() }),
  parserLimits: object({
    maxHeaderBytes: num(1024, 16 << 20, client.parserLimits.maxHeaderBytes),
    maxHeaderCount: num(8, 100_000, client.parserLimits.maxHeaderCount),
    maxBodyBytes: num(4096, 1 << 30, client.parserLimits.maxBodyBytes),
  }),
  reconnect: object({
    enabled: flag(RECONNECT_DEFAULTS.enabled),
    initialDelayMs: num(0, 600_000, RECONNECT_DEFAULTS.initialDelayMs),
    maxDelayMs: num(0, 3_600_000, RECONNECT_DEFAULTS.maxDelayMs),
    factor: num(1, 100, RECONNECT_DEFAULTS.factor),
    // default: never give up (RECONNECT_DEFAULTS.maxAttempts is Infinity, which JSON cannot write)
    maxAttempts: num(0, 1e9),
  }),
});

/** The recording settings; in the config's `record` with RECORD_DEFAULTS, in a stream's without (the config's fill them). */
const recordSettings = (d: Partial<typeof RECORD_DEFAULTS>): Record<string, Setting> => ({
  dir: text(),
  ...Object.fromEntries(Object.entries(RECORD_LIMITS).map(([k, [min, max]]) => [k, num(min, max, d[k as keyof typeof RECORD_DEFAULTS])])),
});
const STREAM_RECORD = object(recordSettings({}));

const renditions = setting((v, path) => {
  const problem = renditionsProblem(v, path);
  if (problem !== undefined) throw new ConfigError(problem);
});

const STREAM = object({
  url: rtspUrl,
  renditions,
  transport: oneOf(['auto', 'udp', 'tcp', 'multicast'], client.transport),
  cameraNack: flag(RTSP_SOURCE_DEFAULTS.nack),
  cameraReorder: oneOf(['auto', 'on', 'off'], RTSP_SOURCE_DEFAULTS.reorder),
  reorderMinWaitMs: num(0, 5000, REORDER_BUFFER_DEFAULTS.minWaitMs),
  bFrames: oneOf(['drop', 'forward'], RTSP_SOURCE_DEFAULTS.bFrames),
  rtsp: RTSP_OPTIONS,
  capture: flag(),
  record: setting((v, path) => (typeof v === 'boolean' ? undefined : STREAM_RECORD.check(v, path))),
  ...streamOptions({}),
});

/** rtsps:// takes media inside its TLS connection, so no UDP or multicast. */
function checkStreamTransport(s: StreamConfig, path: string): void {
  const tls = [s.url, ...(s.renditions ?? []).map((r) => r.url)].some((u) => u !== undefined && /^rtsps:/i.test(u));
  if (tls && (s.transport === 'udp' || s.transport === 'multicast')) {
    throw new ConfigError(`${path}.transport: rtsps:// carries media inside its TLS connection only, so '${s.transport}' is not possible (use tcp or auto)`);
  }
}

function checkStream(name: string, s: unknown, path: string): void {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new ConfigError(`${path}: bad stream name ${JSON.stringify(name)}`);
  STREAM.check(s, `${path}.${name}`);
  const given = s as { url?: unknown; renditions?: unknown };
  if (given.url !== undefined && given.renditions !== undefined) {
    throw new ConfigError(`${path}.${name} has both url and renditions: give one (renditions list the url of each profile)`);
  }
  if (given.url === undefined && given.renditions === undefined) throw new ConfigError(`${path}.${name}.url is required (or renditions)`);
  checkStreamTransport(s as StreamConfig, `${path}.${name}`);
}

/** One `streams.<name>` entry, validated exactly as in the config file (the stream API's check); errors name `streams.<name>.<key>`. */
export function parseStreamConfig(name: string, input: unknown): StreamConfig {
  checkStream(name, input, 'streams');
  return input as StreamConfig;
}

const listener = HTTP_LISTENER_DEFAULTS;
const limit = HTTP_DEFAULTS.rateLimit;
const history = RETRANSMISSION_HISTORY_DEFAULTS;
const CONFIG = object({
  http: object({
    host: text(listener.host),
    port: num(0, 65535, listener.port),
    maxBodyBytes: num(1024, 16 * 1024 * 1024, HTTP_DEFAULTS.maxBodyBytes),
    maxOfferLines: num(16, 1_000_000, HTTP_DEFAULTS.maxOfferLines),
    corsOrigin: textOrTexts(HTTP_DEFAULTS.corsOrigin),
    token: secret,
    basicAuth: object({ user: text(), password: secret }),
    rateLimit: falseOr(object({
      requestsPerSecond: num(0.01, 1e6, limit.requestsPerSecond),
      burst: num(1, 1e6, limit.burst),
      maxAddresses: num(1, 1e7, limit.maxAddresses),
      exemptLoopback: flag(limit.exemptLoopback),
    })),
    headersTimeoutMs: num(100, 600_000, listener.headersTimeoutMs),
    requestTimeoutMs: num(100, 3_600_000, listener.requestTimeoutMs),
    keepAliveTimeoutMs: num(100, 600_000, listener.keepAliveTimeoutMs),
    maxHeaderBytes: num(1024, 1 << 20, listener.maxHeaderBytes),
    maxHeaders: num(1, 10_000, listener.maxHeaders),
    maxConnections: num(1, 1e6, listener.maxConnections),
    maxConnectionsPerAddress: num(1, 1e6, listener.maxConnectionsPerAddress),
    websocket: object({
      maxBufferedBytes: num(64 * 1024, 1 << 30, WEBSOCKET_ROUTE_DEFAULTS.maxBufferedBytes),
      stallTimeoutMs: num(100, 600_000, WEBSOCKET_ROUTE_DEFAULTS.stallTimeoutMs),
      initTimeoutMs: num(100, 600_000, WEBSOCKET_ROUTE_DEFAULTS.initTimeoutMs),
      maxMessageBytes: num(125, 1 << 30, WEBSOCKET_ROUTE_DEFAULTS.maxMessageBytes),
    }),
    adminToken: secret,
    maxApiBodyBytes: num(256, 1 << 20, ADMIN_DEFAULTS.maxApiBodyBytes),
    jwt: setting(checkJwt),
    authHook: setting(checkAuthHook),
  }),
  metrics: object({ port: num(0, 65535), host: text(listener.host), token: secret }),
  maxViewersTotal: num(1, 1e6, GATEWAY_DEFAULTS.maxViewersTotal),
  drainTimeoutMs: num(0, 3_600_000, GATEWAY_DEFAULTS.drainTimeoutMs),
  streams: setting((v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${path} must be an object of name -> stream`);
    for (const [name, s] of Object.entries(v)) checkStream(name, s, path);
  }, {}),
  allowSources: texts(GATEWAY_DEFAULTS.allowSources),
  maxSourceStreams: num(0, 10_000, GATEWAY_DEFAULTS.maxSourceStreams),
  streamDefaults: object(streamOptions(STREAM_DEFAULTS)),
  webrtc: object({
    bindAddress: text(),
    portRangeBegin: num(1, 65535),
    portRangeEnd: num(1, 65535),
    gatheringTimeoutMs: num(100, 60_000, WEBRTC_DEFAULTS.gatheringTimeoutMs),
    mtu: num(300, 1500, WEBRTC_DEFAULTS.mtu),
    iceServers: setting(checkIceServers, WEBRTC_DEFAULTS.iceServers),
    publicAddresses: setting(checkPublicAddresses, WEBRTC_DEFAULTS.publicAddresses),
    udpMux: flag(WEBRTC_DEFAULTS.udpMux),
  }),
  recovery: object({
    history: object({
      maxAgeMs: num(10, 60_000, history.maxAgeMs),
      maxPackets: num(16, 1_000_000, history.maxPackets),
      maxPacketSize: num(64, 1500, history.maxPacketSize),
      // default: room for maxPackets packets (it follows them, so a fixed number would be wrong)
      byteCapacity: num(1500, 1 << 30),
    }),
    keyframeRequestIntervalMs: num(0, 60_000, KEYFRAME_POLICY_DEFAULTS.minIntervalMs),
    resendMemory: num(16, 1 << 20, RESEND_LIMITER_DEFAULTS.slots),
  }),
  rtspServer: object({
    host: text(RTSP_SERVER_CONFIG_DEFAULTS.host),
    port: num(0, 65535),
    users: rtspUsers,
    anonymous: flag(RTSP_SERVER_CONFIG_DEFAULTS.anonymous),
  }),
  log: object({ level: oneOf(LOG_LEVELS, LOGGER_DEFAULTS.level), format: oneOf(LOG_FORMATS, LOGGER_DEFAULTS.format) }),
  persistApi: flag(ADMIN_DEFAULTS.persistApi),
  capture: object({
    dir: text(),
    maxBytesPerFile: num(65_536, 2 ** 40, CAPTURE_DEFAULTS.maxBytesPerFile),
    maxBytesTotal: num(65_536, 2 ** 50, CAPTURE_DEFAULTS.maxBytesTotal),
    queueBytes: num(65_536, 1 << 30, CAPTURE_DEFAULTS.queueBytes),
    always: flag(CAPTURE_DEFAULTS.always),
  }),
  record: object(recordSettings(RECORD_DEFAULTS)),
});

/**
 * The complete default config: every key that has a default, with the value camwire uses
 * (keys whose absence is the default, such as `http.token` or `webrtc.bindAddress`, are
 * absent). No streams: see `defaultStreamConfig`. A fresh object on every call.
 */
export function defaultConfig(): CamwireConfig {
  return CONFIG.defaultValue() as CamwireConfig;
}

/**
 * What a stream entry means besides its `url`: the camera leg's and RTSP client's defaults.
 * Its StreamOptions keys are absent: `streamDefaults` gives them.
 */
export function defaultStreamConfig(): Omit<StreamConfig, 'url'> {
  return STREAM.defaultValue() as Omit<StreamConfig, 'url'>;
}

/** Validates a parsed JSON config; throws ConfigError naming the key at fault. */
export function parseConfig(input: unknown): CamwireConfig {
  CONFIG.check(input, 'config');
  const cfg = input as CamwireConfig;
  if (cfg.streams === undefined) (cfg as { streams: Record<string, StreamConfig> }).streams = {};
  const w = cfg.webrtc;
  if (w && (w.portRangeBegin === undefined) !== (w.portRangeEnd === undefined)) {
    throw new ConfigError('config.webrtc needs both portRangeBegin and portRangeEnd');
  }
  if (w?.portRangeBegin !== undefined && w.portRangeEnd !== undefined && w.portRangeBegin > w.portRangeEnd) {
    throw new ConfigError('config.webrtc.portRangeBegin is above portRangeEnd');
  }
  if (w?.udpMux === true && w.portRangeBegin === undefined) {
    throw new ConfigError('config.webrtc.udpMux needs portRangeBegin: the one UDP port every viewer shares');
  }
  for (const [name, s] of Object.entries(cfg.streams)) {
    try {
      resolveRecordSettings(cfg.record, s.record);
    } catch (err) {
      if (err instanceof RecordError) throw new ConfigError(`config.streams.${name}.${err.message}`);
      throw err;
    }
  }
  const r = cfg.rtspServer;
  if (r?.port !== undefined && (r.users ?? []).length === 0 && r.anonymous !== true) {
    throw new ConfigError('config.rtspServer needs users, or anonymous: true to serve every stream to anyone');
  }
  return cfg;
}
