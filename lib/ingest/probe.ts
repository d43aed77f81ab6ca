/**
 * `camwire probe`: connect, authenticate, set up and play for a few seconds, then say what the
 * camera is and what arrived. One plain result object (the JSON shape of issue 4); never
 * contains credentials.
 */
import { RtspClient } from '../rtsp/client/client.js';
import { RtspClientError } from '../rtsp/client/errors.js';
import { redactText, redactUrl } from '../rtsp/protocol/url.js';
import { BFrameDetector, depacketizerQuirks, parseSps, type Sps } from '../h264/index.js';
import { h265Facts } from './h265-facts.js';
import { CameraLeg, type CameraLegOptions, type CameraLegStats } from './camera-leg.js';
import { AudioLeg, chooseAudioTrack, firstAudioTrack, wantVideoAndAudio } from './audio-leg.js';
import { describeTracks } from '../sdp/index.js';
import { RTSP_CLIENT_DEFAULTS, type RtspClientOptions, type RtspSessionInfo, type RtspTransportPreference, type RtspTrackStats } from '../rtsp/client/types.js';
import { systemClock, type Clock } from '../clock.js';

export interface ProbeOptions {
  url: string;
  transport?: RtspTransportPreference;
  /** How long to play. Default 5 s. */
  seconds?: number;
  clock?: Clock;
  /** Extra client options (ports, timeouts). */
  client?: Partial<RtspClientOptions>;
  /** Ask the camera to resend lost packets (RTCP NACK) on UDP. Default true (`--no-nack`). */
  nack?: boolean;
  /** Reorder buffer on UDP and multicast. Default true (`--no-reorder`). */
  reorder?: boolean;
  /** Tuning of the reorder buffer and NACK generator. */
  recovery?: CameraLegOptions['recovery'];
}

/** `nack`, `reorder` and `recovery` default as the camera leg's do, `transport` as the client's. */
export const PROBE_DEFAULTS = Object.freeze({
  seconds: 5,
} as const satisfies Required<Pick<ProbeOptions, 'seconds'>>);

/** Loss recovery of the H.264 tracks (the camera leg), summed over tracks. */
export interface ProbeRecovery {
  reorder: boolean;
  nack: boolean;
  /** NACK packets sent and sequence numbers requested in them (retries included). */
  nacksSent: number;
  nackedSeqs: number;
  /** PLIs sent because a packet was given up or the missing list overflowed. */
  keyframeRequests: number;
  /** Arrived after their loss had been declared (dropped). */
  late: number;
  /** Gaps still inside their hold time when the probe ended: counted neither lost nor recovered. */
  unresolvedAtEnd: number;
  /** Round-trip time from the camera's report blocks (ms), or null when it sent none about us. */
  rttMs: number | null;
  /** Round-trip time learned from NACK repairs (ms), or null when nothing was repaired. */
  learnedRttMs: number | null;
  /** Interarrival jitter and the reorder hold time at the end (ms). */
  jitterMs: number;
  holdMs: number;
}

export interface ProbeTrack {
  mediaType: string;
  codec: string | null;
  payloadType: number;
  clockRate: number;
  control: string;
  profile: string | null;
  level: number | null;
  width: number | null;
  height: number | null;
  frameRate: number | null;
}

export interface ProbeResult {
  ok: boolean;
  url: string;
  server: string | null;
  transport: string | null;
  auth: string | null;
  tracks: ProbeTrack[];
  /**
   * `lost`: never delivered (declared lost by the reorder buffer on UDP/multicast; a sequence
   * gap otherwise). `recovered`: arrived after a NACK asked for it.
   */
  packets: { received: number; lost: number; recovered: number; reordered: number; duplicated: number };
  recovery: ProbeRecovery;
  /**
   * `incomplete`: broken (a packet lost, malformed or unsupported). `truncatedAtEnd`: the unit
   * still open when the probe stopped, with nothing lost (a camera without marker bits always
   * leaves one: nothing but the next timestamp ends its units).
   */
  accessUnits: { complete: number; incomplete: number; truncatedAtEnd: number; keyframes: number };
  /** The audio track set up (the first camwire can forward), or null. */
  audio: ProbeAudio | null;
  /** Audio tracks that were not set up, each `codec: reason`. */
  audioSkipped: string[];
  /** Bits per second of RTP over the time played. */
  bitrate: number;
  seconds: number;
  quirks: string[];
  error?: { code: string; message: string };
}

