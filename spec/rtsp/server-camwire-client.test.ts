/**
 * camwire's own RTSP client against camwire's own server (real time, loopback): UDP and TCP,
 * Basic and Digest, and a PLI sent upstream by the client answered with a keyframe.
 */
import t from 'tap';
import { RtspClient } from '../../lib/rtsp/client/client.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import type { RtpPacket } from '../../lib/rtp/packet.js';
import { demoClip } from '../../test/support/demo-clip.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isKeyframeStart(p: RtpPacket): boolean {
  const type = p.payload[0] & 0x1f;
  if (type === 24) return (p.payload[3] & 0x1f) === 7; // STAP-A starting with SPS
  if (type === 28) return (p.payload[1] & 0x80) !== 0 && (p.payload[1] & 0x1f) === 5;
  return type === 5 || type === 7;
}

for (const [transport, auth] of [['udp', undefined], ['tcp', 'digest'], ['udp', 'basic']] as const) {
  t.test(`RtspClient plays the demo camera over ${transport}${auth ? ' with ' + auth : ''}; PLI -> keyframe`, async (t) => {
    const clip = await demoClip();
    if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
    const cam = await startDemoCamera({ port: 0, clip: clip.path!, auth: auth ? { users: { viewer: 'pa:ss' }, methods: [auth] } : undefined });
    t.teardown(() => cam.close());
    const url = auth ? cam.url.replace('rtsp://', 'rtsp://viewer:pa%3Ass@') : cam.url;
    const client = new RtspClient({ url, transport, reconnect: { enabled: false } });
    const packets: RtpPacket[] = [];
    client.on('rtp', (p: RtpPacket) => packets.push(p));
    client.on('error', () => {});
    const info = await client.start();
    t.teardown(() => client.stop());
    t.equal(info.transport, transport);
    t.equal(info.tracks[0].codec, 'H264');
    t.equal(info.server, 'camwire');
    await wait(1200);
    t.ok(packets.length > 20, `${packets.length} RTP packets`);
    t.ok(isKeyframeStart(packets[0]), 'the first packet starts a keyframe');
    const forcedBefore = cam.server.stats().streams['/demo'].keyframesForced;
    const mark = packets.length;
    t.ok(client.requestKeyframe(0), 'PLI sent');
    await wait(300);
    t.equal(cam.server.stats().plisReceived, 1, 'the server got the PLI');
    t.ok(packets.slice(mark).some(isKeyframeStart), 'a keyframe followed within 300 ms');
    t.equal(cam.server.stats().streams['/demo'].keyframesForced, forcedBefore + 1, 'forced by the PLI, not just the next one in the clip');
    await client.stop();
    await wait(50);
    t.equal(cam.server.stats().sessions, 0, 'TEARDOWN ended the session');
  });
}
