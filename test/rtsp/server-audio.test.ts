/**
 * A served path with sound (the demo camera's shape): DESCRIBE announces two tracks, each SETUP
 * gets its own transport in one session (TCP-interleaved and UDP), PLAY starts both, and the
 * audio packets carry the beeps (BeepAudio: 8000 samples a second, a beep on every second of
 * the clip's clock). Virtual time, a synthetic clip.
 */
import t from 'tap';
import fc from 'fast-check';
import { createSocket } from 'node:dgram';
import { RtspServer } from '../../lib/rtsp/server/server.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { BeepAudio } from '../../lib/rtsp/server/beep-audio.js';
import { bodyText } from '../../lib/rtsp/protocol/index.js';
import { parseRtpInfo, parseSession, parseTransport } from '../../lib/rtsp/protocol/headers/index.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { ULAW_TO_PCM } from '../../lib/audio/g711.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { RtspTestClient, ioTurn } from '../support/rtsp-test-client.js';
import { syntheticNalus } from '../support/h264-synthetic.js';

async function start(sound = true) {
  const clock = new VirtualScheduler();
  const server = new RtspServer({ port: 0, clock });
  server.addStream('/demo', new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 50, gop: 25 })), 25), sound ? new BeepAudio(25) : undefined);
  await server.listen();
  return { clock, server, url: server.url('/demo') };
}

async function play(clock: VirtualScheduler, ms: number, step = 40): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await ioTurn(1);
  }
  await ioTurn(20);
}

t.test('BeepAudio: 8000 samples a second cut per frame, a 100 ms beep on each second of the clip, the first higher', async (t) => {
  for (const fps of [25, 30, 29.97]) {
    const b = new BeepAudio(fps);
    const duration = Math.round(90000 / fps);
    let samples = 0;
    const frames = Math.round(fps) * 10;
    for (let i = 0; i < frames; i++) samples += b.frame(i % 50, duration).length;
    t.equal(samples, Math.floor((frames * duration * 8000) / 90000), `${fps} fps: ${samples} samples in ${frames} frames, no drift`);
  }
  const b = new BeepAudio(25);
  const loud = (data: Uint8Array) => data.reduce((m, c) => Math.max(m, Math.abs(ULAW_TO_PCM[c])), 0);
  const crossings = (data: Uint8Array) => data.reduce((n, c, i) => n + (i > 0 && ULAW_TO_PCM[data[i - 1]] < 0 && ULAW_TO_PCM[c] >= 0 ? 1 : 0), 0);
  const frames = Array.from({ length: 50 }, (_, i) => b.frame(i, 3600).slice());
  t.same(frames.map((f) => f.length), Array(50).fill(320), '40 ms frames at 25 fps');
  t.same(frames.map((f) => loud(f) > 8000), [true, true, true, ...Array(22).fill(false), true, true, true, ...Array(22).fill(false)], 'beeps in the first 100 ms of each second');
  t.ok(loud(frames[1]) > 15000 && loud(frames[1]) < 17000, `peak ${loud(frames[1])}: -6 dBFS`);
  t.equal(loud(frames[10]), 0, 'silence between');
  t.ok(Math.abs(crossings(frames[1]) - 60) <= 1, `1500 Hz on the loop's first second (${crossings(frames[1])} of 60 cycles in 40 ms)`);
  t.ok(Math.abs(crossings(frames[26]) - 40) <= 1, `1000 Hz on the others (${crossings(frames[26])} of 40)`);
  t.equal(new BeepAudio(25, { law: 'alaw' }).description.codec, 'pcma');
  t.throws(() => new BeepAudio(0.5), { code: 'RTSP_SERVER_BAD_OPTION' });
  t.throws(() => new BeepAudio(25, { beepMs: 0 }), { code: 'RTSP_SERVER_BAD_OPTION' });
});

t.test('BeepAudio property: whatever the frame rate and durations, the samples are the 8 kHz clock exactly (no drift), beeps only where due', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 240 }), fc.array(fc.integer({ min: 1, max: 90000 }), { minLength: 1, maxLength: 200 }), (fps, durations) => {
    const b = new BeepAudio(fps);
    let total = 0;
    let units = 0;
    for (let i = 0; i < durations.length; i++) {
      const d = Math.min(durations[i], Math.ceil(90000 / fps));
      units += d;
      const f = b.frame(i, d);
      total += f.length;
      if (i % fps >= Math.ceil(fps / 10) + 1 && f.some((c) => c !== 0xff)) return false;
    }
    return total === Math.floor((units * 8000) / 90000);
  }));
  t.pass('held');
});

