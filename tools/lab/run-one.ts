/**
 * One lab run, end to end: a fresh camera, the RTSP proxy that can impair the camera leg,
 * camwire (startGateway) configured for one strategy (or a peer server, tools/peers), the
 * relay on the WebRTC leg, and headless Chromium playing over WHEP (or answering the peer's offer). Samples once a second, then ends the measurement
 * window (no new frames cross the relay), lets retransmissions drain, and takes the last sample.
 */
import type { WebRtcTransport } from '../../lib/gateway/transport.js';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import { createNativeTransport } from '../../native-bindings/webrtc.js';
import { LabBrowser, answerCandidatePort, type BrowserStats } from './browser.js';
import { startCamera, type LabCamera } from './cameras.js';
import { ImpairedPipe } from './impaired-pipe.js';
import { audioSummary, judgeStrategy, summarize, type CamwireCounters, type RunRecord, type Sample } from './record.js';
import { RtspImpairProxy } from './rtsp-proxy.js';
import { socketDrops, systemRcvbufErrors } from './udp-drops.js';
import { labPeerCounters, strategyStreamConfig, strategyTransport } from './lab-deps.js';
import type { Scenario, Strategy } from './scenario.js';
import type { LinkProfile } from '../../lib/netsim/link.js';
import { AbrSampler } from './abr-sampler.js';
import { judgeBandwidth, summarizeBandwidth, type BandwidthGoals, type BandwidthRun } from './bandwidth-record.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface RunOptions {
  /** Where the ffmpeg-made clip is cached. */
  cacheDir: string;
  /** Seconds allowed for retransmissions in flight after the window closes. */
  drainS?: number;
  /** Screenshot of the picture at the end of the window. */
  screenshot?: string;
  /** Capture the run (pcapng, both legs, camwire's decisions) into this directory. */
  captureDir?: string;
  /**
   * Loss on the WebRTC leg too when the scenario impairs the camera leg (a camera with
   * reordering and loss, and a viewer behind loss, in one run).
   */
  alsoWebrtc?: { forward: LinkProfile; back: LinkProfile };
  log?: (line: string) => void;
}

const STREAM = 'lab';
/** Frames in transit through the camera leg at the window's start and end may differ by one. */
const CAMERA_EDGE_TOLERANCE = 1;

/**
 * The WebRTC server a run measures: camwire, or a peer server (tools/peers) under the same
 * camera, impairment and browser. It pulls `cameraUrl` and plays it in the browser through the
 * relay; counters it cannot tell stay zero.
 */
export interface ServerUnderTest {
  /** The local address the server's media socket is on, when not loopback: the relay's b side binds there. */
  readonly mediaHost?: string;
  /** Resolves when the server has the camera's video, or with why not (recorded as a note). */
  ready(): Promise<string | undefined>;
  /** Starts the browser's playback through the relay (the server's media to `pipe`'s b side); `audio`: the browser takes audio too. */
  play(browser: LabBrowser, pipe: ImpairedPipe, audio?: boolean): Promise<void>;
  counters(): Promise<CamwireCounters>;
  /** A final snapshot of the server's own view, for the record's detail. */
  detail(): Promise<unknown>;
  close(): Promise<void>;
}

/** A camera profile the server takes as a rendition (the bandwidth scenarios' two-profile camera). */
export interface CameraRendition { name: string; url: string }

export type ServerFactory = (cameraUrl: string, renditions?: CameraRendition[]) => Promise<ServerUnderTest>;

export async function runOne(sc: Scenario, strategy: Strategy, o: RunOptions): Promise<RunRecord> {
  return runWith(sc, strategy, o, (url, renditions) => startCamwireUnderTest(url, strategy, o.captureDir, renditions));
}

