/**
 * `camwire probe`: connect, authenticate, set up and play for a few seconds, then say what the
 * camera is and what arrived. One plain result object (the JSON shape of issue 4); never
 * contains credentials.
 */
import { RtspClient } from './client.js';
import { RtspClientError } from './client-errors.js';
import { redactText, redactUrl } from './url.js';
import { H264Depacketizer, parseSps, type Sps } from '../h264/index.js';
import type { RtspClientOptions, RtspSessionInfo, RtspTransportPreference, RtspTrackStats } from './client-types.js';
import { systemTimers, type Timers } from './timers.js';

export interface ProbeOptions {
  url: string;
  transport?: RtspTransportPreference;
  /** How long to play. Default 5 s. */
  seconds?: number;
  timers?: Timers;
  /** Extra client options (ports, timeouts). */
  client?: Partial<RtspClientOptions>;
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
  packets: { received: number; lost: number; reordered: number; duplicated: number };
  accessUnits: { complete: number; incomplete: number; keyframes: number };
  /** Bits per second of RTP over the time played. */
  bitrate: number;
  seconds: number;
  quirks: string[];
  error?: { code: string; message: string };
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
  const timers = o.timers ?? systemTimers;
  const seconds = o.seconds ?? 5;
  const client = new RtspClient({
    wantTrack: (t) => /^(video|audio)$/i.test(t.mediaType) && t.payloadTypes.length > 0,
    ...o.client,
    url: o.url,
    transport: o.transport ?? 'auto',
    timers,
    reconnect: { enabled: false },
  });
  const depacketizers = new Map<number, H264Depacketizer>();
  const au = { complete: 0, incomplete: 0, keyframes: 0 };
  const quirks = new Set<string>();
  let info: RtspSessionInfo | undefined;
  client.on('session', (s) => {
    info = s;
    depacketizers.clear();
    for (const track of s.tracks) {
      if (track.codec?.toUpperCase() !== 'H264') continue;
      const fmt = track.sdp.formats.find((f) => f.payloadType === track.payloadType);
      const sets = fmt?.h264?.parameterSets ?? [];
      if (sets.length === 0) quirks.add('no-sprop-parameter-sets');
      const seq = s.rtpInfo.find((r) => r.url === track.control || track.control.endsWith(r.url))?.seq;
      depacketizers.set(
        track.index,
        new H264Depacketizer(
          (unit) => {
            if (unit.complete) au.complete++;
            else au.incomplete++;
            if (unit.keyframe) au.keyframes++;
          },
          { parameterSets: sets, firstSequenceNumber: seq },
        ),
      );
    }
  });
  client.on('rtp', (p, track) => depacketizers.get(track.index)?.push(p));
  const result: ProbeResult = {
    ok: false, url: redactUrl(o.url), server: null, transport: null, auth: null, tracks: [],
    packets: { received: 0, lost: 0, reordered: 0, duplicated: 0 }, accessUnits: au, bitrate: 0, seconds: 0, quirks: [],
  };
  let startedAt = 0;
  try {
    await client.start();
    startedAt = timers.now();
    let lost: RtspClientError | undefined;
    const ended = new Promise<void>((resolve) => {
      const timer = timers.setTimer(seconds * 1000, resolve);
      client.on('state', (c) => {
        if (c.state === 'closed' && c.reason) {
          lost = c.reason;
          timer.cancel();
          resolve();
        }
      });
    });
    await ended;
    result.seconds = (timers.now() - startedAt) / 1000;
    if (lost) throw lost;
    result.ok = true;
  } catch (e) {
    const err = e instanceof RtspClientError ? e : new RtspClientError('RTSP_PROTOCOL', String(e));
    result.error = { code: err.code, message: redactText(err.message) };
    if (startedAt) result.seconds = (timers.now() - startedAt) / 1000;
  }
  const stats = client.stats;
  await client.stop();
  fillResult(result, info ?? client.sessionInfo, stats.tracks, depacketizers, [...stats.quirks, ...quirks]);
  return result;
}

function fillResult(r: ProbeResult, info: RtspSessionInfo | undefined, tracks: RtspTrackStats[], deps: Map<number, H264Depacketizer>, quirks: string[]): void {
  let bytes = 0;
  for (const t of tracks) {
    r.packets.received += t.received;
    r.packets.lost += t.lost;
    r.packets.reordered += t.reordered;
    r.packets.duplicated += t.duplicated;
    bytes += t.bytes;
  }
  r.bitrate = r.seconds > 0 ? Math.round((bytes * 8) / r.seconds) : 0;
  const q = new Set(quirks);
  for (const d of deps.values()) {
    if (d.stats.markersWithoutPicture > 0) q.add('marker-bit-on-parameter-sets');
    if (d.stats.annexBSplits > 0) q.add('annex-b-start-codes-inside-nal-units');
    if (d.stats.stapAPadding > 0) q.add('stap-a-padding');
    if (d.stats.parameterSetsCarried > 0) q.add('parameter-set-timestamp-differs');
  }
  r.quirks = [...q];
  if (!info) return;
  r.server = info.server ?? null;
  r.transport = info.transport;
  r.auth = info.authScheme ?? null;
  r.tracks = info.tracks.map((t) => {
    const dep = deps.get(t.index);
    const fmt = t.sdp.formats.find((f) => f.payloadType === t.payloadType);
    const sps = trySps(dep?.parameterSets.sps) ?? trySps(fmt?.h264?.sps);
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
  lines.push(`packets: ${p.received} received, ${p.lost} lost, ${p.reordered} reordered, ${p.duplicated} duplicated in ${r.seconds.toFixed(1)} s`);
  const a = r.accessUnits;
  lines.push(`access units: ${a.complete} complete, ${a.incomplete} incomplete, ${a.keyframes} keyframes`);
  lines.push(`bitrate: ${(r.bitrate / 1000).toFixed(0)} kbit/s`);
  if (r.quirks.length) lines.push(`quirks worked around: ${r.quirks.join(', ')}`);
  return lines.join('\n') + '\n';
}
