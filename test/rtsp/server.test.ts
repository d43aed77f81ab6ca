/**
 * camwire's RTSP server end to end in-process: a small client on 127.0.0.1, the server's
 * pacing and timeouts on virtual time (so nothing here depends on how fast the machine is).
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { RtspServer, type RtspServerOptions } from '../../lib/rtsp/server/server.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { bodyText } from '../../lib/rtsp/protocol/index.js';
import { parseRtpInfo, parseSession, parseTransport } from '../../lib/rtsp/protocol/headers/index.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { RtspTestClient, ioTurn } from '../support/rtsp-test-client.js';
import { describeFirstPacket, syntheticNalus, type SyntheticClipOptions } from '../support/h264-synthetic.js';

async function start(opts: RtspServerOptions = {}, clip: SyntheticClipOptions = { frames: 50, gop: 25 }) {
  const clock = new VirtualScheduler();
  const server = new RtspServer({ port: 0, clock: clock, ...opts });
  server.addStream('/demo', new LoopingClipSource(loadH264Clip(syntheticNalus(clip)), 25));
  await server.listen();
  return { clock, server, url: server.url('/demo') };
}

/** Advances virtual time in frame-sized steps, letting socket I/O run in between. */
async function play(clock: VirtualScheduler, ms: number, step = 40): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await ioTurn(1);
  }
  await ioTurn(20);
}