export async function runWith(sc: Scenario, strategy: Strategy, o: RunOptions, startServer: ServerFactory): Promise<RunRecord> {
  const log = o.log ?? (() => undefined);
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const notes: string[] = [];
  labPeerCounters.clear();
  try {
    const camera: LabCamera = await startCamera(sc.source, o.cacheDir, sc.audio);
    cleanups.push(() => camera.close());
    const imp = sc.impairment;
    const cameraLeg = imp.leg === 'camera';
    const proxy = await RtspImpairProxy.start({
      camera: { host: camera.host, port: camera.port },
      impairment: cameraLeg ? imp : { leg: 'camera', forward: {}, back: {}, minSize: 0 },
      seed: sc.seed,
    });
    cleanups.push(() => proxy.close());

    // A two-profile camera's leg is never impaired (the bandwidth scenarios shape the viewer's link), so camwire pulls it directly.
    const renditions = camera.renditions?.map((r) => ({ name: r.name, url: `rtsp://${camera.host}:${camera.port}${r.path}` }));
    const server = await startServer(proxy.url(camera.path), renditions);
    const closeServer = () => server.close();
    cleanups.push(closeServer);

    const pipe = await ImpairedPipe.start({
      mediaArrivesOn: 'b',
      media: cameraLeg ? o.alsoWebrtc?.forward ?? {} : imp.forward,
      reverse: cameraLeg ? o.alsoWebrtc?.back ?? {} : imp.back,
      minSize: imp.minSize,
      seed: sc.seed,
      bHost: server.mediaHost,
    });
    const closePipe = () => pipe.close();
    cleanups.push(closePipe);

    const why = await server.ready();
    if (why) notes.push(why);
    const rcvbuf0 = systemRcvbufErrors();
    const browser = await LabBrowser.launch();
    cleanups.push(() => browser.close());
    const startedAt = Date.now();
    await server.play(browser, pipe, sc.audio);
    log(`  ${sc.id} / ${strategy.name}: playing for ${sc.durationS} s`);

    // Camera-leg frames are counted from the moment the viewer starts, like the frames the server sends.
    const cam0 = proxy.cameraFrames();
    const au0 = (await server.counters()).accessUnits;
    const samples: Sample[] = [];
    const take = async (): Promise<Sample> => {
      const [b, c] = await Promise.all([browser.stats(), server.counters()]);
      const w = pipe.wire.counts;
      const d = pipe.dropped();
      return {
        t: Math.round((Date.now() - startedAt) / 100) / 10,
        browser: b,
        wire: { framesSent: w.frames, framesMarked: w.framesMarked, seqDiscontinuities: w.seqDiscontinuities, mediaPackets: w.mediaPackets, retransmissions: w.retransmissions, rtx: w.rtx, droppedMedia: d.media, droppedBack: d.reverse, cameraFrames: proxy.cameraFrames() - cam0 },
        camwire: c,
      };
    };
    const abr = sc.bandwidth ? new AbrSampler(() => server.detail(), pipe, STREAM, startedAt) : undefined;
    abr?.start();
    for (let i = 1; i <= sc.durationS; i++) {
      await sleepUntil(startedAt + i * 1000);
      samples.push(await take());
    }
    await abr?.stop();
    pipe.cut();
    const camEnd = proxy.cameraFrames() - cam0;
    const auEnd = (await server.counters()).accessUnits - au0;
    if (o.screenshot) await browser.screenshot(o.screenshot).catch(() => notes.push('screenshot failed'));
    await sleepUntil(Date.now() + (o.drainS ?? 1.5) * 1000);
    const last = await take();
    samples.push(last);
    const events = await browser.events();
    const audio = sc.audio ? audioSummary(await browser.audioStats(), pipe.wire.counts.audio) : undefined;
    const rcvbuf1 = systemRcvbufErrors();
    const chromiumPort = pipe.peer('a')?.port;
    const serverPort = pipe.peer('b')?.port;
    const kernelDrops = {
      machineRcvbufErrors: rcvbuf0 !== undefined && rcvbuf1 !== undefined ? rcvbuf1 - rcvbuf0 : undefined,
      bySocket: socketDrops([chromiumPort ?? 0, serverPort ?? 0, pipe.aPort, pipe.bPort]),
      ports: { chromium: chromiumPort, camwire: serverPort, relayA: pipe.aPort, relayB: pipe.bPort },
    };
    if (last.browser.framesDecoded === 0) notes.push('Chromium decoded no frame');
    // Frames the camera sent in the window that the server never turned into access units. Both
    // counts are window deltas; frames in transit at either edge can differ by one.
    const cameraFramesLost = cameraLeg ? Math.max(0, camEnd - auEnd - CAMERA_EDGE_TOLERANCE) : 0;
    const summary = summarize(last, { ...events, startedAt }, cameraFramesLost);
    if (strategy.recovery === 'nack') summary.repair = pipe.recovery.stats();
    summary.kernelDrops = kernelDrops.machineRcvbufErrors;
    const bandwidth = abr && sc.bandwidth ? bandwidthRecord(samples, abr, sc.impairment.forward, sc.bandwidth) : undefined;
    const { judged, failures } = bandwidth
      ? { judged: bandwidth.goals.length > 0, failures: bandwidth.goals.filter((g) => !g.met).map((g) => `${g.goal}: ${g.value}`) }
      : judgeStrategy(summary, strategy.name, sc.expect);
    const record: RunRecord = {
      scenario: { id: sc.id, title: sc.title, source: sc.source, durationS: sc.durationS, impairment: sc.impairment },
      strategy,
      seed: sc.seed,
      startedAt: new Date(startedAt).toISOString(),
      samples,
      summary,
      ...(audio ? { audio } : {}),
      ...(bandwidth ? { bandwidth } : {}),
      judged,
      failures,
      detail: {
        notes,
        events,
        kernelDrops,
        transportExperiments: [...labPeerCounters.values()],
        cameraWindow: { cameraFrames: camEnd, camwireAccessUnits: auEnd },
        webrtcRelay: pipe.stats(),
        cameraRelay: proxy.stats(),
        camwire: await server.detail(),
      },
    };
    if (o.captureDir) {
      // The relay goes first (nothing more reaches the server), so its counters are final when
      // read; the file is complete once the gateway has closed (its closing statistics last).
      cleanups.splice(cleanups.indexOf(closePipe), 1);
      await closePipe();
      // The camera's media stops too, and camwire's NACKs for what it last missed run out, so the
      // counters read here are the ones the capture ends with.
      await proxy.closeMedia();
      record.detail.camwireAtCaptureEnd = await settledDetail(server);
      cleanups.splice(cleanups.indexOf(closeServer), 1);
      await server.close();
      record.detail.captures = readdirSync(o.captureDir).filter((f) => f.endsWith('.pcapng')).map((f) => join(o.captureDir!, f));
    }
    return record;
  } finally {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch { /* keep closing the rest */ }
    }
  }
}

