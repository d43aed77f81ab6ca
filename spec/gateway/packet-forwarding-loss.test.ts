/**
 * Packet forwarding against real Chromium when camera packets are lost for good (1% loss on
 * the camera leg, reorder buffer and NACKs off, so nothing is repaired): units that lost a
 * packet have already partly gone out, and must never become frames in the browser. Chromium
 * may assemble only the units camwire finished, and it sees no hole in the sequence (so it
 * never NACKs). The lab's camera-loss presets measure the rest (`npm run lab`).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../../test/support/env.js';
import { buildScenario, parseImpairment } from '../../tools/lab/scenario.js';
import { runOne } from '../../tools/lab/run-one.js';

t.test('packet forwarding, 1% unrepaired camera-leg loss: Chromium assembles only the units camwire finished', async (t) => {
  for (const tool of ['chromium', 'ffmpeg']) {
    const why = missingTool(tool, '--version');
    if (why) {
      t.comment('skip: ' + why);
      return;
    }
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'camwire-pf-spec-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  const sc = { ...buildScenario('camera-loss5', { durationS: 12, seed: 3 }), impairment: parseImpairment('camera:loss=0.01') };
  const r = await runOne(sc, { name: 'packet/no-repair', recovery: 'nack', pli: 'forward', reorder: false, forwarding: 'packet' }, { cacheDir });
  const last = r.samples[r.samples.length - 1];
  const s = r.summary;
  t.comment(`camera frames ${last.wire.cameraFrames}, camwire finished ${last.camwire.accessUnits}; on the wire ${last.wire.framesSent} units, ${last.wire.framesMarked} marked; Chromium received ${last.browser.framesReceived}, decoded ${s.framesDecoded}; PLIs ${s.pliCount}`);
  t.ok(s.cameraFramesLost > 0, 'camera frames were lost for good');
  t.ok(last.browser.framesReceived > 0, 'frames got through');
  // Usually some abandoned units went partly out (units > marked); where the losses fall
  // decides it, so it is reported, not asserted.
  t.ok(last.browser.framesReceived <= last.wire.framesMarked, 'Chromium assembled no unit that was abandoned unmarked');
  t.equal(last.wire.seqDiscontinuities, 0, 'no hole in the egress sequence');
  t.equal(s.packetsLostRaw, 0, 'Chromium saw none either');
  t.equal(s.nackCount, 0, 'so it never NACKed');
});