export interface ProbeAudio {
  codec: string;
  payloadType: number;
  clockRate: number;
  sampleRate: number;
  channels: number;
  packets: number;
  lost: number;
  frames: number;
  framesDropped: number;
}

const PROFILES: Record<number, string> = {
  66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4 Predictive', 44: 'CAVLC 4:4:4',
};

export function profileName(sps: Pick<Sps, 'profileIdc' | 'constraintFlags'>): string {
  if (sps.profileIdc === 66 && sps.constraintFlags & 0x40) return 'Constrained Baseline';
  return PROFILES[sps.profileIdc] ?? `profile ${sps.profileIdc}`;
}

function trySps(nal: Uint8Array | undefined): Sps | undefined {
  if (!nal) return undefined;
  try {
    return parseSps(nal);
  } catch {
    return undefined;
  }
}

export async function probe(o: ProbeOptions): Promise<ProbeResult> {
  const clock = o.clock ?? systemClock;
  const seconds = o.seconds ?? PROBE_DEFAULTS.seconds;
  const client = new RtspClient({
    wantTrack: wantVideoAndAudio,
    ...o.client,
    url: o.url,
    transport: o.transport ?? RTSP_CLIENT_DEFAULTS.transport,
    clock,
    reconnect: { enabled: false },
  });
  const legs = new Map<number, CameraLeg>();
  const au = { complete: 0, incomplete: 0, truncatedAtEnd: 0, keyframes: 0 };
  const bFrames = new BFrameDetector();
  const onAccessUnit: CameraLegOptions['onAccessUnit'] = (unit) => {
    bFrames.classify(unit.nalus);
    if (unit.complete) au.complete++;
    else if (unit.truncatedAtEnd === true) au.truncatedAtEnd++;
    else au.incomplete++;
    if (unit.keyframe) au.keyframes++;
  };
  const quirks = new Set<string>();
  let info: RtspSessionInfo | undefined;
  const audio = new AudioLeg({ clock, reorder: o.reorder, onFrame: () => {} });
  let audioIndex = -1;
  client.on('session', (s) => {
    info = s;
    const a = firstAudioTrack(s);
    audioIndex = a ? a.index : -1;
    if (a) audio.start(s, a);
    for (const track of s.tracks) {
      if (!/^H26[45]$/i.test(track.codec ?? '')) continue;
      const fmt = track.sdp.formats.find((f) => f.payloadType === track.payloadType);
      if ((fmt?.h264 ?? fmt?.h265)?.parameterSets.length === 0) quirks.add('no-sprop-parameter-sets');
      if (fmt?.h264?.sps) bFrames.noteSps(fmt.h264.sps);
      let leg = legs.get(track.index);
      if (!leg) {
        leg = new CameraLeg({ clock, upstream: client, onAccessUnit, nack: o.nack, reorder: o.reorder, recovery: o.recovery });
        legs.set(track.index, leg);
      }
      leg.start(s, track); // a new session (camera restart) starts the leg over
    }
  });
  client.on('rtp', (p, track) => (track.index === audioIndex ? audio.onRtp(p) : legs.get(track.index)?.onRtp(p)));
  client.on('rtcp', (p, track) => legs.get(track.index)?.onRtcp(p));
  const result: ProbeResult = {
    ok: false, url: redactUrl(o.url), server: null, transport: null, auth: null, tracks: [],
    packets: { received: 0, lost: 0, recovered: 0, reordered: 0, duplicated: 0 },
    recovery: { reorder: false, nack: false, nacksSent: 0, nackedSeqs: 0, keyframeRequests: 0, late: 0, unresolvedAtEnd: 0, rttMs: null, learnedRttMs: null, jitterMs: 0, holdMs: 0 },
    accessUnits: au, audio: null, audioSkipped: [], bitrate: 0, seconds: 0, quirks: [],
  };
  let startedAt = 0;
  try {
    await client.start();
    startedAt = clock.now();
    let lost: RtspClientError | undefined;
    const ended = new Promise<void>((resolve) => {
      const timer = clock.setTimer(seconds * 1000, resolve);
      client.on('state', (c) => {
        if (c.state === 'closed' && c.reason) {
          lost = c.reason;
          timer.cancel();
          resolve();
        }
      });
    });
    await ended;
    result.seconds = (clock.now() - startedAt) / 1000;
    if (lost) throw lost;
    result.ok = true;
  } catch (e) {
    const err = e instanceof RtspClientError ? e : new RtspClientError('RTSP_PROTOCOL', String(e));
    result.error = { code: err.code, message: redactText(err.message) };
    if (startedAt) result.seconds = (clock.now() - startedAt) / 1000;
  }
  const stats = client.stats;
  await client.stop();
  for (const leg of legs.values()) leg.stop();
  // B-frames: browsers cannot play them in order (the gateway drops them; the camera should not send them)
  if (bFrames.detected) quirks.add('b-frames');
  audio.stop();
  const session = info ?? client.sessionInfo;
  fillResult(result, session, stats.tracks, legs, [...stats.quirks, ...quirks]);
  fillAudio(result, session, audio);
  return result;
}

