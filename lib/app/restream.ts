/**
 * The restream: camwire's RTSP server serving every gateway stream at `rtsp://host:port/<name>`
 * from the stream's own track, so RTSP clients (ffmpeg, NVRs, camwire edges) share the one
 * camera session the WebRTC viewers use. Each RTSP output is a TrackSink of the stream and
 * counts as a viewer for on-demand start/stop; PLI/FIR go through the stream's KeyframeGate.
 * Streams made later (ad-hoc `?src=`) are not served.
 */
import type { Clock } from '../clock.js';
import type { Stream } from '../gateway/stream.js';
import type { SourceInfo, VideoSource } from '../gateway/source.js';
import type { TrackSink } from '../gateway/track-sink.js';
import type { RtspServerConfig } from '../gateway/config.js';
import { RTSP_SERVER_CONFIG_DEFAULTS } from '../gateway/config.js';
import { NalType, nalType } from '../h264/nal.js';
import { parseRtp } from '../rtp/packet.js';
import type { CachedKeyframe } from '../gateway/keyframe-cache.js';
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

/** A stream to serve and the source behind it (whose SDP facts DESCRIBE needs). */
export interface RestreamEntry {
  name: string;
  stream: Stream;
  /** The stream's current source (a stream API change may replace it). */
  source: Pick<VideoSource, 'info'>;
}

export interface Restream {
  /** `rtsp://host:port` (no path, no credentials). */
  readonly address: string;
  stats(): RtspServerStats;
  close(): Promise<void>;
}

export async function startRestream(config: RtspServerConfig, entries: readonly RestreamEntry[], clock: Clock): Promise<Restream> {
  const users = config.users ?? [];
  const server = new RtspServer({
    host: config.host ?? RTSP_SERVER_CONFIG_DEFAULTS.host,
    port: config.port,
    clock,
    auth: users.length > 0 ? { users: Object.fromEntries(users.map((u) => [u.user, u.password])), methods: RESTREAM_DEFAULTS.authMethods } : undefined,
  });
  for (const e of entries) {
    server.addMount(`/${e.name}`, new RtspMount(e.stream, () => streamFacts(e, clock), { clock, cname: `camwire-${e.name}` }));
  }
  try {
    await server.listen();
  } catch (err) {
    await server.close(); // the UDP pair may be bound already
    throw err;
  }
  return {
    address: server.url('/').replace(/\/$/, ''),
    stats: () => server.stats(),
    close: () => server.close(),
  };
}

/** SPS and PPS from NAL units (an SPS needs its 3 profile/level bytes for the SDP). */
function factsIn(nalus: readonly Uint8Array[]): MountFacts | undefined {
  const sps = nalus.find((n) => n.length > 3 && nalType(n[0]) === NalType.Sps);
  const pps = nalus.find((n) => n.length > 1 && nalType(n[0]) === NalType.Pps);
  return sps && pps ? { sps, pps } : undefined;
}

/**
 * What the source sends: from its SDP (sprop-parameter-sets), else from the cached keyframe,
 * for cameras that send SPS/PPS only in-band.
 */
function factsOf(info: SourceInfo, keyframe: CachedKeyframe | undefined): MountFacts | undefined {
  return factsIn(info.parameterSets ?? []) ?? (keyframe ? factsIn(parameterSetsIn(keyframe)) : undefined);
}

/** SPS and PPS NAL units (copies) of a keyframe's egress packets: single NAL units or STAP-A aggregates. */
export function parameterSetsIn(keyframe: CachedKeyframe): Uint8Array[] {
  const out: Uint8Array[] = [];
  const keep = (n: Uint8Array) => {
    const type = nalType(n[0]);
    if (type === NalType.Sps || type === NalType.Pps) out.push(n.slice());
  };
  for (const packet of keyframe.packets) {
    let payload: Uint8Array;
    try {
      payload = parseRtp(packet).payload;
    } catch {
      continue;
    }
    if (payload.length === 0) continue;
    if (nalType(payload[0]) !== NalType.StapA) {
      keep(payload);
      continue;
    }
    // STAP-A: 16-bit size, NAL unit, repeated (RFC 6184 5.7.1); a size past the end stops it
    for (let i = 1; i + 2 < payload.length; ) {
      const size = (payload[i] << 8) | payload[i + 1];
      if (size === 0 || i + 2 + size > payload.length) break;
      keep(payload.subarray(i + 2, i + 2 + size));
      i += 2 + size;
    }
  }
  return out;
}

/**
 * The stream's facts; when its camera has not told them yet (an on-demand stream nobody
 * watches), the camera is started by a placeholder output and asked, for up to
 * describeTimeoutMs. The stream's idleStopMs keeps it running for the SETUP and PLAY that follow.
 */
async function streamFacts(e: RestreamEntry, clock: Clock): Promise<MountFacts | undefined> {
  const cached = () => e.stream.videoTrack.keyframes.usable(clock.now());
  const known = factsOf(e.source.info(), cached());
  if (known) return known;
  const placeholder = new DescribeWaiter();
  e.stream.addOutput(placeholder);
  try {
    const deadline = clock.now() + RESTREAM_DEFAULTS.describeTimeoutMs;
    for (;;) {
      const facts = e.stream.sourceState === 'playing' ? factsOf(e.source.info(), cached()) : undefined;
      if (facts || clock.now() >= deadline) return facts;
      await new Promise<void>((resolve) => clock.setTimer(RESTREAM_DEFAULTS.describePollMs, resolve));
    }
  } finally {
    e.stream.removeOutput(placeholder);
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
