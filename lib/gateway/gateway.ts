/**
 * Streams by name, their lifecycle, and the `?src=` allow-list. Transport, protocol pieces
 * and sources are injected: the composition root (lib/app/start.ts) wires the real ones.
 */
import { createHash } from 'node:crypto';
import type { TimerHandle } from '../clock.js';
import { stripCredentials, type RtspClientOptions } from '../rtsp/index.js';
import type { GatewayDeps } from './deps.js';
import { GatewayError } from './errors.js';
import type { RenditionConfig } from './rendition-config.js';
import { RenditionSet } from './renditions.js';
import type { VideoSource } from './source.js';
import { Stream, type StreamOptions, type StreamStats, type ViewerInfo, type ViewerOrigin } from './stream.js';
import { STREAM_DEFAULTS } from './stream-options.js';
import type { WebRtcTransport } from './transport.js';
import type { Viewer } from './viewer.js';
import type { Captures } from '../capture/captures.js';
import type { Recordings } from '../record/recordings.js';
import type { RecordingStats } from '../record/stream-recorder.js';
import type { StreamRecordSetting } from '../record/options.js';
import type { CameraTap } from '../capture/capture-slot.js';

export interface StreamConfig extends StreamOptions {
  /** rtsp://[user:pass@]host[:port]/path, or rtsps:// (RTSP over TLS, port 322, TCP only); required unless `renditions` are given. */
  url?: string;
  /** The camera's profiles of this picture, best first, in place of `url` (one behaves as `url`). */
  renditions?: readonly RenditionConfig[];
  /** Camera leg transport (default 'auto': UDP, falling back to TCP). */
  transport?: 'auto' | 'udp' | 'tcp' | 'multicast';
  /** Send NACKs to the camera on UDP/multicast (default true). */
  cameraNack?: boolean;
  /**
   * Reorder buffer on the camera leg (default 'auto': on for UDP and multicast, off for TCP,
   * which arrives in order). 'off' forwards packets as they come, to measure what reordering does.
   */
  cameraReorder?: 'auto' | 'on' | 'off';
  /** A camera sending B-frames: 'drop' (default: browsers play the rest) or 'forward' them as they are. */
  bFrames?: 'drop' | 'forward';
  /** Floor of the reorder buffer's hold time for a gap (default 20 ms; the hold follows the jitter above it). */
  reorderMinWaitMs?: number;
  /** RTSP client details (timeouts, receive buffer, user agent, reconnect); lib/rtsp's defaults otherwise. */
  rtsp?: RtspStreamOptions;
  /** `false`: not captured even when a capture directory is set (default: captured then). */
  capture?: boolean;
  /** Records the stream to fMP4 segments (lib/record): true for the config's `record` settings, or some of them overridden. Default false. */
  record?: StreamRecordSetting;
}

export type RtspStreamOptions = Pick<
  RtspClientOptions,
  'connectTimeoutMs' | 'requestTimeoutMs' | 'udpFallbackMs' | 'mediaTimeoutMs' | 'rtcpIntervalMs' | 'receiveBufferBytes' | 'userAgent' | 'bindAddress' | 'multicastInterface' | 'reconnect' | 'parserLimits' | 'tls'
>;

export interface GatewayOptions {
  streams: Record<string, StreamConfig>;
  /** `?src=` URLs allowed as ad-hoc streams: glob patterns where `*` matches anything (default none). */
  allowSources?: readonly string[];
  /** Defaults applied to every stream, including ad-hoc ones (a stream's own keys win; STREAM_DEFAULTS fill the rest). */
  streamDefaults?: StreamOptions;
  /** Ad-hoc `?src=` streams at once (default 16); more get STREAM_LIMIT (503). Idle ones are removed. */
  maxSourceStreams?: number;
  /** How often streams do periodic work (SR, idle stop), default 250 ms. */
  tickMs?: number;
  /** Viewers at once over all streams, offers being answered included (default 500); more get PEER_LIMIT. */
  maxViewersTotal?: number;
  /** How long a drain (graceful shutdown) keeps serving the viewers it has (default 30000 ms). */
  drainTimeoutMs?: number;
  /** Captures each stream (but those with `capture: false`) to pcapng (default none: no capture). */
  capture?: Captures;
  /** Records the streams whose `record` asks for it (default none: nothing recorded). */
  recordings?: Recordings;
}

