/**
 * When a browser's loss recovery gives up it sends PLI; issue 7 wants a keyframe within a
 * second. The whole path is real except the browser: camwire's demo camera looping a clip whose
 * own GOP is 10 s (so a natural IDR cannot pass for an answer), RTSP over UDP, the gateway's
 * keyframe policy, the camera-leg RTCP PLI, the camera's forced IDR, and the egress to a
 * viewer. Counted in frames, not milliseconds: the keyframe must be among the next 30 frames
 * (one second at the clip's 30 fps).
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../lib/app/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { annexB, describeFirstPacket } from '../../test/support/h264-synthetic.js';
import { makeClip } from '../../test/support/clip.js';
import { FakeTransport } from '../../test/support/fake-transport.js';
import { missingTool } from '../../test/support/env.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';

const FPS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('PLI after recovery gives up: a keyframe reaches the viewer within 30 frames (1 s) although the GOP is 10 s', async (t) => {
  const why = missingTool('ffmpeg', '-version');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = makeClip({ width: 320, height: 180, fps: FPS, seconds: 10, gop: 300 });
  const dir = mkdtempSync(join(tmpdir(), 'camwire-giveup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gop300.h264');
  writeFileSync(file, annexB(clip.units.flatMap((u) => u.nalus)));

  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0, clip: file, frameRate: FPS });
  t.teardown(() => camera.close());
  const transport = new FakeTransport();
  const gw = await startGateway({ http: { host: '127.0.0.1', port: 0 }, streams: { cam: { url: camera.url, transport: 'udp', onDemand: false } } }, { transport });
  t.teardown(() => gw.close());
  const stream = gw.gateway.stream('cam')!;
  await stream.addViewer(CHROMIUM_OFFER);
  const peer = transport.peers[0];

  /** Per frame the viewer got: was it a keyframe. */
  const frames = (): boolean[] => {
    const out: boolean[] = [];
    let startOfFrame = true;
    for (const p of peer.rtp) {
      if (startOfFrame) out.push(describeFirstPacket(p).keyframe);
      startOfFrame = (p[1] & 0x80) !== 0;
    }
    return out;
  };
  const waitFrames = async (n: number): Promise<boolean> => {
    for (let i = 0; i < 200 && frames().length < n; i++) await sleep(50);
    return frames().length >= n;
  };
  t.ok(await waitFrames(10), 'the viewer plays');
  const pli = new Uint8Array([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0]);
  for (let round = 1; round <= 3; round++) {
    // Well past the keyframe policy's one-request-per-second limit: 45 frames.
    t.ok(await waitFrames(frames().length + 45), `round ${round}: frames keep coming`);
    const at = frames().length;
    peer.handlers.onRtcp(pli);
    t.ok(await waitFrames(at + FPS), `round ${round}: 30 more frames arrived`);
    const after = frames().slice(at, at + FPS);
    const k = after.indexOf(true);
    t.comment(`round ${round}: keyframe ${k + 1} frames after the PLI`);
    t.ok(k >= 0, `round ${round}: a keyframe within ${FPS} frames of the PLI`);
  }
  const s = stream.stats();
  t.ok(s.keyframeRequestsForwarded >= 3, `keyframe requests went to the camera (${s.keyframeRequestsForwarded})`);
  t.ok(s.keyframes >= 4, `keyframes from the camera (${s.keyframes}) in a clip whose own GOP gives one per 10 s`);
});
