/**
 * One B-frame measurement: GStreamer's x264 camera with B-frames -> camwire's gateway -> a
 * Chromium viewer for `seconds`; what Chromium decoded and froze, and what the gateway did.
 */
import { startGateway } from '../../lib/app/start.js';
import { launchChromium, startViewer, viewerStats, VIEWER_SCRIPT, type InboundVideoStats } from '../../test/support/chromium.js';
import { startGstServer } from './gst-server.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';

export interface BFrameRun {
  viewer: InboundVideoStats;
  /** Frames decoded per second over the window measured (after the first frame). */
  decodedFps: number;
  source: Record<string, number | string>;
  log: string[];
}

/** The camera: 640x360 at 25 fps, 2 B-frames per P, with or without B-pyramid, a keyframe every 2 s. */
export function bFrameCameraLaunch(pyramid: boolean): string {
  return '( videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 '
    + `! x264enc speed-preset=ultrafast bframes=2 b-pyramid=${pyramid ? 'true' : 'false'} key-int-max=50 threads=1 `
    + '! video/x-h264,profile=main ! rtph264pay name=pay0 pt=96 config-interval=-1 )';
}

export async function runBFrames(o: { pyramid: boolean; bFrames: 'drop' | 'forward'; seconds: number }): Promise<BFrameRun> {
  const cam = await startGstServer({ protocols: 'tcp', launch: bFrameCameraLaunch(o.pyramid) });
  const log: string[] = [];
  const gw = await startGateway({
    http: { host: '127.0.0.1', port: 0 },
    streams: { cam: { url: cam.url(), transport: 'tcp', bFrames: o.bFrames } },
    webrtc: { bindAddress: '127.0.0.1' },
  }, { log: createLogger(systemClock, (l) => log.push(l)) });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(gw.address + '/api/streams');
    await page.evaluate(VIEWER_SCRIPT);
    const id = await startViewer(page, gw.address + '/whep/cam');
    // measured from 2 s in (the first frame takes 1-2 s in headless Chromium), for `seconds`
    await new Promise((r) => setTimeout(r, 2000));
    const before = await viewerStats(page, id);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const after = await viewerStats(page, id);
    const viewer = { ...after, freezeCount: after.freezeCount - before.freezeCount, totalFreezesDuration: after.totalFreezesDuration - before.totalFreezesDuration };
    return { viewer, decodedFps: (after.framesDecoded - before.framesDecoded) / o.seconds, source: gw.gateway.stream('cam')!.stats().source as Record<string, number | string>, log };
  } finally {
    await browser.close();
    await gw.close();
    await cam.stop();
  }
}
