/**
 * PLI -> keyframe, observed on the wire with a small raw-socket client: plain UDP sockets for
 * RTP/RTCP and a hand-made RTCP PLI (RFC 4585 6.3.1). Real time; no timing is asserted, only
 * that the next frame or the one after is an IDR although the clip's GOP is much longer.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { parseSession, parseTransport } from '../../lib/rtsp/protocol/headers/index.js';
import { demoClip } from '../../test/support/demo-clip.js';
import { RtspTestClient } from '../../test/support/rtsp-test-client.js';
import { describeFirstPacket } from '../../test/support/h264-synthetic.js';

t.test('an RTCP PLI sent to the server RTCP port makes the next frame a keyframe', async (t) => {
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const keyframes = loadH264Clip(splitAnnexB(readFileSync(clip.path!))).keyframes;
  const minGop = Math.min(...keyframes.slice(1).map((k, i) => k - keyframes[i]));
  if (!(minGop >= 8)) { t.comment(`skip: clip GOP ${minGop} too short to tell a forced IDR from a natural one`); return; }

  const cam = await startDemoCamera({ port: 0, clip: clip.path! });
  t.teardown(() => cam.close());
  const rtp = createSocket('udp4');
  const rtcp = createSocket('udp4');
  await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => rtcp.bind(0, '127.0.0.1', r));
  t.teardown(() => { rtp.close(); rtcp.close(); });

  const frames: boolean[] = []; // keyframe flag per frame, in arrival order
  let previousMarker = true;
  let onFrame: () => void = () => {};
  rtp.on('message', (m) => {
    if (previousMarker) {
      frames.push(describeFirstPacket(m).keyframe);
      onFrame();
    }
    previousMarker = (m[1] & 0x80) !== 0;
  });
  const until = (cond: () => boolean): Promise<void> => new Promise((resolve) => {
    onFrame = () => { if (cond()) { onFrame = () => {}; resolve(); } };
  });

  const c = await RtspTestClient.connect(cam.server.port);
  t.teardown(() => c.close());
  const s = await c.request('SETUP', cam.url + '/trackID=0', { Transport: `RTP/AVP;unicast;client_port=${rtp.address().port}-${rtcp.address().port}` });
  t.equal(s.status, 200);
  const serverRtcp = parseTransport(s.headers.get('Transport')!).serverPort![1];
  const ssrc = parseTransport(s.headers.get('Transport')!).ssrc ?? 0;
  await c.request('PLAY', cam.url, { Session: parseSession(s.headers.get('Session')!).id });

  // wait for the clip's own second keyframe, then two frames into its GOP
  const keyCount = () => frames.filter(Boolean).length;
  await until(() => keyCount() >= 2 && frames.length - frames.lastIndexOf(true) === 3);
  const sentAt = frames.length;
  const pli = Buffer.alloc(12);
  pli[0] = 0x81;
  pli[1] = 206;
  pli.writeUInt16BE(2, 2);
  pli.writeUInt32BE(0x12345678, 4);
  pli.writeUInt32BE(ssrc, 8);
  rtcp.send(pli, serverRtcp, '127.0.0.1');
  await until(() => frames.length >= sentAt + 4);
  const after = frames.slice(sentAt, sentAt + 2);
  t.ok(after.includes(true), `a keyframe within two frames of the PLI (got ${JSON.stringify(after)}; the clip's GOP is ${minGop})`);
  t.equal(cam.server.stats().plisReceived, 1);
  t.ok(cam.server.stats().streams['/demo'].keyframesForced >= 2, 'forced for the new viewer, then for the PLI');
});
