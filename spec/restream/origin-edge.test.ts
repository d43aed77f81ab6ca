/**
 * Origin and two edges, three camwire processes: the origin pulls its demo camera once and
 * restreams it (`--rtsp`); each edge pulls `rtsp://user:pass@origin/demo` over TCP and serves
 * browsers. A Chromium viewer on each edge decodes >= 95% of the frames with no freeze while
 * another watches the origin, the demo camera sees one PLAY for all, and killing one edge leaves
 * the origin's and the other edge's viewers untouched. The edge restreams too, so the hop's added latency is measured:
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

t.test('origin + two edges: one PLAY at the camera, both edge viewers play smoothly, killing one edge leaves the others untouched', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const auth = { users: [USER] };
  const origin = await startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0'], { rtspServer: auth });
  const edges: CamwireProcess[] = [];
  let browser: Chromium | undefined;
  try {
    const upstream = origin.rtsp!.replace('rtsp://', `rtsp://${USER.user}:${USER.password}@`) + '/demo';
    for (let i = 0; i < 2; i++) {
      edges.push(await startCamwire(['--http', '127.0.0.1:0', '--rtsp', '127.0.0.1:0'], {
        streams: { cam: { url: upstream, transport: 'tcp' } }, rtspServer: auth,
      }));
    }
    const [edge, other] = edges as [CamwireProcess, CamwireProcess];
    t.notMatch(edge.output(), USER.password, 'the edge never prints the origin password');
    browser = await launchChromium();
    const watch = async (base: string, stream: string) => {
      const page = await browser!.newPage();
      await page.goto(base + '/api/streams');
      await page.evaluate(VIEWER_SCRIPT);
      return { page, id: await startViewer(page, `${base}/whep/${stream}`) };
    };
    const onOrigin = await watch(origin.http, 'demo');
    const onEdge = await watch(edge.http, 'cam');
    const onOther = await watch(other.http, 'cam');
    const stats = (v: { page: typeof onOrigin.page; id: typeof onOrigin.id }) => viewerStats(v.page, v.id);
    for (let i = 0; i < 100; i++) {
      const all = [await stats(onOrigin), await stats(onEdge), await stats(onOther)];
      if (all.every((s) => s.framesDecoded > 30)) break;
      await sleep(100);
    }

    const withCreds = (base: string, path: string) => base.replace('rtsp://', `rtsp://${USER.user}:${USER.password}@`) + path;
    const atOrigin = await frameArrivals(withCreds(origin.rtsp!, '/demo'));
    const atEdge = await frameArrivals(withCreds(edge.rtsp!, '/cam'));
    const snapshot = async () => ({
      viewers: [await stats(onEdge), await stats(onOther)], edges: [(await edge.stream('cam'))!, (await other.stream('cam'))!], origin: (await origin.stream('demo'))!,
    });
    const before = await snapshot();
    const seconds = 8;
    await sleep(seconds * 1000);
    const after = await snapshot();
    await atOrigin.stop();
    await atEdge.stop();
    t.comment(`origin stream: keyframeRequestsForwarded ${after.origin.keyframeRequestsForwarded}, suppressed ${after.origin.keyframeRequestsSuppressed}, source ${JSON.stringify(after.origin.source)}`);

    for (const i of [0, 1]) {
      const [v0, v1, e0, e1] = [before.viewers[i]!, after.viewers[i]!, before.edges[i]!, after.edges[i]!];
      const name = `edge ${i + 1}`;
      t.comment(`${name} viewer: ${JSON.stringify(v1)}; keyframeRequestsForwarded ${e1.keyframeRequestsForwarded}, source ${JSON.stringify(e1.source)}`);
      const decoded = v1.framesDecoded - v0.framesDecoded;
      const sent = e1.accessUnits - e0.accessUnits;
      t.ok(sent >= 25 * seconds, `${name} forwarded ${sent} frames in ${seconds} s`);
      t.ok(decoded >= 0.95 * sent, `${name}'s viewer decoded ${decoded} of ${sent} frames (>= 95%)`);
      t.equal(v1.freezeCount - v0.freezeCount, 0, `no freeze at ${name}'s viewer`);
      t.equal(v1.frameWidth, 1280, 'at 1280 wide');
      t.equal(e1.source.transport, 'tcp', `${name} pulls the origin over TCP`);
      t.equal(e1.timelineRebases, 0, `the origin timeline is one continuous stream to ${name}`);
      // an edge joining mid-stream: RTP-Info must not name the packets skipped until the keyframe
      t.equal(e1.source.packetsLost, 0, `${name} lost no packet from the origin, its start included`);
      t.equal(e1.source.framesDropped, 0, 'and dropped no frame');
      // at most one keyframe request a second at each hop (plus the one a start may send at once)
      const upstreamRequests = e1.keyframeRequestsForwarded - e0.keyframeRequestsForwarded;
      t.ok(upstreamRequests <= seconds + 1, `${name} -> origin keyframe requests rate-limited (${upstreamRequests} in ${seconds} s)`);
    }
    t.equal(after.origin.source.sessions, 1, 'the demo camera saw one PLAY for the origin viewer, two edges and two RTSP readers');
    t.equal(after.origin.viewers.length, 1, 'one WebRTC viewer at the origin');
    const cameraRequests = after.origin.keyframeRequestsForwarded - before.origin.keyframeRequestsForwarded;
    t.ok(cameraRequests <= seconds + 1, `origin -> camera keyframe requests rate-limited (${cameraRequests} in ${seconds} s)`);

    const delays = hopDelays(atOrigin.arrivals, atEdge.arrivals);
    t.ok(delays.length >= 100, `${delays.length} frames seen leaving both the origin and the edge`);
    const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))]?.toFixed(1);
    t.comment(`added latency of the origin -> edge hop (frame leaves origin -> leaves edge): median ${pct(0.5)} ms, p90 ${pct(0.9)} ms, max ${pct(1)} ms`);
    t.ok(Number(pct(0.5)) < 100, 'the hop adds well under 100 ms (median)');

    const survivorsBefore = [await stats(onOrigin), await stats(onOther)];
    t.equal(await edge.stop('SIGKILL'), null, 'edge 1 killed');
    await sleep(3000);
    const survivorsAfter = [await stats(onOrigin), await stats(onOther)];
    for (const [i, name] of ['origin viewer', 'edge 2 viewer'].entries()) {
      const decoded = survivorsAfter[i]!.framesDecoded - survivorsBefore[i]!.framesDecoded;
      t.ok(decoded >= 75, `the ${name} keeps decoding (${decoded} frames in 3 s)`);
      t.equal(survivorsAfter[i]!.freezeCount, survivorsBefore[i]!.freezeCount, 'and does not freeze');
    }
    const originDemo = (await origin.stream('demo'))!;
    t.equal(originDemo.source.sessions, 1, 'still the one camera session');
    t.equal(originDemo.viewers.length, 1, 'the origin viewer is still there');
    t.equal((await other.stream('cam'))!.timelineRebases, 0, 'edge 2 saw no break');
  } finally {
    await browser?.close();
    for (const e of edges) await e.stop();
    t.equal(await origin.stop(), 0, 'the origin exits cleanly');
  }
});