export const GATEWAY_DEFAULTS = Object.freeze({
  allowSources: Object.freeze([] as string[]),
  streamDefaults: STREAM_DEFAULTS,
  maxSourceStreams: 16,
  tickMs: 250,
  maxViewersTotal: 500,
  drainTimeoutMs: 30_000,
} as const satisfies Required<Omit<GatewayOptions, 'streams' | 'capture' | 'recordings'>>);

/** A stream's settings in effect (GET /api/streams shows them): no URL, nothing secret. */
export type StreamSettings = Required<StreamOptions>;

/** Whether the gateway should be sent new viewers, and if not, why (what GET /readyz answers). */
export interface Readiness {
  ready: boolean;
  reason: 'ready' | 'draining' | 'no live source';
}

/** How a drain ended: every viewer gone, drainTimeoutMs reached, or close() called first. */
export interface DrainResult {
  viewersAtStart: number;
  viewersLeft: number;
  ended: 'empty' | 'timeout' | 'closed';
}

interface Drain {
  readonly done: Promise<DrainResult>;
  readonly settle: (r: DrainResult) => void;
  readonly timer: TimerHandle;
  readonly viewersAtStart: number;
  settled: boolean;
}

/** Told of every stream added and removed (a rebuilt stream is both): the restream's mounts follow them. */
export interface StreamWatcher {
  added(stream: Stream): void;
  removed(stream: Stream): void;
}

/** A stream's config with its URL settled: its own, or for a rendition that rendition's. */
export type SourceConfig = StreamConfig & { url: string };

/**
 * Builds the source for a stream or one of its renditions (the RTSP client in production, clips
 * in tests); `capture` when the stream is captured.
 */
export type SourceFactory = (name: string, config: SourceConfig, capture?: CameraTap) => VideoSource;

const STREAM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const AD_HOC_PREFIX = 'src-';

export class Gateway {
  private readonly streams = new Map<string, Stream>();
  private readonly configs = new Map<string, StreamConfig>();
  private readonly allow: RegExp[];
  /** Names of the streams made for `?src=` URLs (removed again when idle). */
  private readonly adHoc = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly watchers: StreamWatcher[] = [];
  private closed = false;
  private drainState: Drain | undefined;