function fillAudio(r: ProbeResult, info: RtspSessionInfo | undefined, leg: AudioLeg): void {
  if (!info) return;
  r.audioSkipped = chooseAudioTrack(describeTracks(info.description)).skipped;
  const d = leg.desc;
  if (!d) return;
  const s = leg.stats();
  r.audio = {
    codec: d.codec, payloadType: d.payloadType, clockRate: d.clockRate, sampleRate: d.sampleRate, channels: d.channels,
    packets: s.received, lost: s.lost, frames: s.frames, framesDropped: s.framesDropped,
  };
}

function fillResult(r: ProbeResult, info: RtspSessionInfo | undefined, tracks: RtspTrackStats[], legs: Map<number, CameraLeg>, quirks: string[]): void {
  let bytes = 0;
  tracks.forEach((t, index) => {
    const leg = legs.get(index)?.stats();
    r.packets.received += t.received;
    // With a reorder buffer the leg knows what never arrived in time; otherwise the sequence gaps.
    r.packets.lost += leg?.reorder ? leg.lost : t.lost;
    r.packets.reordered += t.reordered;
    r.packets.duplicated += t.duplicated;
    if (leg) addRecovery(r, leg);
    bytes += t.bytes;
  });
  const deps = new Map([...legs].flatMap(([i, l]) => (l.h264 ? [[i, l.h264] as const] : [])));
  r.bitrate = r.seconds > 0 ? Math.round((bytes * 8) / r.seconds) : 0;
  const q = new Set(quirks);
  for (const d of deps.values()) for (const quirk of depacketizerQuirks(d.stats)) q.add(quirk);
  r.quirks = [...q];
  if (!info) return;
  r.server = info.server ?? null;
  r.transport = info.transport;
  r.auth = info.authScheme ?? null;
  r.tracks = info.tracks.map((t) => {
    const dep = deps.get(t.index);
    const fmt = t.sdp.formats.find((f) => f.payloadType === t.payloadType);
    const sps = trySps(dep?.parameterSets.sps) ?? trySps(fmt?.h264?.sps);
    const h265 = fmt?.h265 ? h265Facts(legs.get(t.index)?.h265?.parameterSets.sps ?? fmt.h265.sps) : undefined;
    if (h265) return { mediaType: t.mediaType, codec: t.codec ?? null, payloadType: t.payloadType, clockRate: t.clockRate, control: redactUrl(t.control), ...h265 };
    return {
      mediaType: t.mediaType,
      codec: t.codec ?? null,
      payloadType: t.payloadType,
      clockRate: t.clockRate,
      control: redactUrl(t.control),
      profile: sps ? profileName(sps) : null,
      level: sps ? sps.levelIdc / 10 : null,
      width: sps?.width ?? null,
      height: sps?.height ?? null,
      frameRate: sps?.frameRate ?? null,
    };
  });
}

