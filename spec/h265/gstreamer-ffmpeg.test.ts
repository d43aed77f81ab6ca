/**
 * H.265 from a real encoder: GStreamer's RTSP server (`x265enc ! rtph265pay`, one shared
 * encoder) read at once by camwire's RTSP client and camera leg and by ffmpeg (`-c copy -f hevc`,
 * its own RFC 7798 depacketizer). From the first VPS (before an IDR) both saw, the NAL units must be
 * the same bytes in the same order (framing aside: ffmpeg writes start codes, camwire hands out
 * units). And `camwire probe` names codec, profile, size and keyframes of the camera.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtspClient } from '../../lib/rtsp/index.js';
import { attachCameraLeg, probe } from '../../lib/ingest/index.js';
import { systemClock } from '../../lib/clock.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { h265NalType, isIrap } from '../../lib/h265/index.js';
import { missingTool } from '../../test/support/env.js';
import { missingGstRtspServer, startGstServer } from '../support/gst-server.js';
import { run } from '../h264/tools.js';

const hex = (n: Uint8Array) => Buffer.from(n).toString('hex');
const irapAt = (list: Uint8Array[], from = 0) => list.findIndex((n, i) => i >= from && isIrap(h265NalType(n[0])));

/** The index in `ours` from which the most units equal `theirs` from `from` on; -1 when none does. */
function bestAlignment(ours: Uint8Array[], theirs: Uint8Array[], from: number): number {
  let best = -1;
  let bestRun = 0;
  ours.forEach((_, ci) => {
    let k = 0;
    while (ci + k < ours.length && from + k < theirs.length && hex(ours[ci + k]) === hex(theirs[from + k])) k++;
    if (k > bestRun) { best = ci; bestRun = k; }
  });
  return best;
}

const why = missingTool('ffmpeg') || missingGstRtspServer('h265');
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('camwire\'s depacketized H.265 NAL units are byte-identical to ffmpeg\'s from the same camera', async (t) => {
    const cam = await startGstServer({ codec: 'h265', protocols: 'tcp', keyInt: 30 });
    const client = new RtspClient({ url: cam.url(), transport: 'tcp' });
    const ours: Uint8Array[] = [];
    let keyframes = 0;
    const { leg, detach } = attachCameraLeg(client, {
      clock: systemClock,
      onAccessUnit: (au) => {
        if (au.complete) for (const n of au.nalus) ours.push(n.slice());
        if (au.keyframe) keyframes++;
      },
    });
    try {
      await client.start();
      // ffmpeg joins the same shared encoder; both record the same seconds
      const dir = mkdtempSync(join(tmpdir(), 'camwire-h265-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'ffmpeg.hevc');
      const ff = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', cam.url(), '-t', '4', '-c', 'copy', '-f', 'hevc', '-y', file], 30_000);
      const ffmpegUnits = splitAnnexB(new Uint8Array(readFileSync(file)));
      t.equal(ff.code, 0, ff.stderr.slice(-300));
      t.ok(irapAt(ffmpegUnits) >= 0, 'ffmpeg saw an IRAP picture');
      // from the VPS in front of the first IDR: parameter sets compared too
      const fi = ffmpegUnits.findIndex((n) => h265NalType(n[0]) === 32);
      // GStreamer restarts the shared pipeline when the second client plays, and its test
      // pattern encodes to the same bytes again: align where the longest run matches
      const ci = bestAlignment(ours, ffmpegUnits, fi);
      t.ok(ci >= 0, 'camwire has the same units');
      // the last unit either side may be cut off by the stop
      const n = Math.min(ffmpegUnits.length - fi, ours.length - ci) - 4;
      t.ok(n >= 60, `${n} NAL units compared`);
      let same = 0;
      for (let i = 0; i < n; i++) if (hex(ffmpegUnits[fi + i]) === hex(ours[ci + i])) same++;
      t.equal(same, n, 'every NAL unit identical, in order');
      const types = new Set(ours.slice(ci, ci + n).map((u) => h265NalType(u[0])));
      t.ok(types.has(32) && types.has(33) && types.has(34), 'VPS, SPS and PPS in-band among them');
      t.ok(keyframes >= 2, `${keyframes} keyframes`);
      const dep = leg.h265!;
      t.comment(JSON.stringify({ ...dep.stats, bytes: undefined }));
      t.ok(dep.stats.fuPackets > 0, 'FUs used by rtph265pay');
      t.equal(dep.stats.malformed + dep.stats.fragmentsWithoutStart + dep.stats.fragmentsUnterminated, 0, 'nothing malformed');
    } finally {
      detach();
      await client.stop();
      await cam.stop();
    }
  });

  t.test('camwire probe on the H.265 camera reports codec, profile, size and keyframes', async (t) => {
    const cam = await startGstServer({ codec: 'h265', keyInt: 30 });
    try {
      const r = await probe({ url: cam.url(), seconds: 3 });
      t.ok(r.ok, r.error?.message ?? 'ok');
      t.match(r.tracks[0], { codec: 'H265', profile: 'H.265 Main', width: 640, height: 360 });
      t.ok(r.accessUnits.complete > 60, `${r.accessUnits.complete} complete units`);
      t.ok(r.accessUnits.keyframes >= 2, `${r.accessUnits.keyframes} keyframes`);
      t.notOk(r.quirks.includes('no-sprop-parameter-sets'), 'rtph265pay announces sprop-vps/sps/pps');
    } finally {
      await cam.stop();
    }
  });
}
