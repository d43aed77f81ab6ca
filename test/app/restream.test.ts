/**
 * The restream in process (startGateway with rtspServer, a fake WebRTC transport, the demo
 * clip as the camera): served only to a configured user, one source session whatever the
 * number of RTSP clients, PLIs from RTSP clients reach the camera merged (at most one a
 * second), and a camera restart is invisible to an RTSP client (an edge): sequence numbers
 * run on without a gap and timestamps keep rising.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import { RtspClient } from '../../lib/rtsp/index.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { demoClipPath } from '../../lib/rtsp/server/demo-camera.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { seqDistance, tsDistance } from '../../lib/rtp/seq.js';
import { ClipSource } from '../support/clip-source.js';
import { FakeTransport } from '../support/fake-transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const USER = { user: 'edge', password: 'restream-secret' };

async function start(t: Test): Promise<{ handle: GatewayHandle; source: ClipSource; url: (auth: string) => string }> {
  const clip = loadH264Clip(splitAnnexB(readFileSync(demoClipPath())));
  const source = new ClipSource(clip.frames.map((f) => ({ nalus: [...f.nalus], keyframe: f.keyframe })), 30, { parameterSets: [clip.sps, clip.pps] });
  const handle = await startGateway(
    { http: { host: '127.0.0.1', port: 0 }, streams: { demo: { url: 'rtsp://clip.invalid/demo' } }, rtspServer: { host: '127.0.0.1', port: 0, users: [USER] } },
    { transport: new FakeTransport(), sourceFactory: () => source },
  );
  t.teardown(() => handle.close());
  return { handle, source, url: (auth) => handle.rtspAddress!.replace('rtsp://', `rtsp://${auth}`) + '/demo' };
}

interface Received { seq: number; ts: number; at: number }

async function pull(url: string): Promise<{ client: RtspClient; packets: Received[] }> {
  const client = new RtspClient({ url, transport: 'tcp', reconnect: { enabled: false } });
  const packets: Received[] = [];
  client.on('rtp', (p) => packets.push({ seq: p.sequenceNumber, ts: p.timestamp, at: performance.now() }));
  client.on('error', () => {});
  await client.start();
  return { client, packets };
}

t.test('no rtspServer: no restream', async (t) => {
  const handle = await startGateway({ http: { host: '127.0.0.1', port: 0 }, streams: {} }, { transport: new FakeTransport() });
  t.teardown(() => handle.close());
  t.equal(handle.rtspAddress, undefined);
  t.equal(handle.restream, undefined);
});

t.test('a configured user gets the stream; a wrong password does not', async (t) => {
  const { handle, source, url } = await start(t);
  const wrong = new RtspClient({ url: url(`${USER.user}:not-the-password@`), transport: 'tcp', reconnect: { enabled: false } });
  wrong.on('error', () => {});
  await t.rejects(wrong.start(), 'refused');
  await wrong.stop().catch(() => {});
  t.ok(handle.restream!.stats().authFailures >= 1, 'counted as an auth failure');
  const a = await pull(url(`${USER.user}:${USER.password}@`));
  const b = await pull(url(`${USER.user}:${USER.password}@`));
  await sleep(800);
  await a.client.stop();
  await b.client.stop();
  t.ok(a.packets.length > 20 && b.packets.length > 20, `both clients receive (${a.packets.length}, ${b.packets.length})`);
  t.equal(source.starts, 1, 'one source session for two RTSP clients');
});

t.test('PLIs from RTSP clients reach the camera merged, at most one a second', async (t) => {
  const { source, url, handle } = await start(t);
  const a = await pull(url(`${USER.user}:${USER.password}@`));
  await sleep(1200); // past the start's own keyframe request
  const before = source.keyframeRequests;
  for (let i = 0; i < 10; i++) {
    a.client.requestKeyframe(0);
    await sleep(100);
  }
  await sleep(200);
  const forwarded = source.keyframeRequests - before;
  await a.client.stop();
  t.ok(handle.restream!.stats().plisReceived >= 10, 'every PLI arrived at the RTSP server');
  t.ok(forwarded >= 1 && forwarded <= 2, `10 PLIs in 1.2 s: ${forwarded} keyframe request(s) to the camera`);
});

t.test('a camera restart is invisible downstream: sequence numbers without a gap, timestamps rising', async (t) => {
  const { source, url, handle } = await start(t);
  const a = await pull(url(`${USER.user}:${USER.password}@`));
  await sleep(1000);
  const atRestart = a.packets.length;
  source.restart(300);
  await sleep(1500);
  await a.client.stop();
  const p = a.packets;
  t.ok(p.length > atRestart + 20, `packets before (${atRestart}) and after (${p.length - atRestart}) the restart`);
  let gaps = 0;
  let backwards = 0;
  for (let i = 1; i < p.length; i++) {
    if (seqDistance(p[i - 1].seq, p[i].seq) !== 1) gaps++;
    if (tsDistance(p[i - 1].ts, p[i].ts) < 0) backwards++;
  }
  t.equal(gaps, 0, 'sequence numbers continue across the restart');
  t.equal(backwards, 0, 'timestamps never go back');
  const last = p.length - 1;
  const rtpMs = tsDistance(p[0].ts, p[last].ts) / 90;
  const wallMs = p[last].at - p[0].at;
  t.ok(Math.abs(rtpMs - wallMs) < 250, `RTP time follows wall time across the gap (${rtpMs.toFixed(0)} vs ${wallMs.toFixed(0)} ms)`);
  t.equal(handle.gateway.stream('demo')!.stats().timelineRebases, 1, 'the restart re-based the timeline once');
});