function pli(ssrc: number): Uint8Array {
  const b = Buffer.alloc(12);
  b[0] = 0x81;
  b[1] = 206;
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(1, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

t.test('OPTIONS, DESCRIBE and errors for bad requests', async (t) => {
  const { server, url } = await start();
  t.teardown(() => server.close());
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const opt = await c.request('OPTIONS', url);
  t.equal(opt.status, 200);
  t.equal(opt.headers.get('CSeq'), '1');
  t.match(opt.headers.get('Public'), /GET_PARAMETER/);
  const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' });
  t.equal(d.status, 200);
  t.equal(d.headers.get('Content-Type'), 'application/sdp');
  t.equal(d.headers.get('Content-Base'), url + '/');
  const sdp = bodyText(d);
  t.match(sdp, /a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=/);
  t.match(sdp, /a=control:trackID=0/);
  t.equal((await c.request('DESCRIBE', url.replace('/demo', '/nope'))).status, 404);
  t.equal((await c.request('ANNOUNCE', url)).status, 501);
  t.equal((await c.request('SET', url)).status, 501, 'a prefix of a supported method is not one');
  t.equal((await c.request('PLAY', url)).status, 455, 'PLAY before SETUP');
  t.equal((await c.request('PLAY', url, { Session: 'deadbeef' })).status, 454, 'unknown session');
  t.equal((await c.request('SETUP', url + '/trackID=0', { Transport: 'RTP/AVP;unicast' })).status, 461, 'UDP without client_port');
  t.equal((await c.request('SETUP', url + '/trackID=0', { Transport: 'RTP/SAVP;unicast;client_port=5000-5001' })).status, 461, 'SRTP profile');
  t.equal((await c.request('SETUP', url + '/trackID=7', { Transport: 'RTP/AVP/TCP;interleaved=0-1' })).status, 404, 'unknown track');
});

t.test('TCP interleaved: SETUP, PLAY with RTP-Info, keyframe first, PLI answered, PAUSE, TEARDOWN', async (t) => {
  const { server, url, clock } = await start();
  t.teardown(() => server.close());
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const s = await c.request('SETUP', url + '/trackID=0', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  t.equal(s.status, 200);
  const tr = parseTransport(s.headers.get('Transport')!);
  t.same(tr.interleaved, [0, 1]);
  t.equal(tr.lowerTransport, 'TCP');
  const session = parseSession(s.headers.get('Session')!);
  t.equal(session.timeout, 60);
  const p = await c.request('PLAY', url + '/', { Session: session.id });
  t.equal(p.status, 200);
  const [info] = parseRtpInfo(p.headers.get('RTP-Info')!);
  t.equal(info.url, url + '/trackID=0');
  await play(clock, 1200); // past the 1 s keyframe request interval of the start's request
  const rtp = c.frames.filter((f) => f.channel === 0).map((f) => f.data);
  t.ok(rtp.length > 10);
  const first = parseRtp(rtp[0]);
  t.equal(first.sequenceNumber, info.seq, 'RTP-Info seq is the first packet');
  t.equal(first.timestamp, info.rtptime, 'RTP-Info rtptime is the first frame');
  t.equal(first.ssrc, tr.ssrc);
  t.ok(describeFirstPacket(rtp[0]).keyframe, 'starts with SPS/PPS + IDR');
  t.ok(c.frames.some((f) => f.channel === 1 && f.data[1] === 200), 'a sender report on the RTCP channel');

  // PLI over the interleaved RTCP channel: the next frame is an IDR (mid-GOP, 1200 ms in)
  const before = c.frames.length;
  c.socket.write(Buffer.concat([Buffer.from([0x24, 1, 0, 12]), pli(first.ssrc)]));
  await ioTurn(20);
  await play(clock, 40);
  const next = c.frames.slice(before).find((f) => f.channel === 0)!;
  t.ok(describeFirstPacket(next.data).keyframe, 'PLI -> the next frame is a keyframe');
  t.equal(server.stats().plisReceived, 1);

  t.equal((await c.request('PAUSE', url, { Session: session.id })).status, 200);
  const paused = c.frames.length;
  await play(clock, 400);
  t.equal(c.frames.length, paused, 'nothing after PAUSE');
  t.equal((await c.request('GET_PARAMETER', url, { Session: session.id })).status, 200);
  t.equal((await c.request('TEARDOWN', url, { Session: session.id })).status, 200);
  t.equal(server.stats().sessions, 0);
});

t.test('UDP unicast: server ports in the reply, RTP to client_port, RTCP PLI and RR keep-alive, session timeout', async (t) => {
  const { server, url, clock } = await start({ sessionTimeoutMs: 5000 });
  t.teardown(() => server.close());
  const rtpSock = createSocket('udp4');
  const rtcpSock = createSocket('udp4');
  await new Promise<void>((r) => rtpSock.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => rtcpSock.bind(0, '127.0.0.1', r));
  t.teardown(() => { rtpSock.close(); rtcpSock.close(); });
  const got: Buffer[] = [];
  const rtcpGot: Buffer[] = [];
  rtpSock.on('message', (m) => got.push(m));
  rtcpSock.on('message', (m) => rtcpGot.push(m));
  const cp = `${rtpSock.address().port}-${rtcpSock.address().port}`;
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const s = await c.request('SETUP', url + '/trackID=0', { Transport: `RTP/AVP;unicast;client_port=${cp}` });
  t.equal(s.status, 200);
  const tr = parseTransport(s.headers.get('Transport')!);
  t.equal(tr.serverPort![0] % 2, 0, 'even server RTP port');
  t.equal(tr.serverPort![1], tr.serverPort![0] + 1);
  const id = parseSession(s.headers.get('Session')!).id;
  t.equal((await c.request('PLAY', url, { Session: id })).status, 200);
  await play(clock, 1200); // past the 1 s keyframe request interval of the start's request
  t.ok(got.length > 10, `${got.length} RTP packets`);
  t.ok(describeFirstPacket(got[0]).keyframe);
  t.ok(rtcpGot.some((m) => m[1] === 200), 'SR to the client RTCP port');

  const send = (b: Uint8Array) => new Promise<void>((r) => rtcpSock.send(b, tr.serverPort![1], '127.0.0.1', () => r()));
  const n = got.length;
  await send(pli(parseRtp(got[0]).ssrc));
  await ioTurn(30);
  await play(clock, 40);
  t.ok(describeFirstPacket(got[n]).keyframe, 'PLI from the client RTCP port -> keyframe next');

  // RTCP (here the PLI) keeps the session alive; silence ends it
  for (let i = 0; i < 4; i++) {
    await send(pli(0));
    await play(clock, 2000, 200);
  }
  t.equal(server.stats().sessions, 1, 'alive: RTCP every 2 s with a 5 s timeout');
  await play(clock, 7000, 200);
  t.equal(server.stats().sessions, 0, 'timed out');
  t.equal(server.stats().sessionsTimedOut, 1);
  const after = got.length;
  await play(clock, 400);
  t.equal(got.length, after, 'no packets to a timed-out session');
  t.equal((await c.request('GET_PARAMETER', url, { Session: id })).status, 454);
});

t.test('one shared stream: two viewers, one SSRC; a viewer joining mid-GOP gets a keyframe first', async (t) => {
  const { server, url, clock } = await start();
  t.teardown(() => server.close());
  const clients = [await RtspTestClient.connect(server.port), await RtspTestClient.connect(server.port)];
  t.teardown(() => clients.forEach((c) => c.close()));
  for (const c of clients) {
    const s = await c.request('SETUP', url + '/trackID=0', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    await c.request('PLAY', url, { Session: parseSession(s.headers.get('Session')!).id });
    await play(clock, 1000); // the joiner's keyframe may wait out minKeyframeIntervalMs (1 s)
  }
  const firsts = clients.map((c) => c.frames.find((f) => f.channel === 0)!.data);
  t.equal(parseRtp(firsts[0]).ssrc, parseRtp(firsts[1]).ssrc);
  t.ok(describeFirstPacket(firsts[1]).keyframe, 'the late joiner starts on a keyframe');
  t.equal(server.stats().streams['/demo'].viewers, 2);
  clients[0].close();
  await ioTurn(30);
  t.equal(server.stats().sessions, 1, 'closing a connection ends its sessions');
});

t.test('authentication: 401 with Digest and Basic challenges; right and wrong credentials', async (t) => {
  const { server, url } = await start({ auth: { users: { u: 'p' }, methods: ['digest', 'basic'] } });
  t.teardown(() => server.close());
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  t.equal((await c.request('OPTIONS', url)).status, 200, 'OPTIONS stays open');
  const r = await c.request('DESCRIBE', url);
  t.equal(r.status, 401);
  const challenges = r.headers.getAll('WWW-Authenticate');
  t.match(challenges[0], /^Digest realm="camwire", nonce="[0-9a-f]{32}"/);
  t.match(challenges[1], /^Basic/);
  const basic = (s: string) => 'Basic ' + Buffer.from(s).toString('base64');
  t.equal((await c.request('DESCRIBE', url, { Authorization: basic('u:p') })).status, 200);
  t.equal((await c.request('DESCRIBE', url, { Authorization: basic('u:x') })).status, 401);
  t.equal(server.stats().authFailures, 1);
});

t.test('a slow TCP viewer: queue bounded, frames skipped to a keyframe, dropped when stuck too long', async (t) => {
  const { server, url, clock } = await start({ maxQueueBytes: 64 * 1024, stallTimeoutMs: 3000 }, { frames: 50, gop: 10, idrBytes: 100000, sliceBytes: 50000 });
  t.teardown(() => server.close());
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const s = await c.request('SETUP', url + '/trackID=0', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  const id = parseSession(s.headers.get('Session')!).id;
  await c.request('PLAY', url, { Session: id });
  c.socket.pause(); // stop reading: the kernel buffers fill, then node's queue
  let overflowed = false;
  // loopback kernel buffers hold several MB before node's own queue starts to grow
  for (let i = 0; i < 2000 && !overflowed; i++) {
    clock.advance(40);
    await ioTurn(1);
    const v = server.sessionStats()[0].viewer as { overflows: number };
    overflowed = v.overflows > 0;
  }
  t.ok(overflowed, 'the queue hit its bound');
  const v1 = server.sessionStats()[0].viewer as { overflows: number; packetsDropped: number };
  t.ok(v1.packetsDropped > 0, 'frames were skipped rather than queued');
  // drain, and the viewer resumes on a keyframe
  c.socket.resume();
  await ioTurn(200);
  const seen = c.frames.length;
  await play(clock, 800);
  const resumed = c.frames.slice(seen).filter((f) => f.channel === 0);
  t.ok(resumed.length > 0, 'resumed after draining');
  const pkts = c.frames.filter((f) => f.channel === 0).map((f) => parseRtp(f.data));
  let gapAt = -1;
  for (let i = 1; i < pkts.length; i++) if (((pkts[i].sequenceNumber - pkts[i - 1].sequenceNumber) & 0xffff) !== 1) { gapAt = i; break; }
  t.ok(gapAt > 0, 'a gap where frames were skipped');
  t.ok(describeFirstPacket(c.frames.filter((f) => f.channel === 0)[gapAt].data).keyframe, 'and the first packet after the gap starts a keyframe');
  // now stay stuck past stallTimeoutMs: the server hangs up
  c.socket.pause();
  for (let i = 0; i < 2000 && server.stats().slowViewersDropped === 0; i++) {
    clock.advance(40);
    await ioTurn(1);
  }
  t.equal(server.stats().slowViewersDropped, 1);
  await ioTurn(50);
  t.equal(server.stats().sessions, 0);
});

t.test('garbage on the connection gets a 400 and a hang-up; the server keeps serving', async (t) => {
  const { server, url } = await start();
  t.teardown(() => server.close());
  const c = await RtspTestClient.connect(server.port);
  c.socket.write('\x16\x03\x01 this is not RTSP\r\n\r\n');
  await ioTurn(100);
  t.ok(c.closed || c.socket.readableEnded, 'connection closed');
  t.equal(server.stats().badRequests, 1);
  const c2 = await RtspTestClient.connect(server.port);
  t.teardown(() => c2.close());
  t.equal((await c2.request('OPTIONS', url)).status, 200);
});

t.test('a client flooding pipelined requests is cut off at maxPendingRequests; a few pipelined ones are fine', async (t) => {
  const { server, url } = await start({ maxPendingRequests: 8 });
  t.teardown(() => server.close());
  const few = await RtspTestClient.connect(server.port);
  t.teardown(() => few.close());
  let replies = 0;
  few.socket.on('data', (d: Buffer) => { replies += (d.toString().match(/RTSP\/1\.0 200/g) ?? []).length; });
  few.socket.write(Array.from({ length: 4 }, (_, i) => `OPTIONS ${url} RTSP/1.0\r\nCSeq: ${i + 1}\r\n\r\n`).join(''));
  await ioTurn(100);
  t.equal(replies, 4, 'four pipelined requests, four replies in order');
  const flood = await RtspTestClient.connect(server.port);
  flood.socket.write(Array.from({ length: 40 }, (_, i) => `OPTIONS ${url} RTSP/1.0\r\nCSeq: ${i + 1}\r\n\r\n`).join(''));
  await ioTurn(100);
  t.ok(flood.closed, 'the flooding connection is closed');
  t.ok(server.stats().badRequests >= 1);
});

t.test('a server on :: (dual stack) streams UDP to an IPv4 client', async (t) => {
  const { server, clock } = await start({ host: '::' });
  t.teardown(() => server.close());
  const rtpSock = createSocket('udp4');
  const rtcpSock = createSocket('udp4');
  await new Promise<void>((r) => rtpSock.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => rtcpSock.bind(0, '127.0.0.1', r));
  t.teardown(() => { rtpSock.close(); rtcpSock.close(); });
  let got = 0;
  rtpSock.on('message', () => got++);
  const c = await RtspTestClient.connect(server.port, '127.0.0.1');
  t.teardown(() => c.close());
  const url = `rtsp://127.0.0.1:${server.port}/demo`;
  const s = await c.request('SETUP', url + '/trackID=0', { Transport: `RTP/AVP;unicast;client_port=${rtpSock.address().port}-${rtcpSock.address().port}` });
  t.equal(s.status, 200);
  t.equal((await c.request('PLAY', url, { Session: parseSession(s.headers.get('Session')!).id })).status, 200);
  await play(clock, 200);
  t.ok(got > 0, `${got} packets reached the IPv4 client`);
});

t.test('a SETUP flood is bounded per connection and in total: 453, counted, and other clients still get sessions', async (t) => {
  const { server, url } = await start({ maxSessionsPerConnection: 3, maxSessions: 5 });
  t.teardown(() => server.close());
  const setup = (c: RtspTestClient, i: number) => c.request('SETUP', url + '/trackID=0', { Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}` });
  const flood = await RtspTestClient.connect(server.port);
  t.teardown(() => flood.close());
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await setup(flood, i)).status);
  t.same(statuses, [200, 200, 200, 453, 453, 453], 'one connection holds at most maxSessionsPerConnection sessions');
  const second = await RtspTestClient.connect(server.port);
  t.teardown(() => second.close());
  t.same([(await setup(second, 0)).status, (await setup(second, 1)).status, (await setup(second, 2)).status], [200, 200, 453],
    'the server as a whole holds at most maxSessions');
  t.equal(server.stats().setupsRefused, 4, 'every refusal counted');
  t.equal(server.stats().sessionsCreated, 5);
  flood.close();
  await ioTurn(100);
  const third = await RtspTestClient.connect(server.port);
  t.teardown(() => third.close());
  t.equal((await setup(third, 0)).status, 200, 'sessions of a closed connection are freed');
});
