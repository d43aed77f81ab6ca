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
import fc from 'fast-check';
import { parameterSetsIn } from '../../lib/app/restream-facts.js';
import { serializeRtp } from '../../lib/rtp/packet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const USER = { user: 'edge', password: 'restream-secret' };

/** `inBandOnly`: a camera whose SDP carries no sprop-parameter-sets (SPS/PPS only before its IDRs). */
async function start(t: Test, inBandOnly = false): Promise<{ handle: GatewayHandle; source: ClipSource; url: (auth: string) => string }> {
  const clip = loadH264Clip(splitAnnexB(readFileSync(demoClipPath())));
  const meta = inBandOnly ? {} : { parameterSets: [clip.sps, clip.pps] };
  const source = new ClipSource(clip.frames.map((f) => ({ nalus: [...f.nalus], keyframe: f.keyframe })), 30, meta);
  const handle = await startGateway(
    { http: { host: '127.0.0.1', port: 0 }, streams: { demo: { url: 'rtsp://clip.invalid/demo' } }, rtspServer: { host: '127.0.0.1', port: 0, users: [USER] } },
    { transport: new FakeTransport(), sourceFactory: () => source },
  );
  t.teardown(() => handle.close());
  return { handle, source, url: (auth) => handle.rtspAddress!.replace('rtsp://', `rtsp://${auth}`) + '/demo' };
}

interface Received { seq: number; ts: number; at: number }

async function pull(url: string): Promise<{ client: RtspClient; packets: Received[]; rtpInfoSeq: number | undefined }> {
  const client = new RtspClient({ url, transport: 'tcp', reconnect: { enabled: false } });
  const packets: Received[] = [];
  client.on('rtp', (p) => packets.push({ seq: p.sequenceNumber, ts: p.timestamp, at: performance.now() }));
  client.on('error', () => {});
  const info = await client.start();
  return { client, packets, rtpInfoSeq: info.rtpInfo[0]?.seq };
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
  const api = (await (await fetch(`${handle.address}/api/streams`)).json()) as { restream?: { authFailures: number; streams: Record<string, unknown> } };
  t.ok((api.restream?.authFailures ?? 0) >= 1, '/api/streams shows the restream counters');
  t.equal(Object.keys(api.restream?.streams ?? {}).length, 1, 'and its per-stream counters');
});

t.test('a client joining mid-stream: RTP-Info never names a packet it will not get', async (t) => {
  const { url } = await start(t);
  const a = await pull(url(`${USER.user}:${USER.password}@`));
  await sleep(500);
  const b = await pull(url(`${USER.user}:${USER.password}@`));
  await sleep(1500); // the demo clip's GOP is 1 s: b has started by then
  await a.client.stop();
  await b.client.stop();
  t.ok(b.packets.length > 20, 'the joiner receives');
  t.equal(b.rtpInfoSeq ?? b.packets[0].seq, b.packets[0].seq, `RTP-Info seq (${b.rtpInfoSeq}) is the first packet or absent`);
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
  // Across the restart (the longest silence the reader saw), RTP time jumps by the camera's
  // 300 ms of silence as camwire's clock measured it: not by nothing (a spliced timeline would
  // play the new camera's frames too early), and not by more than the reader waited.
  let at = 1;
  for (let i = 2; i < p.length; i++) if (p[i].at - p[i - 1].at > p[at].at - p[at - 1].at) at = i;
  const jumpMs = tsDistance(p[at - 1].ts, p[at].ts) / 90;
  const waitedMs = p[at].at - p[at - 1].at;
  t.ok(jumpMs >= 240 && jumpMs <= waitedMs + 100, `RTP time carries the gap: +${jumpMs.toFixed(0)} ms, the reader waited ${waitedMs.toFixed(0)} ms`);
  t.equal(handle.gateway.stream('demo')!.stats().timelineRebases, 1, 'the restart re-based the timeline once');
});

t.test('a camera with SPS/PPS only in-band: DESCRIBE starts it and announces them from its first keyframe', async (t) => {
  const { source, url } = await start(t, true);
  const clip = loadH264Clip(splitAnnexB(readFileSync(demoClipPath())));
  const client = new RtspClient({ url: url(`${USER.user}:${USER.password}@`), transport: 'tcp', reconnect: { enabled: false } });
  client.on('error', () => {});
  const info = await client.start();
  await client.stop();
  const h264 = info.tracks[0].sdp.formats[0].h264;
  t.same(h264?.sps, clip.sps, 'the SDP carries the SPS');
  t.same(h264?.pps, clip.pps, 'and the PPS');
  t.equal(source.starts, 1, 'the DESCRIBE started the on-demand camera');
});