  constructor(
    private readonly opts: GatewayOptions,
    private readonly transport: WebRtcTransport,
    private readonly deps: GatewayDeps,
    private readonly makeSource: SourceFactory,
  ) {
    this.allow = (opts.allowSources ?? GATEWAY_DEFAULTS.allowSources).map(globToRegExp);
    for (const [name, cfg] of Object.entries(opts.streams)) this.addStream(name, cfg);
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? GATEWAY_DEFAULTS.tickMs);
    this.timer.unref();
  }

  addStream(name: string, cfg: StreamConfig): Stream {
    if (!STREAM_NAME.test(name)) throw new GatewayError('STREAM_BAD_NAME', `bad stream name ${JSON.stringify(name)}`);
    if (this.streams.has(name)) throw new GatewayError('STREAM_EXISTS', `stream ${name} already exists`);
    const merged = settled(name, { ...this.opts.streamDefaults, ...cfg });
    this.opts.recordings?.settingsFor(name, cfg.record); // throws RecordError before anything is made
    const capture = cfg.capture === false ? undefined : this.opts.capture?.slot(name);
    const stream = new Stream(name, this.makeSource(name, merged, capture), this.transport, this.deps, merged, undefined, capture);
    const list = cfg.renditions ?? [];
    if (list.length > 1) stream.useRenditions(this.renditionSet(stream, merged, list));
    this.streams.set(name, stream);
    this.configs.set(name, merged);
    for (const w of this.watchers) w.added(stream);
    // a new name has no recording to stop first, so this attaches at once; it cannot fail on settings checked above
    this.opts.recordings?.apply(name, stream, cfg.record).catch((err: unknown) => this.deps.log?.error('record.failed', { stream: name, error: String(err) }));
    return stream;
  }

  /** Tells `w` of every stream added or removed from now on (configured, stream API, reload, ad-hoc). */
  watch(w: StreamWatcher): void {
    this.watchers.push(w);
  }

  /**
   * Removes a stream: its viewers and outputs are closed and its source stopped (TEARDOWN to
   * the camera); settles when the camera has been told, or after `stopTimeoutMs`. False when
   * there is no such stream. The name is free again at once.
   */
  async removeStream(name: string, stopTimeoutMs = 3000): Promise<boolean> {
    const stream = this.streams.get(name);
    if (!stream) return false;
    this.streams.delete(name);
    this.configs.delete(name);
    this.adHoc.delete(name);
    for (const w of this.watchers) w.removed(stream);
    const capture = stream.capture;
    // the recording first: its open segment is finished before the source goes
    await withTimeout(
      Promise.resolve(this.opts.recordings?.stop(name)).catch(() => undefined)
        .then(() => stream.close()).then(() => capture && this.opts.capture?.release(capture)),
      stopTimeoutMs,
    );
    return true;
  }

  /**
   * New settings for a running stream, applied with the least disruption: settings that need
   * no new track apply in place ('settings'); a new camera URL or camera-leg settings replace
   * the source and keep the viewers, who resume on its first keyframe ('source'); settings
   * baked into the track (forwarding, keyframe cache, timestamp jump) rebuild the stream, and
   * its viewers must join again ('rebuilt').
   */
  async updateStream(name: string, cfg: StreamConfig): Promise<'settings' | 'source' | 'rebuilt'> {
    const stream = this.streams.get(name);
    const before = this.configs.get(name);
    if (!stream || !before) throw new GatewayError('STREAM_UNKNOWN', `no stream named ${name}`);
    const merged = settled(name, { ...this.opts.streamDefaults, ...cfg });
    const changed = new Set([...Object.keys(before), ...Object.keys(merged)].filter((k) => !sameValue(before[k as keyof StreamConfig], merged[k as keyof StreamConfig])));
    const newSource = [...changed].some((k) => SOURCE_KEYS.has(k));
    // A stream with renditions has a source per rendition: a new camera leg rebuilds them all.
    if ([...changed].some((k) => REBUILD_KEYS.has(k)) || (newSource && merged.renditions !== undefined)) {
      await this.removeStream(name);
      try {
        this.addStream(name, cfg);
      } catch (err) {
        this.addStream(name, before); // the stream as it was, not none
        throw err;
      }
      return 'rebuilt';
    }
    this.opts.recordings?.settingsFor(name, merged.record);
    stream.updateOptions(merged);
    this.configs.set(name, merged);
    if (changed.has('record')) await this.opts.recordings?.apply(name, stream, merged.record);
    if (!newSource) return 'settings';
    await stream.replaceSource(this.makeSource(name, merged, stream.capture));
    return 'source';
  }

  /**
   * The stream's own source is the first rendition; each further one is a child Stream with no
   * WebRTC viewers of its own, pulled on demand while the stream's viewers are there.
   */
  private renditionSet(stream: Stream, cfg: SourceConfig, list: readonly RenditionConfig[]): RenditionSet {
    const members = list.map((r, i) => {
      const child = { ...cfg, url: r.url, renditions: undefined, onDemand: true };
      const childName = `${stream.name}@${r.name}`;
      return {
        name: r.name, publicUrl: stripCredentials(r.url),
        stream: i === 0 ? stream : new Stream(childName, this.makeSource(childName, child), undefined, this.deps, child),
      };
    });
    return new RenditionSet(members, this.deps.clock);
  }

  stream(name: string): Stream | undefined {
    return this.streams.get(name);
  }

  /** Adds a viewer to `stream` within the gateway-wide limit (each stream keeps its own too). */
  addViewer(stream: Stream, offerSdp: string, origin?: ViewerOrigin): Promise<Viewer> {
    this.refuseWhileDraining();
    // Offers being answered count (Stream.addViewer counts them before its first await).
    const max = this.opts.maxViewersTotal ?? GATEWAY_DEFAULTS.maxViewersTotal;
    if (this.viewerLoad() >= max) throw new GatewayError('PEER_LIMIT', `camwire already serves ${max} viewers`);
    return stream.addViewer(offerSdp, origin);
  }

  /** True from the start of a drain on: new viewers are refused with DRAINING. */
  get draining(): boolean {
    return this.drainState !== undefined;
  }

  /** Throws DRAINING when draining (before an ad-hoc stream is made for a viewer who would be refused). */
  refuseWhileDraining(): void {
    if (this.drainState) throw new GatewayError('DRAINING', 'camwire is draining before shutdown and takes no new viewers');
  }

  /** Viewers connected or connecting, over all streams. */
  get viewerCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.viewerCount;
    return n;
  }

  /**
   * Not draining, and some stream can serve a viewer now: its source is playing, or it is on
   * demand and stopped (it starts for the first viewer; whether the camera answers is known
   * only then). With no stream at all, an allow-list of ad-hoc sources is enough.
   */
  readiness(): Readiness {
    if (this.drainState) return { ready: false, reason: 'draining' };
    if (this.streams.size === 0 && this.allow.length > 0) return { ready: true, reason: 'ready' };
    for (const [name, s] of this.streams) {
      const onDemand = this.configs.get(name)?.onDemand ?? STREAM_DEFAULTS.onDemand;
      if (s.sourceState === 'playing' || (onDemand && s.sourceState === 'idle')) return { ready: true, reason: 'ready' };
    }
    return { ready: false, reason: 'no live source' };
  }

  /**
   * Graceful shutdown, first half: from now on new viewers are refused (DRAINING) while the
   * current ones keep their streams. Settles when the last viewer has left, after `timeoutMs`
   * (default drainTimeoutMs), or at close(), whichever comes first; closes nothing itself.
   * A second call returns the first drain.
   */
  drain(timeoutMs = this.opts.drainTimeoutMs ?? GATEWAY_DEFAULTS.drainTimeoutMs): Promise<DrainResult> {
    if (this.drainState) return this.drainState.done;
    let settle: (r: DrainResult) => void = () => undefined;
    const done = new Promise<DrainResult>((resolve) => (settle = resolve));
    const timer = this.deps.clock.setTimer(timeoutMs, () => this.endDrain('timeout'));
    this.drainState = { done, settle, timer, viewersAtStart: this.viewerCount, settled: false };
    if (this.viewerLoad() === 0) this.endDrain('empty');
    return done;
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  /** True when `url` may be pulled as an ad-hoc stream (`?src=`). */
  sourceAllowed(url: string): boolean {
    // The RTSP client reads userinfo up to the LAST `@` (a password may hold one), so in
    // `rtsp://cams.example/x@evil.example/` it would connect to evil.example though a glob sees
    // cams.example. A URL from a browser carries no credentials: any `@` is refused.
    if (url.includes('@')) return false;
    return this.allow.some((re) => re.test(url));
  }

  /** The stream for an allowed `?src=` URL, created on first use (on demand). */
  streamForSource(url: string): Stream {
    if (!this.sourceAllowed(url)) throw new GatewayError('SOURCE_NOT_ALLOWED', 'this source URL is not in the allow-list');
    const name = AD_HOC_PREFIX + createHash('sha256').update(url).digest('hex').slice(0, 12);
    const existing = this.streams.get(name);
    if (existing) return existing;
    if (this.adHoc.size >= (this.opts.maxSourceStreams ?? GATEWAY_DEFAULTS.maxSourceStreams)) {
      throw new GatewayError('STREAM_LIMIT', `already ${this.adHoc.size} ad-hoc streams; try again when one is idle`);
    }
    const stream = this.addStream(name, { url, onDemand: true });
    this.adHoc.add(name);
    return stream;
  }

  /** Credentials never leave the gateway: URLs are reported without user info. */
  publicUrl(name: string): string | undefined {
    const url = this.configs.get(name)?.url;
    if (!url) return undefined;
    return stripCredentials(url);
  }

  snapshot(): {
    stream: StreamStats; url: string | undefined; settings: StreamSettings; viewers: ViewerInfo[]; viewerTotals: Record<string, number>;
    recording: RecordingStats | undefined;
  }[] {
    return [...this.streams.values()].map((s) => ({
      stream: s.stats(),
      recording: this.opts.recordings?.stats(s.name),
      url: this.publicUrl(s.name),
      settings: effectiveSettings(this.configs.get(s.name)),
      viewers: s.viewerInfo(),
      viewerTotals: s.viewerTotals(),
    }));
  }

  /**
   * Ends every viewer and stops every source (RTSP TEARDOWN), waiting at most
   * `stopTimeoutMs` (default 3000) for the cameras. Idempotent.
   */
  async close(stopTimeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endDrain('closed');
    clearInterval(this.timer);
    const recorded = Promise.resolve(this.opts.recordings?.close()).catch(() => undefined);
    await withTimeout(recorded.then(() => Promise.all([...this.streams.values()].map((s) => s.close()))).then(() => this.opts.capture?.close()), stopTimeoutMs);
  }

  /** Viewers plus offers being answered, over all streams. */
  private viewerLoad(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.viewerLoad;
    return n;
  }

  private endDrain(ended: DrainResult['ended']): void {
    const d = this.drainState;
    if (!d || d.settled) return;
    d.settled = true;
    d.timer.cancel();
    d.settle({ viewersAtStart: d.viewersAtStart, viewersLeft: this.viewerCount, ended });
  }

  private tick(): void {
    if (this.drainState && this.viewerLoad() === 0) this.endDrain('empty');
    for (const [name, s] of this.streams) {
      s.tick();
      if (this.adHoc.has(name) && s.idle) {
        if (s.capture) void this.opts.capture?.release(s.capture);
        for (const w of this.watchers) w.removed(s);
        this.streams.delete(name);
        this.configs.delete(name);
        this.adHoc.delete(name);
      }
    }
  }
}

