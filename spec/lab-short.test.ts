/**
 * The loss lab's 5% case, short enough for CI: camera stand-in -> camwire -> headless
 * Chromium over WHEP, with 5% random loss in both directions of the WebRTC leg (seeded).
 * `none` (forward only, like the study's server) must show the failure; `nack+rtx` must
 * repair it. The full matrix is `npm run lab`, not a test.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../test/support/env.js';
import { buildScenario } from '../tools/lab/scenario.js';
import { runOne } from '../tools/lab/run-one.js';

const PLAY_S = 20;

t.test('lab, 5% loss on the WebRTC leg: none fails as in the study, nack+rtx repairs', async (t) => {
  for (const tool of ['chromium', 'ffmpeg']) {
    const why = missingTool(tool, '--version');
    if (why) {
      t.comment('skip: ' + why);
      return;
    }
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'camwire-lab-spec-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  const sc = buildScenario('loss5', { durationS: PLAY_S, seed: 5 });
  const byName = new Map(sc.strategies.map((s) => [s.name, s]));

  const none = await runOne(sc, byName.get('none')!, { cacheDir });
  const n = none.summary;
  t.comment(`none: ${n.decodedPct}% of ${n.framesSent} frames, ${n.freezeCount} freezes, lost ${n.lostPct}%, ${n.nackCount} NACKs unanswered`);
  t.ok(n.framesSent > PLAY_S * 10, 'camwire sent frames');
  t.ok(n.droppedMedia > 0, 'the relay dropped media packets');
  t.ok(n.nackCount > 0, 'Chromium sent NACKs');
  t.equal(n.retransmitted + n.rtxSent, 0, 'none answers no NACK');
  t.ok(n.decodedPct < 90 || n.freezeCount > 0, "the study's failure: frames lost or frozen");
  t.ok(n.lostPct > 1, 'packetsLost keeps rising');

  const rtx = await runOne(sc, byName.get('nack+rtx')!, { cacheDir });
  const r = rtx.summary;
  t.comment(`nack+rtx: ${r.decodedPct}% of ${r.framesSent} frames, ${r.freezeCount} freezes, lost ${r.lostPct}%, ${r.nackCount} NACKs, ${r.rtxSent} RTX`);
  t.ok(r.rtxSent > 0, 'NACKs answered on the RTX stream');
  t.ok(r.lostPct < 0.1, `packetsLost after recovery under 0.1% (${r.lostPct}%)`);
  t.ok(r.receivedPct >= 99, `recovery: Chromium assembled at least 99% of the frames sent (${r.receivedPct}%)`);
  // Decoding and freezes depend on timing (a CPU-starved Chromium drops and freezes frames by
  // itself, as the lab's clean-link control shows), and timing never decides a CI test: they
  // are reported here and measured by `npm run lab` (docs/loss-lab.md).
  t.comment(`issue 7 figures: ${r.decodedPct}% decoded (bar 99.5%), ${r.freezeCount} freezes (bar 0); load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores, ${r.kernelDrops ?? '?'} kernel UDP drops`);
});
