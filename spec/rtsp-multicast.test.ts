/**
 * Multicast interop: GStreamer's RTSP server in one network namespace, `camwire probe
 * --transport multicast` in another (same namespace gives EADDRINUSE, see TESTING.md).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../test/support/env.js';
import { missingGstRtspServer, startGstServer } from './support/gst-server.js';
import { createNetnsPair, missingNetns } from './support/netns.js';

const why = missingGstRtspServer() || missingNetns();
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('multicast: joins the group named in the SETUP reply and receives the stream', async (t) => {
    const ns = createNetnsPair('cwm');
    t.teardown(() => ns.destroy());
    const gst = await startGstServer({ netns: ns.a, address: ns.addrA, protocols: 'mcast' });
    t.teardown(() => gst.stop());
    const child = spawn('ip', ['netns', 'exec', ns.b, process.execPath, join(repoRoot, 'dist', 'spec', 'support', 'probe-child.js'),
      gst.url(), '--transport', 'multicast', '--seconds', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    t.equal(code, 0, `probe exit code (stderr: ${err.slice(-300)})`);
    const r = JSON.parse(out);
    t.equal(r.ok, true);
    t.equal(r.transport, 'multicast');
    t.ok(r.packets.received > 20, `${r.packets.received} multicast packets`);
    t.match(r.tracks, [{ codec: 'H264', width: 640, height: 360 }]);
  });
}
