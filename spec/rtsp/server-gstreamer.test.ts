/** GStreamer's rtspsrc plays camwire's demo camera over UDP and TCP, and with Digest auth. */
import t from 'tap';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { demoClip } from '../../test/support/demo-clip.js';

const BUFFERS = 50;

function gst(url: string, protocols: string, extra: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return runTool('gst-launch-1.0', [
    '-q', 'rtspsrc', `location=${url}`, `protocols=${protocols}`, ...extra, '!',
    'rtph264depay', '!', 'h264parse', '!', 'fakesink', `num-buffers=${BUFFERS}`,
  ], 60000);
}

t.test('rtspsrc over UDP and TCP, then with Digest credentials', async (t) => {
  const why = missingTool('gst-launch-1.0', '--version');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const cam = await startDemoCamera({ port: 0, clip: clip.path! });
  t.teardown(() => cam.close());
  for (const protocols of ['udp', 'tcp']) {
    const before = cam.server.stats().streams['/demo'].packets;
    const r = await gst(cam.url, protocols);
    t.equal(r.code, 0, `${protocols}: gst-launch reached EOS after ${BUFFERS} buffers (${r.stderr.slice(0, 200)})`);
    t.ok(cam.server.stats().streams['/demo'].packets > before, `${protocols}: packets were served`);
  }

  const secured = await startDemoCamera({ port: 0, clip: clip.path!, auth: { users: { viewer: 's3cret' }, methods: ['digest'] } });
  t.teardown(() => secured.close());
  const ok = await gst(secured.url, 'tcp', ['user-id=viewer', 'user-pw=s3cret']);
  t.equal(ok.code, 0, 'Digest with the right password plays');
  const bad = await gst(secured.url, 'tcp', ['user-id=viewer', 'user-pw=wrong']);
  t.not(bad.code, 0, 'Digest with a wrong password fails');
  t.ok(secured.server.stats().authFailures >= 1);
});