t.test('parameterSetsIn: STAP-A, H.265 AP and single NAL units; any bytes, no exception', (t) => {
  const rtp = (payload: Uint8Array) => serializeRtp({
    version: 2, padding: false, extension: false, marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1,
    csrc: [], headerExtension: undefined, payload, paddingLength: 0,
  });
  const sps = Uint8Array.of(0x67, 0x42, 0xc0, 0x1e, 0xda);
  const pps = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
  const stap = Uint8Array.of(0x18, 0, sps.length, ...sps, 0, pps.length, ...pps);
  t.same(parameterSetsIn({ packets: [rtp(stap)], firstSeq: 1 }), [sps, pps], 'from a STAP-A');
  t.same(parameterSetsIn({ packets: [rtp(sps), rtp(Uint8Array.of(0x65, 1, 2)), rtp(pps)], firstSeq: 1 }), [sps, pps], 'from single NAL units');
  t.same(parameterSetsIn({ packets: [rtp(Uint8Array.of(0x18, 0, 200, 0x67, 1))], firstSeq: 1 }), [], 'a size past the end: nothing');
  const vps = Uint8Array.of(0x40, 0x01, 0x0c, 0x01);
  const hsps = Uint8Array.of(0x42, 0x01, 0x01, 0x01);
  const hpps = Uint8Array.of(0x44, 0x01, 0xc1, 0x72);
  const ap = Uint8Array.of(0x60, 0x01, 0, vps.length, ...vps, 0, hsps.length, ...hsps, 0, hpps.length, ...hpps);
  t.same(parameterSetsIn({ packets: [rtp(ap)], firstSeq: 1 }, 'h265'), [vps, hsps, hpps], 'H.265: from an AP');
  t.same(parameterSetsIn({ packets: [rtp(vps), rtp(Uint8Array.of(0x26, 0x01, 9)), rtp(hsps), rtp(hpps)], firstSeq: 1 }, 'h265'), [vps, hsps, hpps], 'H.265: from single NAL units');
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }), fc.constantFrom('h264' as const, 'h265' as const), (packets, codec) => {
    parameterSetsIn({ packets, firstSeq: 0 }, codec);
  }));
  t.end();
});

t.test('streams added at run time are served at once; a removed one is gone (404) and its clients closed', async (t) => {
  const clip = loadH264Clip(splitAnnexB(readFileSync(demoClipPath())));
  const source = () => new ClipSource(clip.frames.map((f) => ({ nalus: [...f.nalus], keyframe: f.keyframe })), 30, { parameterSets: [clip.sps, clip.pps] });
  const handle = await startGateway(
    { http: { host: '127.0.0.1', port: 0 }, streams: {}, allowSources: ['rtsp://clip.invalid/*'], rtspServer: { host: '127.0.0.1', port: 0, users: [USER] } },
    { transport: new FakeTransport(), sourceFactory: () => source() },
  );
  t.teardown(() => handle.close());
  const at = (path: string) => handle.rtspAddress!.replace('rtsp://', `rtsp://${USER.user}:${USER.password}@`) + '/' + path;
  await handle.streams.add('late', { url: 'rtsp://clip.invalid/late' }, 'test');
  const a = await pull(at('late'));
  for (let i = 0; i < 50 && a.packets.length <= 10; i++) await sleep(100);
  t.ok(a.packets.length > 10, `the added stream is served (${a.packets.length} packets)`);
  await handle.streams.remove('late', 'test');
  for (let i = 0; i < 50 && a.client.state === 'playing'; i++) await sleep(100);
  t.not(a.client.state, 'playing', `the client's connection was closed (state ${a.client.state})`);
  const after = a.packets.length;
  await sleep(300);
  t.equal(a.packets.length, after, 'no packets after the removal');
  await a.client.stop().catch(() => {});
  const gone = new RtspClient({ url: at('late'), transport: 'tcp', reconnect: { enabled: false } });
  gone.on('error', () => {});
  await t.rejects(gone.start(), /404/, 'DESCRIBE of the removed stream: 404');
  t.notOk(handle.restream!.stats().streams['/late'], 'no longer in the restream counters');

  const adHoc = handle.gateway.streamForSource('rtsp://clip.invalid/adhoc');
  const b = await pull(at(adHoc.name));
  for (let i = 0; i < 50 && b.packets.length <= 5; i++) await sleep(100);
  await b.client.stop();
  t.ok(b.packets.length > 5, `an ad-hoc ?src= stream is served at /${adHoc.name} (${b.packets.length} packets)`);
});
