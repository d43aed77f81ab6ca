/**
 * Graceful shutdown of the main job: camwire (a child process) pulls a camera (camwire's demo
 * camera in this process, RTP over UDP, so only a TEARDOWN ends the session before its
 * timeout) for a WHEP viewer; on SIGINT, and on SIGTERM after its drain (short here: the
 * drain itself is spec/deploy/dockerfile.test.ts's), it tears the RTSP session down, closes the
 * peer, and exits with 0.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../test/support/env.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { createNativeTransport } from '../../native-bindings/webrtc.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal}: TEARDOWN to the camera, viewer closed, exit code 0`, async (t) => {
    const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
    t.teardown(() => camera.close());
    const dir = mkdtempSync(join(tmpdir(), 'camwire-shutdown-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'camwire.json');
    writeFileSync(config, JSON.stringify({
      http: { host: '127.0.0.1', port: 0 },
      drainTimeoutMs: 500,
      webrtc: { bindAddress: '127.0.0.1' },
      streams: { hall: { url: camera.url, transport: 'udp', onDemand: false } },
    }));
    const child = spawn(process.execPath, [join(repoRoot, 'dist/lib/app/cli.js'), '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let address: string | undefined;
    for (let i = 0; i < 300 && !address; i++) {
      address = /open (http:\/\/\S+)\//.exec(out)?.[1];
      if (!address) await sleep(50);
    }
    t.ok(address, `camwire printed its address:\n${out}`);
    if (!address) return void child.kill('SIGKILL');

    // A viewer: the answer is all a WHEP client needs to see it was accepted.
    const r = await fetch(address + '/whep/hall', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
    t.equal(r.status, 201, 'a viewer joined');
    for (let i = 0; i < 100 && camera.server.stats().sessions === 0; i++) await sleep(50);
    t.equal(camera.server.stats().sessions, 1, 'camwire holds one RTSP session');

    child.kill(signal);
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    t.equal(code, 0, `exits with 0\n${out}`);
    t.match(out, /shutting down/);
    const s = camera.server.stats();
    t.equal(s.sessionsTornDown, 1, 'the session ended with a TEARDOWN');
    t.equal(s.sessionsTimedOut, 0, 'not by timing out');
    t.equal(s.sessions, 0, 'the camera holds no session');
  });
}

t.test('the native transport leaves no peer behind after cleanup', async (t) => {
  // What `close()` relies on at shutdown: cleanup() closes every peer it made.
  const transport = createNativeTransport({ bindAddress: '127.0.0.1' });
  const peer = await transport.createPeer(CHROMIUM_OFFER, {
    mid: '0', payloadType: 108, fmtp: 'profile-level-id=42e01f;packetization-mode=1', ssrc: 1, cname: 'c', streamId: 's', trackId: 't',
  }, { onRtcp: () => undefined, onState: () => undefined, onOpen: () => undefined });
  t.equal(transport.peerCount, 1);
  transport.cleanup();
  t.equal(transport.peerCount, 0, 'no peer left');
  t.equal(peer.state, 'closed');
});
