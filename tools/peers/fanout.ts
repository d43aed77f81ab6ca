/**
 * Fan-out beside Janus: the same RTSP camera (the demo camera on a real 720p30 clip), N
 * node-datachannel viewers (bench/fanout's receivers), and each server's own CPU time per RTP
 * packet its viewers received, plus its resident memory. camwire runs as bench/fanout's sender
 * child pulling the camera; Janus as its own process, measured from /proc. Also each one's time
 * to a new viewer's first complete keyframe on a camera with a 10 s GOP.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fanoutRun, type ExternalSender, type FanoutRun } from '../../bench/fanout/orchestrate.js';
import { rssAnon, type Mark } from '../../bench/fanout/sender-protocol.js';
import { LAB_CLIP, startClipCamera, type ClipShape, type LabCamera } from '../lab/cameras.js';
import { JanusProcess } from './janus-process.js';
import { JanusViewer } from './janus-viewer.js';
import { waitForJanusVideo } from './janus-under-test.js';

export interface FanoutLine {
  system: string;
  measure: 'fanout';
  viewers: number;
  cpuUsPerPacket: number;
  rssMb: number;
  /** (RSS with N viewers - RSS with none) / N: includes the first viewer's one-time costs. */
  rssPerViewerKb: number;
  /** RSS the first viewer added: the one-time costs of serving WebRTC at all, plus one viewer. */
  rssFirstViewerMb: number;
  /** (RSS with N viewers - RSS with one) / (N - 1): what each further viewer costs. */
  rssPerAddedViewerKb: number;
  /** The first viewer's part of rssFirstViewerMb that is anonymous memory, not code pages of the binaries being touched. */
  anonFirstViewerMb: number;
  /** rssPerAddedViewerKb in anonymous memory only. */
  anonPerAddedViewerKb: number;
  packetsPerViewerPerSecond: number;
}

export interface FirstFrameLine {
  system: string;
  measure: 'firstFrame';
  gopSeconds: number;
  viewers: number;
  /** Median ms from the viewer's request to its first complete keyframe; -1 when none came within GOP + 2.5 s. */
  firstFrameMs: number;
  /** Median ms from the request to the media track's opening (ICE and DTLS done): the rest of firstFrameMs is waiting for a keyframe. */
  connectedMs: number;
}

const LONG_GOP: ClipShape = Object.freeze({ ...LAB_CLIP, gopSeconds: 10 });
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU (user + system, µs) and RSS (bytes) of another process, from /proc. */
function procMark(pid: number): Pick<Mark, 'cpuUs' | 'rss' | 'rssAnon'> {
  // fields after the command's closing parenthesis: state is field 3, utime 14, stime 15
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuUs: (ticks * 1e6) / CLK_TCK, rss: rssKb * 1024, rssAnon: rssAnon(pid) };
}

async function janusSender(camera: LabCamera): Promise<ExternalSender> {
  const url = `rtsp://${camera.host}:${camera.port}${camera.path}`;
  const janus = await JanusProcess.start({ mountpoints: [{ id: 1, name: 'cam', url }] });
  const pid = janus.pid();
  const probe = await JanusViewer.attach(janus.httpUrl);
  try {
    if (pid === undefined || !(await waitForJanusVideo(probe))) throw new Error('janus had no video from the camera after 10 s');
  } catch (err) {
    await janus.stop();
    throw err;
  } finally {
    await probe.close();
  }
  return {
    name: 'janus', url: janus.httpUrl, join: 'janus',
    mark: async () => ({ ...procMark(pid!), wallMs: performance.now(), packetsSent: 0, heapUsed: 0, external: 0, viewers: 0 }),
    close: () => janus.stop(),
  };
}

async function run(system: 'camwire' | 'janus', shape: ClipShape, cacheDir: string, n: number, windows: number, windowMs: number, settleMs = 2500): Promise<FanoutRun> {
  const camera = await startClipCamera(cacheDir, shape);
  try {
    const url = `rtsp://${camera.host}:${camera.port}${camera.path}`;
    const sender = system === 'janus' ? await janusSender(camera) : { child: 'camwire' as const, env: { CAMWIRE_FANOUT_CAMERA: url } };
    return await fanoutRun(sender, n, windows, windowMs, settleMs);
  } finally {
    await camera.close();
  }
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x) && x >= 0).sort((a, b) => a - b);
  return s.length === 0 ? -1 : s[Math.floor(s.length / 2)]!;
};

export async function fanoutLines(system: 'camwire' | 'janus', n: number, o: { cacheDir: string; windows: number; windowMs: number }): Promise<FanoutLine> {
  const r = await run(system, LAB_CLIP, o.cacheDir, n, o.windows, o.windowMs);
  const delivered = r.windows.reduce((s, w) => s + w.delivered, 0);
  return {
    system, measure: 'fanout', viewers: r.viewers,
    cpuUsPerPacket: Math.round(median(r.windows.map((w) => w.cpuNsPerDelivered)) / 10) / 100,
    rssMb: Math.round(r.rssAfter / 1e5) / 10,
    rssPerViewerKb: Math.round((r.rssAfter - r.rssBefore) / 1024 / Math.max(1, r.viewers)),
    rssFirstViewerMb: Math.round((r.rssAfterFirst - r.rssBefore) / 1e5) / 10,
    rssPerAddedViewerKb: r.viewers > 1 ? Math.round((r.rssAfter - r.rssAfterFirst) / 1024 / (r.viewers - 1)) : -1,
    anonFirstViewerMb: Math.round((r.rssAnonAfterFirst - r.rssAnonBefore) / 1e5) / 10,
    anonPerAddedViewerKb: r.viewers > 1 ? Math.round((r.rssAnonAfter - r.rssAnonAfterFirst) / 1024 / (r.viewers - 1)) : -1,
    packetsPerViewerPerSecond: Math.round(delivered / Math.max(1, r.viewers) / ((r.windows.length * o.windowMs) / 1000)),
  };
}

export async function firstFrameLine(system: 'camwire' | 'janus', o: { cacheDir: string }): Promise<FirstFrameLine> {
  // long enough for the camera's next keyframe: a server without a keyframe cache waits for it
  const r = await run(system, LONG_GOP, o.cacheDir, 3, 1, 500, 1000 * LONG_GOP.gopSeconds! + 2500);
  return { system, measure: 'firstFrame', gopSeconds: LONG_GOP.gopSeconds!, viewers: r.viewers, firstFrameMs: Math.round(median(r.ttffMs)), connectedMs: Math.round(median(r.openMs)) };
}
