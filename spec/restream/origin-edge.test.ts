/**
 * Origin and edge, two camwire processes: the origin pulls its demo camera once and restreams
 * it (`--rtsp`); the edge pulls `rtsp://user:pass@origin/demo` over TCP and serves browsers.
 * A Chromium viewer on the edge decodes >= 95% of the frames with no freeze while another
 * watches the origin, the demo camera sees one PLAY for both, and killing the edge leaves the
 * origin's viewer untouched. The edge restreams too, so the hop's added latency is measured:
 * the same frame's last packet (the same bytes, both hops packetize alike) as it leaves the
 * origin and as it leaves the edge.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { missingTool } from '../../test/support/env.js';
import { launchChromium, startViewer, viewerStats, VIEWER_SCRIPT, type Chromium } from '../../test/support/chromium.js';
import { RtspClient } from '../../lib/rtsp/index.js';
import { startCamwire, type CamwireProcess } from './camwire-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const USER = { user: 'edge', password: 'origin-secret' };

/** Arrival times (ms) of each frame's last packet, by a hash of its payload; stops with `stop()`. */
async function frameArrivals(url: string): Promise<{ arrivals: Map<string, number[]>; stop(): Promise<void> }> {
  const arrivals = new Map<string, number[]>();
  const client = new RtspClient({ url, transport: 'tcp' });
  client.on('rtp', (p) => {
    if (!p.marker) return;
    const key = createHash('sha1').update(p.payload).digest('hex');
    const list = arrivals.get(key) ?? [];
    list.push(performance.now());
    arrivals.set(key, list);
  });
  client.on('error', () => {});
  await client.start();
  return { arrivals, stop: () => client.stop().catch(() => {}) };
}

/** For every frame seen at both, the edge's arrival minus the origin's nearest earlier one. */
function hopDelays(origin: Map<string, number[]>, edge: Map<string, number[]>): number[] {
  const out: number[] = [];
  for (const [key, times] of edge) {
    const before = origin.get(key);
    if (!before) continue;
    for (const at of times) {
      const earlier = before.filter((x) => x <= at && at - x < 1000);
      if (earlier.length > 0) out.push(at - Math.max(...earlier));
    }
  }
  return out.sort((a, b) => a - b);
}

