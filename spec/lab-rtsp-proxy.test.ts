/**
 * The lab's camera-leg impairment with real peers: ffmpeg pulls camwire's demo camera over
 * UDP through the RTSP proxy, so RTP and RTCP cross the ImpairedPipes. On a clean link every
 * frame the camera sent arrives; with 20% loss ffmpeg sees the gaps.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../test/support/env.js';
import { runTool } from '../test/support/spawn-tool.js';
import { startCamera } from '../tools/lab/cameras.js';
import { RtspImpairProxy } from '../tools/lab/rtsp-proxy.js';
import type { LinkProfile } from '../lib/netsim/link.js';

async function pull(profile: LinkProfile, cacheDir: string) {
  const camera = await startCamera('demo', cacheDir);
  const proxy = await RtspImpairProxy.start({
    camera: { host: camera.host, port: camera.port },
    impairment: { leg: 'camera', forward: profile, back: {}, minSize: 0 },
    seed: 3,
  });
  try {
    const r = await runTool('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'udp', '-i', proxy.url(camera.path),
      '-t', '3', '-map', '0:v', '-c', 'copy', '-f', 'null', '-',
    ], 30000);
    return { r, stats: proxy.stats(), frames: proxy.cameraFrames() };
  } finally {
    await proxy.close();
    await camera.close();
  }
}

t.test('RTSP proxy: camera RTP and RTCP cross the impaired pipes (ffmpeg over UDP)', async (t) => {
  const why = missingTool('ffmpeg');
  if (why) {
    t.comment('skip: ' + why);
    return;
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'camwire-lab-proxy-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));

  const clean = await pull({}, cacheDir);
  t.equal(clean.r.code, 0, `ffmpeg played through the proxy: ${clean.r.stderr.slice(0, 300)}`);
  t.equal(clean.stats.length, 1, 'one SETUP, one pipe pair');
  const rtp = clean.stats[0].rtp;
  t.ok(clean.frames >= 60, `camera frames crossed the pipe (${clean.frames})`);
  t.equal(rtp.media.in, rtp.media.out, 'clean: every datagram forwarded');
  t.ok(clean.stats[0].rtcp.reverse.in > 0 || clean.stats[0].rtcp.media.in > 0, 'RTCP crossed too');

  const lossy = await pull({ loss: 0.2 }, cacheDir);
  const l = lossy.stats[0].rtp;
  t.ok(l.media.in - l.media.out > l.media.in * 0.1, `20% loss dropped camera packets (${l.media.in - l.media.out} of ${l.media.in})`);
});