/** camwire (startGateway) configured for one strategy, played over WHEP through the relay. */
async function startCamwireUnderTest(cameraUrl: string, strategy: Strategy, captureDir: string | undefined, renditions?: CameraRendition[]): Promise<ServerUnderTest> {
  const transport: WebRtcTransport = strategyTransport(createNativeTransport({ bindAddress: '127.0.0.1' }), strategy);
  const source = renditions ? { renditions } : { url: cameraUrl };
  const gw: GatewayHandle = await startGateway(
    {
      http: { host: '127.0.0.1', port: 0 },
      streams: { [STREAM]: { ...source, transport: 'udp', onDemand: false, ...strategyStreamConfig(strategy) } },
      ...(captureDir ? { capture: { dir: captureDir } } : {}),
    },
    { transport },
  );
  return {
    // A strategy may break the camera leg entirely (no reorder buffer under reordering): record that too.
    ready: async () => ((await waitFor(async () => (await camwire(gw)).accessUnits > 0, 10000)) ? undefined : 'camwire had no video from the camera after 10 s'),
    play: (browser, pipe, audio) => browser.play(`${gw.address}/api/streams`, `${gw.address}/whep/${STREAM}`, pipe.aPort, (sdp) => {
      const port = answerCandidatePort(sdp);
      if (port === undefined) throw new Error('camwire answer has no host candidate');
      pipe.setPeer('b', { address: '127.0.0.1', port });
      const audioSsrc = /^m=audio[\s\S]*?^a=ssrc:(\d+)/m.exec(sdp)?.[1];
      if (audioSsrc) pipe.wire.setAudioSsrc(Number(audioSsrc));
      return sdp;
    }, audio),
    counters: () => camwire(gw),
    detail: () => fetchJson(`${gw.address}/api/streams`),
    close: () => gw.close(),
  };
}

async function fetchJson(url: string): Promise<unknown> {
  const r = await fetch(url);
  return r.json();
}

/** camwire's counters for the lab stream and its (single) viewer, via GET /api/streams. */
async function camwire(gw: GatewayHandle): Promise<CamwireCounters> {
  const all = (await fetchJson(`${gw.address}/api/streams`)) as { streams: Record<string, any>[] };
  const s = all.streams.find((x) => x.name === STREAM) ?? {};
  const v = (s.viewers as Record<string, number>[] | undefined)?.[0] ?? {};
  const n = (x: unknown) => (typeof x === 'number' ? x : 0);
  return {
    accessUnits: n(s.accessUnits), keyframes: n(s.keyframes),
    keyframeRequestsForwarded: n(s.keyframeRequestsForwarded), keyframeRequestsSuppressed: n(s.keyframeRequestsSuppressed),
    packetsSent: n(v.packetsSent), nacksReceived: n(v.nacksReceived), nackedPackets: n(v.nackedPackets),
    retransmitted: n(v.retransmitted), rtxSent: n(v.rtxSent), retransmitUnavailable: n(v.retransmitUnavailable),
    plisReceived: n(v.plisReceived), firsReceived: n(v.firsReceived), rttMs: n(v.rttMs),
  };
}

export async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function sleepUntil(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
}

export type { BrowserStats };

/** The server's detail once its camera NACK count has held still for half a second (at most 5 s). */
async function settledDetail(server: { detail(): Promise<unknown> }): Promise<unknown> {
  const nacks = (d: unknown) => JSON.stringify(d).match(/"nacksSent":\d+/g)?.join() ?? '';
  let d = await server.detail();
  for (const end = Date.now() + 5000; Date.now() < end;) {
    await sleepUntil(Date.now() + 500);
    const next = await server.detail();
    const same = nacks(next) === nacks(d);
    d = next;
    if (same) break;
  }
  return d;
}

/** A bandwidth run's series, figures and goals. */
function bandwidthRecord(samples: readonly Sample[], abr: AbrSampler, link: LinkProfile, goals: BandwidthGoals): BandwidthRun {
  const shape = abr.link(link);
  const summary = summarizeBandwidth(samples, abr.points, abr.rates, shape);
  return { link: shape, points: abr.points, rates: abr.rates, summary, goals: judgeBandwidth(summary, goals) };
}