t.test('origin + edge: one PLAY at the camera, the edge viewer plays smoothly, the origin viewer outlives the edge', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const auth = { users: [USER] };
  const origin = await startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0'], { rtspServer: auth });
  let edge: CamwireProcess | undefined;
  let browser: Chromium | undefined;
  try {
    const upstream = origin.rtsp!.replace('rtsp://', `rtsp://${USER.user}:${USER.password}@`) + '/demo';
    edge = await startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0'], {
      streams: { cam: { url: upstream, transport: 'tcp' } }, rtspServer: auth,
    });
    t.notMatch(edge.output(), USER.password, 'the edge never prints the origin password');
    browser = await launchChromium();
    const onOrigin = await browser.newPage();
    await onOrigin.goto(origin.http + '/api/streams');
    await onOrigin.evaluate(VIEWER_SCRIPT);
    const onEdge = await browser.newPage();
    await onEdge.goto(edge.http + '/api/streams');
    await onEdge.evaluate(VIEWER_SCRIPT);
    const o = await startViewer(onOrigin, origin.http + '/whep/demo');
    const e = await startViewer(onEdge, edge.http + '/whep/cam');
    for (let i = 0; i < 100; i++) {
      const [so, se] = [await viewerStats(onOrigin, o), await viewerStats(onEdge, e)];
      if (so.framesDecoded > 30 && se.framesDecoded > 30) break;
      await sleep(100);
    }

    const withCreds = (base: string, path: string) => base.replace('rtsp://', `rtsp://${USER.user}:${USER.password}@`) + path;
    const atOrigin = await frameArrivals(withCreds(origin.rtsp!, '/demo'));
    const atEdge = await frameArrivals(withCreds(edge.rtsp!, '/cam'));
    const before = { viewer: await viewerStats(onEdge, e), edge: (await edge.stream('cam'))!, origin: (await origin.stream('demo'))! };
    const seconds = 8;
    await sleep(seconds * 1000);
    const after = { viewer: await viewerStats(onEdge, e), edge: (await edge.stream('cam'))!, origin: (await origin.stream('demo'))! };
    await atOrigin.stop();
    await atEdge.stop();
    t.comment(`edge viewer: ${JSON.stringify(after.viewer)}`);
    t.comment(`edge stream: keyframeRequestsForwarded ${after.edge.keyframeRequestsForwarded}, source ${JSON.stringify(after.edge.source)}`);
    t.comment(`origin stream: keyframeRequestsForwarded ${after.origin.keyframeRequestsForwarded}, suppressed ${after.origin.keyframeRequestsSuppressed}, source ${JSON.stringify(after.origin.source)}`);

    const decoded = after.viewer.framesDecoded - before.viewer.framesDecoded;
    const sent = after.edge.accessUnits - before.edge.accessUnits;
    t.ok(sent >= 25 * seconds, `the edge forwarded ${sent} frames in ${seconds} s`);
    t.ok(decoded >= 0.95 * sent, `the edge viewer decoded ${decoded} of ${sent} frames (>= 95%)`);
    t.equal(after.viewer.freezeCount - before.viewer.freezeCount, 0, 'no freeze at the edge viewer');
    t.equal(after.viewer.frameWidth, 1280, 'at 1280 wide');
    t.equal(after.origin.source.sessions, 1, 'the demo camera saw one PLAY for the origin viewer, the edge and two RTSP readers');
    t.equal(after.origin.viewers.length, 1, 'one WebRTC viewer at the origin');
    t.equal(after.edge.source.transport, 'tcp', 'the edge pulls the origin over TCP');
    t.equal(after.edge.timelineRebases, 0, 'the origin timeline is one continuous stream to the edge');
    // an edge joining mid-stream: RTP-Info must not name the packets skipped until the keyframe
    t.equal(after.edge.source.packetsLost, 0, 'the edge lost no packet from the origin, its start included');
    t.equal(after.edge.source.framesDropped, 0, 'and dropped no frame');
    // at most one keyframe request a second at each hop (plus the one a start may send at once)
    const upstreamRequests = after.edge.keyframeRequestsForwarded - before.edge.keyframeRequestsForwarded;
    const cameraRequests = after.origin.keyframeRequestsForwarded - before.origin.keyframeRequestsForwarded;
    t.ok(upstreamRequests <= seconds + 1, `edge -> origin keyframe requests rate-limited (${upstreamRequests} in ${seconds} s)`);
    t.ok(cameraRequests <= seconds + 1, `origin -> camera keyframe requests rate-limited (${cameraRequests} in ${seconds} s)`);

    const delays = hopDelays(atOrigin.arrivals, atEdge.arrivals);
    t.ok(delays.length >= 100, `${delays.length} frames seen leaving both the origin and the edge`);
    const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))]?.toFixed(1);
    t.comment(`added latency of the origin -> edge hop (frame leaves origin -> leaves edge): median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms`);
    t.ok(Number(pct(0.5)) < 100, 'the hop adds well under 100 ms (median)');

    const originBefore = await viewerStats(onOrigin, o);
    t.equal(await edge.stop('SIGKILL'), null, 'edge killed');
    await sleep(3000);
    const originAfter = await viewerStats(onOrigin, o);
    const originDemo = (await origin.stream('demo'))!;
    t.ok(originAfter.framesDecoded - originBefore.framesDecoded >= 75, `the origin viewer keeps decoding (${originAfter.framesDecoded - originBefore.framesDecoded} frames in 3 s)`);
    t.equal(originAfter.freezeCount, originBefore.freezeCount, 'and does not freeze');
    t.equal(originDemo.source.sessions, 1, 'still the one camera session');
    t.equal(originDemo.viewers.length, 1, 'the origin viewer is still there');
  } finally {
    await browser?.close();
    await edge?.stop();
    t.equal(await origin.stop(), 0, 'the origin exits cleanly');
  }
});