function addRecovery(r: ProbeResult, s: CameraLegStats): void {
  const x = r.recovery;
  r.packets.recovered += s.recovered;
  x.reorder ||= s.reorder;
  x.nack ||= s.nack;
  x.nacksSent += s.nacksSent;
  x.nackedSeqs += s.nackedSeqs;
  x.keyframeRequests += s.keyframeRequests;
  x.late += s.late;
  x.unresolvedAtEnd += s.unresolvedAtStop;
  if (s.rttMs !== null) x.rttMs = Math.max(x.rttMs ?? 0, s.rttMs);
  if (s.learnedRttMs !== null) x.learnedRttMs = Math.max(x.learnedRttMs ?? 0, s.learnedRttMs);
  x.jitterMs = Math.max(x.jitterMs, s.jitterMs);
  x.holdMs = Math.max(x.holdMs, s.holdMs);
}

/** Human-readable summary, one fact per line. */
export function formatProbe(r: ProbeResult): string {
  const lines: string[] = [];
  lines.push(`${r.ok ? 'ok' : 'FAILED'}  ${r.url}`);
  if (r.error) lines.push(`error: ${r.error.code}: ${r.error.message}`);
  if (r.server) lines.push(`server: ${r.server}`);
  if (r.transport) lines.push(`transport: ${r.transport}${r.auth ? `, auth ${r.auth}` : ''}`);
  for (const t of r.tracks) {
    const video = t.width ? `, ${t.profile} level ${t.level}, ${t.width}x${t.height}${t.frameRate ? ` @ ${t.frameRate} fps` : ''}` : '';
    lines.push(`track: ${t.mediaType} ${t.codec ?? '?'}/${t.clockRate} pt ${t.payloadType}${video}  (${t.control})`);
  }
  const p = r.packets;
  lines.push(`packets: ${p.received} received, ${p.lost} lost, ${p.recovered} recovered, ${p.reordered} reordered, ${p.duplicated} duplicated in ${r.seconds.toFixed(1)} s`);
  const x = r.recovery;
  const rtt = x.rttMs !== null ? `RTT ${x.rttMs.toFixed(1)} ms` : x.learnedRttMs !== null ? `RTT ~${x.learnedRttMs.toFixed(1)} ms (from repairs)` : 'RTT unknown';
  lines.push(`recovery: reorder ${x.reorder ? 'on' : 'off'}, NACK ${x.nack ? 'on' : 'off'}; ${x.nacksSent} NACKs (${x.nackedSeqs} seqs), ${x.keyframeRequests} PLIs, ${x.late} late; ${rtt}, jitter ${x.jitterMs.toFixed(1)} ms, hold ${x.holdMs.toFixed(0)} ms`);
  if (r.audio) {
    const x = r.audio;
    lines.push(`audio: ${x.codec}/${x.clockRate}, ${x.sampleRate} Hz, ${x.channels} channel${x.channels === 1 ? '' : 's'}, pt ${x.payloadType}; ${x.packets} packets, ${x.lost} lost, ${x.frames} frames, ${x.framesDropped} dropped`);
  }
  if (r.audioSkipped.length) lines.push(`audio skipped: ${r.audioSkipped.join('; ')}`);
  const a = r.accessUnits;
  lines.push(`access units: ${a.complete} complete, ${a.incomplete} incomplete, ${a.keyframes} keyframes${a.truncatedAtEnd ? `, ${a.truncatedAtEnd} cut off by the stop` : ''}`);
  lines.push(`bitrate: ${(r.bitrate / 1000).toFixed(0)} kbit/s`);
  if (r.quirks.length) lines.push(`quirks worked around: ${r.quirks.join(', ')}`);
  return lines.join('\n') + '\n';
}