/** Keys of a stream's camera leg: a change replaces its source. */
const SOURCE_KEYS: ReadonlySet<string> = new Set(['url', 'transport', 'cameraNack', 'cameraReorder', 'reorderMinWaitMs', 'rtsp']);
/** Stream options baked into its track: a change rebuilds the stream. */
const REBUILD_KEYS: ReadonlySet<string> = new Set(['renditions', 'forwarding', 'keyframeCacheMaxAgeMs', 'keyframeCacheMaxBytes', 'keyframeOnJoin', 'timestampJumpMs']);

/** `cfg` with its camera URL: its own, or its first (best) rendition's. */
function settled(name: string, cfg: StreamConfig): SourceConfig {
  const url = cfg.url ?? cfg.renditions?.[0]?.url;
  if (url === undefined) throw new GatewayError('BAD_OPTION', `stream ${name} needs a url or renditions`);
  return { ...cfg, url };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Settles when `p` does or after `ms`, whichever is first (a camera that never answers TEARDOWN). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  await Promise.race([p, limit]);
  clearTimeout(timer);
}

/** A stream's own settings (streamDefaults merged in), else STREAM_DEFAULTS: what it runs with. */
function effectiveSettings(cfg: StreamOptions | undefined): StreamSettings {
  const settings: StreamSettings = { ...STREAM_DEFAULTS };
  for (const key of Object.keys(STREAM_DEFAULTS) as (keyof StreamSettings)[]) {
    if (cfg?.[key] !== undefined) (settings as Record<keyof StreamSettings, unknown>)[key] = cfg[key];
  }
  return settings;
}

/**
 * `*` matches anything, except that in the host part (up to the first `/` after `://`) it
 * cannot cross into userinfo or the path: `rtsp://*.example.com/*` must not admit
 * `rtsp://evil.net/@x.example.com/` or `rtsp://x.example.com@evil.net/`. Whitespace never matches.
 */
function globToRegExp(glob: string): RegExp {
  const scheme = glob.indexOf('://');
  const slash = scheme < 0 ? -1 : glob.indexOf('/', scheme + 3);
  const split = scheme < 0 ? 0 : slash < 0 ? glob.length : slash;
  const part = (g: string, star: string) => g.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join(star);
  return new RegExp(`^${part(glob.slice(0, split), '[^/?#@\\s]*')}${part(glob.slice(split), '\\S*')}$`);
}
