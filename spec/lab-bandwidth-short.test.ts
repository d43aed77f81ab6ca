/**
 * The loss lab's narrow-link bandwidth case, short enough for CI: the two-rendition camera
 * (~2.6 and ~0.42 Mbit/s) -> camwire -> headless Chromium over WHEP through a 1.2 Mbit/s
 * tbf-shaped relay. Checks the lab's plumbing end to end (the controller sampled from
 * /api/streams, the link's bound kept, the chart drawn) and that the viewer is moved to the
 * rendition the link carries. The full set with its figures is `npm run lab -- --scenario
 * bandwidth` (docs/loss-lab.md), not a test.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../test/support/env.js';
import { buildScenario } from '../tools/lab/scenario.js';
import { runOne } from '../tools/lab/run-one.js';
import { bandwidthChart } from '../tools/lab/bandwidth-report.js';

const PLAY_S = 15;

t.test('lab, 1.2 Mbit/s link under a two-rendition camera: sampled, bounded, charted, and on 360p at the end', async (t) => {
  for (const tool of ['chromium', 'ffmpeg']) {
    const why = missingTool(tool, '--version');
    if (why) {
      t.comment('skip: ' + why);
      return;
    }
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'camwire-lab-bw-spec-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  const sc = buildScenario('bw-narrow', { durationS: PLAY_S });
  const rec = await runOne(sc, sc.strategies[0], { cacheDir });
  const bw = rec.bandwidth!;
  t.ok(bw, 'a bandwidth record');
  const s = bw.summary;
  t.comment(`${s.decodedPctAfter5s}% decoded after 5 s, ${s.stallsAfter5s} stalls, on ${JSON.stringify(s.secondsOn)}, switches ${JSON.stringify(s.switches)}, estimate ${s.medianEstimateKbps} kbit/s, renditions ${JSON.stringify(s.renditionKbps)}`);
  t.same(Object.keys(s.renditionKbps), ['720p', '360p'], 'both renditions measured, 720p the larger');
  t.ok(bw.points.some((p) => p.estimateBps > 0), 'transport-wide CC negotiated through the lab: the estimate is sampled');
  t.equal(bw.points[bw.points.length - 1].rendition, '360p', 'the viewer ends on the rendition a 1.2 Mbit/s link carries');
  t.ok(bw.link.originS !== undefined, 'the link schedule started with the first packet');
  const relay = rec.detail.webrtcRelay as { media: Record<string, number> };
  t.ok(relay.media['shared.token-bucket.in'] > 0, 'every packet crossed the shaped link');
  // Whatever the timing, a 1.2 Mbit/s tbf never lets through more than its bucket plus its rate.
  const last = bw.points[bw.points.length - 1];
  const allowed = 32 * 1024 + (1200 / 8) * 1000 * (last.t + 0.2 - bw.link.originS!);
  t.ok(last.deliveredBytes <= allowed, `${last.deliveredBytes} bytes through by ${last.t} s (at most ${Math.round(allowed)})`);
  t.match(bandwidthChart(rec), /<polyline/, 'the chart is drawn');
});
