/**
 * The restream: camwire's RTSP server serving every gateway stream at `rtsp://host:port/<name>`
 * from the stream's own track, so RTSP clients (ffmpeg, NVRs, camwire edges) share the one
 * camera session the WebRTC viewers use. Each RTSP output is a TrackSink of the stream and
 * counts as a viewer for on-demand start/stop; PLI/FIR go through the stream's KeyframeGate.
 * The mounts follow the gateway's streams: one added at run time (stream API, SIGHUP reload,
 * ad-hoc `?src=`) is served at once, one removed is gone (404) and its RTSP clients closed.
 * H.264 and H.265 streams alike: DESCRIBE announces what the camera sends.
 */
import type { Clock } from '../clock.js';
import type { Stream } from '../gateway/stream.js';
import type { Gateway } from '../gateway/gateway.js';
import type { TrackSink } from '../gateway/track-sink.js';
import type { RtspServerConfig } from '../gateway/config.js';
import { RTSP_SERVER_CONFIG_DEFAULTS } from '../gateway/config.js';
import { factsOf } from './restream-facts.js';
import { RtspMount, type MountFacts } from '../rtsp/server/mount.js';
import { RtspServer, type RtspServerStats } from '../rtsp/server/server.js';
import type { AuthMethod } from '../rtsp/server/auth.js';

export const RESTREAM_DEFAULTS = Object.freeze({
  /**
   * How long a DESCRIBE of a stream whose camera is not playing waits for it (the camera is
   * started for it, like for a first viewer) before answering 503.
   */
  describeTimeoutMs: 5000,
  /** How often that wait looks at the source. */
  describePollMs: 50,
  /** Digest first (the password never crosses the wire), Basic for clients that know no other. */
  authMethods: Object.freeze(['digest', 'basic'] as const satisfies readonly AuthMethod[]),
});

export interface Restream {
  /** `rtsp://host:port` (no path, no credentials). */
  readonly address: string;
  stats(): RtspServerStats;
  close(): Promise<void>;
}

/** Serves the gateway's streams, those it has now and those it gets later. */
export async function startRestream(config: RtspServerConfig, gateway: Pick<Gateway, 'streamNames' | 'stream' | 'watch'>, clock: Clock): Promise<Restream> {
  const users = config.users ?? [];
  const server = new RtspServer({
    host: config.host ?? RTSP_SERVER_CONFIG_DEFAULTS.host,
    port: config.port,
    clock,
    auth: users.length > 0 ? { users: Object.fromEntries(users.map((u) => [u.user, u.password])), methods: RESTREAM_DEFAULTS.authMethods } : undefined,
  });
  let closed = false;
  const serve = (stream: Stream) => {
    if (!closed) server.addMount(`/${stream.name}`, new RtspMount(stream, () => streamFacts(stream, clock), { clock, cname: `camwire-${stream.name}` }));
  };
  for (const name of gateway.streamNames()) serve(gateway.stream(name)!);
  gateway.watch({ added: serve, removed: (stream) => void server.removeMount(`/${stream.name}`) });
  const close = async () => {
    closed = true;
    await server.close();
  };
  try {
    await server.listen();
  } catch (err) {
    await close(); // the UDP pair may be bound already
    throw err;
  }
  return { address: server.url('/').replace(/\/$/, ''), stats: () => server.stats(), close };
}

/**
 * The stream's facts; when its camera has not told them yet (an on-demand stream nobody
 * watches), the camera is started by a placeholder output and asked, for up to
 * describeTimeoutMs. The stream's idleStopMs keeps it running for the SETUP and PLAY that follow.
 */
async function streamFacts(stream: Stream, clock: Clock): Promise<MountFacts | undefined> {
  const cached = () => stream.videoTrack.keyframes.usable(clock.now());
  const known = factsOf(stream.sourceInfo(), cached());
  if (known) return known;
  const placeholder = new DescribeWaiter();
  stream.addOutput(placeholder);
  try {
    const deadline = clock.now() + RESTREAM_DEFAULTS.describeTimeoutMs;
    for (;;) {
      const facts = stream.sourceState === 'playing' ? factsOf(stream.sourceInfo(), cached()) : undefined;
      if (facts || clock.now() >= deadline) return facts;
      await new Promise<void>((resolve) => clock.setTimer(RESTREAM_DEFAULTS.describePollMs, resolve));
    }
  } finally {
    stream.removeOutput(placeholder);
  }
}

/** An output that takes nothing: it only keeps the stream's source running while DESCRIBE waits. */
class DescribeWaiter implements TrackSink {
  state: TrackSink['state'] = 'connecting';
  waitForKeyframe(): void {
    this.state = 'waiting-keyframe';
  }
  startFromCache(): void {
    this.state = 'waiting-keyframe';
  }
  sendLive(): void {}
  tick(): void {}
  close(): void {
    this.state = 'closed';
  }
}