t.test('two tracks over TCP: DESCRIBE, a SETUP each on its own channels, PLAY with both in RTP-Info, PCMU on channel 2', async (t) => {
  const { server, url, clock } = await start();
  t.teardown(() => server.close());
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const sdp = bodyText(await c.request('DESCRIBE', url));
  t.match(sdp, /m=video 0 RTP\/AVP 96[\s\S]*a=control:trackID=0[\s\S]*m=audio 0 RTP\/AVP 0\r\na=rtpmap:0 PCMU\/8000\r\na=control:trackID=1/);
  const v = await c.request('SETUP', url + '/trackID=0', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  const id = parseSession(v.headers.get('Session')!).id;
  t.equal((await c.request('SETUP', url + '/trackID=1', { Transport: 'RTP/AVP;multicast', Session: id })).status, 461, 'no multicast on this server');
  t.equal((await c.request('SETUP', url + '/trackID=2', { Transport: 'RTP/AVP/TCP;interleaved=4-5', Session: id })).status, 404);
  const a = await c.request('SETUP', url + '/trackID=1', { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: id });
  t.equal(a.status, 200);
  const at = parseTransport(a.headers.get('Transport')!);
  t.same(at.interleaved, [2, 3]);
  t.not(at.ssrc, parseTransport(v.headers.get('Transport')!).ssrc, 'its own SSRC');
  const p = await c.request('PLAY', url, { Session: id });
  t.same(parseRtpInfo(p.headers.get('RTP-Info')!).map((e) => e.url), [url + '/trackID=0', url + '/trackID=1']);
  await play(clock, 5200);
  const audio = c.frames.filter((f) => f.channel === 2).map((f) => parseRtp(f.data));
  t.ok(audio.length >= 125, `${audio.length} audio packets in 5 s (one per 40 ms frame)`);
  t.ok(audio.every((r) => r.payloadType === 0 && r.ssrc === at.ssrc && r.payload.length === 320), 'PCMU, 320 samples each');
  t.ok(audio.every((r, i) => i === 0 || (r.sequenceNumber === ((audio[i - 1].sequenceNumber + 1) & 0xffff) && (r.timestamp - audio[i - 1].timestamp) >>> 0 === 320)), 'consecutive, 8 kHz timestamps');
  const srs = c.frames.filter((f) => f.channel === 3 && f.data[1] === 200);
  t.ok(srs.length >= 1 && srs.every((f) => Buffer.from(f.data).readUInt32BE(4) === at.ssrc), 'audio sender reports on channel 3');
  t.ok(c.frames.some((f) => f.channel === 0), 'video on channel 0');
  t.ok(server.stats().streams['/demo'].audioPackets >= audio.length);
  t.equal((await c.request('TEARDOWN', url, { Session: id })).status, 200);
  const n = c.frames.length;
  await play(clock, 400);
  t.equal(c.frames.length, n, 'nothing after TEARDOWN');
  t.equal(server.stats().streams['/demo'].viewers, 0);
});

t.test('audio alone over UDP keeps the source running; a path without sound has no trackID=1', async (t) => {
  const { server, url, clock } = await start();
  t.teardown(() => server.close());
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  t.teardown(() => sock.close());
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  const port = sock.address().port;
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const a = await c.request('SETUP', url + '/trackID=1', { Transport: `RTP/AVP;unicast;client_port=${port}-${port + 1}` });
  t.equal(a.status, 200);
  const id = parseSession(a.headers.get('Session')!).id;
  t.equal((await c.request('PLAY', url, { Session: id })).status, 200);
  await play(clock, 1000);
  t.ok(got.length >= 20 && got.every((m) => parseRtp(m).payloadType === 0), `${got.length} PCMU packets`);
  t.same(server.sessionStats()[0].tracks, ['audio']);

  const plain = await start(false);
  t.teardown(() => plain.server.close());
  const c2 = await RtspTestClient.connect(plain.server.port);
  t.teardown(() => c2.close());
  t.notMatch(bodyText(await c2.request('DESCRIBE', plain.url)), /m=audio/);
  t.equal((await c2.request('SETUP', plain.url + '/trackID=1', { Transport: 'RTP/AVP/TCP;interleaved=2-3' })).status, 404);
});
