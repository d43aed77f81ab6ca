/**
 * A lab run with its capture: a camera leg with reordering and loss (the lab's RTSP proxy) and
 * headless Chromium behind 3% loss both ways (the lab's relay), camwire answering NACKs with
 * RTX. tshark reads the capture: `camera` and `viewer-*` interfaces with their RTP and RTCP,
 * Chromium's NACKs, and comments that match camwire's own counters (RTX sent to the viewer,
 * NACKs sent to the camera). The lab takes the machine lock for Chromium itself.
 */
import t from 'tap';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { missingTool } from '../../test/support/env.js';
import { STRATEGIES, parseImpairment, type Scenario } from '../../tools/lab/scenario.js';
import { runOne } from '../../tools/lab/run-one.js';
import { captureFigures } from '../../tools/capture-figures.js';

const PLAY_S = 10;

function fields(file: string, names: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '--enable-heuristic', 'rtp_udp', '-T', 'fields', '-E', 'separator=|', ...names.flatMap((f) => ['-e', f])], {
    encoding: 'utf8', maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`tshark: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('|'));
}

t.test('lab capture: camera with reordering and loss, Chromium behind loss, read by tshark', async (t) => {
  for (const [tool, arg] of [['chromium', '--version'], ['ffmpeg', '-version'], ['tshark', '-v']]) {
    const why = missingTool(tool, arg);
    if (why) return void t.comment('skip: ' + why);
  }
  const dir = mkdtempSync(join(tmpdir(), 'camwire-lab-capture-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sc: Scenario = {
    id: 'capture', title: 'camera reorder + loss, viewer loss', source: 'demo', seed: 3, durationS: PLAY_S,
    impairment: parseImpairment('camera:loss=0.03,reorder=0.2,jitter=10'), strategies: [STRATEGIES['nack+rtx']], expect: [],
  };
  const captureDir = join(dir, 'captures');
  const rec = await runOne(sc, STRATEGIES['nack+rtx'], { cacheDir: join(dir, '.cache'), captureDir, alsoWebrtc: { forward: { loss: 0.03 }, back: { loss: 0.03 } } });
  const files = rec.detail.captures as string[];
  t.equal(files.length, 1, 'one capture file beside the report');
  const api = rec.detail.camwireAtCaptureEnd as { streams: Record<string, any>[] };
  const lab = api.streams.find((s) => s.name === 'lab')!;
  const viewers = (lab.viewers as Record<string, number>[])[0];
  const source = lab.source as Record<string, number>;

  const rows = fields(files[0], ['frame.interface_name', 'ip.src', 'rtp.seq', 'rtcp.pt', 'rtcp.rtpfb.fmt', 'frame.comment']);
  const cam = rows.filter((r) => r[0] === 'camera');
  const view = rows.filter((r) => r[0].startsWith('viewer-'));
  t.ok(cam.filter((r) => r[2]).length > PLAY_S * 30, `camera: RTP (${cam.filter((r) => r[2]).length})`);
  t.ok(cam.some((r) => r[3]), 'camera: RTCP');
  t.ok(view.filter((r) => r[2]).length > PLAY_S * 30, `viewer: RTP (${view.filter((r) => r[2]).length})`);
  t.ok(view.every((r) => r[1] === '127.0.0.1'), 'viewer: the ICE-selected addresses, not placeholders');
  const nacks = view.filter((r) => r[3].split(',').includes('205') && r[4].split(',').includes('1'));
  t.ok(nacks.length > 0, `viewer: Chromium's NACKs (${nacks.length})`);
  const resent = view.filter((r) => /^(RTX|retransmission) for NACK seq \d+$/.test(r[5])).length;
  t.equal(resent, viewers.rtxSent + viewers.retransmitted, `resend comments = camwire's rtxSent + retransmitted (${resent})`);
  t.ok(resent > 0, 'camwire resent packets');
  const camNacks = cam.filter((r) => r[5].startsWith('NACK sent to camera for seq')).length;
  t.equal(camNacks, source.nacksSent, `camera NACK comments = camwire's nacksSent (${camNacks})`);
  const repaired = cam.filter((r) => /^(recovered|dropped: late|dropped: duplicate)/.test(r[5])).length;
  t.comment(`camera decisions noted: ${repaired} (recovered/late/duplicate); packetsRecovered ${source.packetsRecovered}, reordered ${source.reordered}`);
  t.ok(cam.filter((r) => r[5] === 'recovered: arrived after a NACK').length <= source.packetsRecovered, 'no more repairs noted than counted');
  // The study's figures from the capture alone: what reached camwire of Chromium's own counts.
  const fig = captureFigures(files[0]);
  const end = fig[fig.length - 1];
  const b = rec.summary;
  t.comment(`figures at ${end.t} s: packetsLost ${end.packetsLost} (getStats ${b.packetsLost}), NACKs ${end.nackCount} (getStats ${b.nackCount}), PLIs ${end.pliCount} (getStats ${b.pliCount})`);
  t.ok(end.nackCount > 0 && end.nackCount <= b.nackCount, 'NACKs over time: those of Chromium\'s that crossed the lossy path');
  t.ok(end.nackCount >= nacks.length, 'every NACK packet the viewer sent camwire counted');
  // CAMWIRE_KEEP_CAPTURE=<file>: keep the capture (docs/capture.md shows one).
  if (process.env.CAMWIRE_KEEP_CAPTURE) copyFileSync(files[0], process.env.CAMWIRE_KEEP_CAPTURE);
});
