import t from 'tap';
import { RtspClient } from '../../lib/rtsp/client/client.js';
import { RtspHeaders } from '../../lib/rtsp/protocol/header-map.js';
import { RtspClientError } from '../../lib/rtsp/client/errors.js';
import { parseAuthorization } from '../../lib/rtsp/protocol/headers/authenticate.js';
import { verifyAuthorization } from '../../lib/rtsp/protocol/auth.js';
import { parseRtcp, serializeRtcp } from '../../lib/rtcp/index.js';
import type { RtpPacket } from '../../lib/rtp/packet.js';
import type { RtspStateChange } from '../../lib/rtsp/client/types.js';
import { FakeTimers, until } from '../support/fake-clock.js';
import { rtpPacket, cameraSdp } from '../support/fake-rtsp-server.js';
import { fakeCamera, sendUdp } from './client-support.js';

const noReconnect = { enabled: false };

t.test('TCP: OPTIONS, DESCRIBE, SETUP, PLAY; interleaved RTP reaches the rtp event', async (t) => {
  const cam = await fakeCamera();
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url('/live?ch=1'), transport: 'tcp', clock, reconnect: noReconnect });
  const got: RtpPacket[] = [];
  client.on('rtp', (p) => got.push(p));
  const info = await client.start();
  t.same(cam.server.methods(), ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY']);
  const setup = cam.server.requests[2];
  t.equal(setup.url, cam.server.url('/live?ch=1') + '/trackID=1', 'control joined to Content-Base, query kept');
  t.equal(setup.headers.get('transport'), 'RTP/AVP/TCP;unicast;interleaved=0-1');
  t.equal(cam.server.requests[3].headers.get('session'), '12345678', 'Session without timeout echoed');
  t.equal(cam.server.requests[3].headers.get('user-agent'), 'camwire');
  t.match(info, { transport: 'tcp', server: 'FakeCam/1.0', timeoutS: 60, keepAliveMethod: 'GET_PARAMETER', generation: 1 });
  t.equal(info.tracks.length, 1);
  t.ok(typeof info.controlRttMs === 'number' && info.controlRttMs >= 0, `the handshake's quickest answer is measured (${info.controlRttMs} ms, virtual time)`);
  const conn = cam.server.connections[0];
  for (let s = 65534; s < 65534 + 4; s++) cam.server.sendFrame(conn, 0, rtpPacket(s & 0xffff, s * 3000));
  await until(() => got.length === 4, 'four packets');
  t.same(got.map((p) => p.sequenceNumber), [65534, 65535, 0, 1]);
  t.match(client.stats.tracks[0], { received: 4, lost: 0 });
  await client.stop();
  t.equal(cam.server.methods().at(-1), 'TEARDOWN');
  t.equal(client.state, 'closed');
});

t.test('keep-alive: GET_PARAMETER when in Public, else OPTIONS, at max(timeout - 5 s, 1 s)', async (t) => {
  for (const [pub, method, timeout, interval] of [
    ['OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER', 'GET_PARAMETER', 30, 25_000],
    ['OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN', 'OPTIONS', 3, 1000],
  ] as const) {
    const cam = await fakeCamera({ public: pub, timeout });
    const clock = new FakeTimers();
    const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock, reconnect: noReconnect, mediaTimeoutMs: 3_600_000 });
    await client.start();
    const before = cam.server.requests.length;
    const conn = cam.server.connections[0];
    // keep media flowing so the media watchdog stays quiet
    cam.server.sendFrame(conn, 0, rtpPacket(1, 0));
    await until(() => client.stats.tracks[0]?.received === 1, 'packet');
    await clock.advance(interval - 1);
    t.equal(cam.server.requests.length, before, `${method}: nothing before ${interval} ms`);
    await clock.advance(1);
    await until(() => cam.server.requests.length === before + 1, 'keep-alive');
    const ka = cam.server.requests[before];
    t.equal(ka.method, method);
    t.equal(ka.headers.get('session'), '12345678');
    t.equal(ka.url, cam.server.url() + '/', 'keep-alive goes to the aggregate (base) URL');
    await client.stop();
    await cam.close();
  }
});

t.test('Digest auth, and a 401 with a new nonce on a keep-alive mid-session (Axis M5525)', async (t) => {
  let nonce = 'n1';
  const user = { username: 'admin', password: 's3cret' };
  const cam = await fakeCamera({
    override: (req) => {
      const ok = verifyAuthorization(req.headers.get('authorization'), req.method, user, { realm: 'cam', nonce });
      if (ok) return undefined;
      return { status: 401, headers: new RtspHeaders([['WWW-Authenticate', `Digest realm="cam", nonce="${nonce}", algorithm=MD5`], ['WWW-Authenticate', 'Basic realm="cam"']]) };
    },
  });
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: `rtsp://admin:s3cret@127.0.0.1:${cam.server.port}/stream`, transport: 'tcp', clock, reconnect: noReconnect, mediaTimeoutMs: 3_600_000 });
  const info = await client.start();
  t.equal(info.authScheme, 'Digest MD5');
  t.same(cam.server.methods(), ['OPTIONS', 'OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY']);
  const authz = parseAuthorization(cam.server.requests[2].headers.get('authorization')!);
  t.equal(authz.params.uri, cam.server.url(), 'digest uri is the full request URL');
  t.notOk(cam.server.requests.some((r) => r.url.includes('s3cret')), 'credentials not in request URLs');
  cam.server.sendFrame(cam.server.connections[0], 0, rtpPacket(1, 0));
  nonce = 'n2';
  const n = cam.server.requests.length;
  await clock.advance(55_000);
  await until(() => cam.server.requests.length >= n + 2, 're-authenticated keep-alive');
  t.same(cam.server.methods().slice(n), ['GET_PARAMETER', 'GET_PARAMETER']);
  t.ok(verifyAuthorization(cam.server.requests[n + 1].headers.get('authorization'), 'GET_PARAMETER', user, { realm: 'cam', nonce: 'n2' }));
  t.equal(client.stats.reauthentications, 1);
  t.equal(client.state, 'playing', 'still playing');
  t.notMatch(JSON.stringify(client) + JSON.stringify(client.stats) + JSON.stringify(info), /s3cret/);
  await client.stop();
});

t.test('wrong password: RTSP_UNAUTHORIZED after one retry, no credentials leak', async (t) => {
  const cam = await fakeCamera({
    override: (req) => (req.method === 'OPTIONS' ? undefined : { status: 401, headers: new RtspHeaders({ 'WWW-Authenticate': 'Digest realm="cam", nonce="fixed"' }) }),
  });
  t.teardown(() => cam.close());
  const client = new RtspClient({ url: `rtsp://admin:wrongpw@127.0.0.1:${cam.server.port}/stream`, transport: 'tcp', clock: new FakeTimers(), reconnect: noReconnect });
  const err = (await client.start().catch((e) => e)) as RtspClientError;
  t.type(err, RtspClientError);
  t.equal(err.code, 'RTSP_UNAUTHORIZED');
  t.equal(err.status, 401);
  t.notMatch(err.message, /wrongpw/);
  t.same(cam.server.methods(), ['OPTIONS', 'DESCRIBE', 'DESCRIBE']);
});

t.test('CSeq: a stray response is skipped; a wrong CSeq alone is accepted after the grace time', async (t) => {
  const cam = await fakeCamera({
    override: (req) => {
      const cseq = req.headers.get('cseq');
      if (req.method === 'OPTIONS') {
        // gortsplib TestClientCSeq: a response with CSeq 150 first, then the real one
        return new Uint8Array(Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: 150\r\n\r\nRTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\r\n\r\n`));
      }
      if (req.method === 'PLAY') {
        // Foscam: `Cseq: 0` in answer to a real CSeq
        return new Uint8Array(Buffer.from('RTSP/1.0 200 OK\r\nCseq: 0\r\nSession: 12345678\r\n\r\n'));
      }
      return undefined;
    },
  });
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock, reconnect: noReconnect });
  const started = client.start();
  await until(() => cam.server.methods().includes('PLAY'), 'PLAY sent');
  await clock.advance(499);
  t.equal(client.state, 'connecting', 'wrong CSeq not taken at once');
  await clock.advance(1);
  const info = await started;
  t.equal(info.keepAliveMethod, 'OPTIONS', 'Public taken from the real OPTIONS answer, not the stray one');
  t.equal(client.stats.mismatchedCseq, 2);
  await client.stop();
});

t.test('redirects are followed, with a bound', async (t) => {
  const cam = await fakeCamera({
    override: (req) => {
      if (req.method === 'DESCRIBE' && req.url.endsWith('/old')) return { status: 302, headers: new RtspHeaders({ Location: cam.server.url('/new') }) };
      if (req.method === 'DESCRIBE' && req.url.endsWith('/loop')) return { status: 301, headers: new RtspHeaders({ Location: cam.server.url('/loop') }) };
      return undefined;
    },
  });
  t.teardown(() => cam.close());
  const client = new RtspClient({ url: cam.server.url('/old'), transport: 'tcp', clock: new FakeTimers(), reconnect: noReconnect });
  const info = await client.start();
  t.equal(info.url, cam.server.url('/new'));
  t.equal(client.stats.redirects, 1);
  await client.stop();
  const loop = new RtspClient({ url: cam.server.url('/loop'), transport: 'tcp', clock: new FakeTimers(), reconnect: noReconnect, maxRedirects: 3 });
  const err = await loop.start().catch((e) => e);
  t.equal(err.code, 'RTSP_TOO_MANY_REDIRECTS');
  t.equal(cam.server.requests.filter((r) => r.url.endsWith('/loop') && r.method === 'DESCRIBE').length, 4);
});

t.test('UDP: RTP from the server port pair, RTCP RR every 5 s, PLI upstream', async (t) => {
  const cam = await fakeCamera();
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'udp', clock, reconnect: noReconnect });
  const got: number[] = [];
  client.on('rtp', (p) => got.push(p.sequenceNumber));
  const info = await client.start();
  t.equal(info.transport, 'udp');
  const [lo, hi] = cam.udp[0].clientPorts;
  t.equal(lo % 2, 0, 'RTP on an even port');
  t.equal(hi, lo + 1, 'RTCP on the odd port above');
  t.ok(client.stats.tracks[0].receiveBufferBytes >= 200_000, `receive buffer ${client.stats.tracks[0].receiveBufferBytes} bytes`);
  for (let s = 10; s < 20; s++) if (s !== 15) sendUdp(cam, 0, rtpPacket(s, s * 3000, 0xabcdef01));
  await until(() => got.length === 9, 'nine packets');
  await clock.advance(5000);
  await until(() => cam.udp[0].rtcpIn.length >= 1, 'receiver report');
  const rr = parseRtcp(cam.udp[0].rtcpIn[0]);
  t.equal(rr[0].type, 'rr');
  t.match(rr[0], { reports: [{ ssrc: 0xabcdef01, cumulativeLost: 1, highestSeq: 19 }] });
  t.equal(rr[1].type, 'sdes', 'compound with SDES CNAME');
  t.ok(client.requestKeyframe(0));
  await until(() => cam.udp[0].rtcpIn.length >= 2, 'PLI');
  t.match(parseRtcp(cam.udp[0].rtcpIn[1])[1], { type: 'pli', mediaSsrc: 0xabcdef01 });
  t.ok(client.sendNack(0, [15]));
  await until(() => cam.udp[0].rtcpIn.length >= 3, 'NACK');
  t.match(parseRtcp(cam.udp[0].rtcpIn[2])[1], { type: 'nack', items: [{ pid: 15, blp: 0 }] });
  await client.stop();
});

t.test('auto: 461 on UDP SETUP falls back to TCP', async (t) => {
  const cam = await fakeCamera({
    override: (req) => (req.method === 'SETUP' && !req.headers.get('transport')!.includes('TCP') ? { status: 461 } : undefined),
  });
  t.teardown(() => cam.close());
  const client = new RtspClient({ url: cam.server.url(), clock: new FakeTimers(), reconnect: noReconnect });
  const info = await client.start();
  t.equal(info.transport, 'tcp');
  t.equal(client.stats.udpToTcpFallbacks, 1);
  t.ok(client.stats.quirks.includes('udp-unsupported-461'));
  await client.stop();
  const strict = new RtspClient({ url: cam.server.url(), transport: 'udp', clock: new FakeTimers(), reconnect: noReconnect });
  const err = await strict.start().catch((e) => e);
  t.equal(err.code, 'RTSP_UNSUPPORTED_TRANSPORT', 'explicit udp: typed 461 error');
});

t.test('auto: no UDP packet within 3 s of PLAY falls back to TCP', async (t) => {
  const cam = await fakeCamera();
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), clock, reconnect: noReconnect });
  const sessions: string[] = [];
  client.on('session', (s) => sessions.push(s.transport));
  await client.start();
  await clock.advance(2999);
  t.same(sessions, ['udp']);
  await clock.advance(1);
  await until(() => sessions.length === 2, 'TCP session');
  t.same(sessions, ['udp', 'tcp']);
  t.equal(client.stats.udpToTcpFallbacks, 1);
  await client.stop();
});

t.test('454 on keep-alive: typed error, reconnect with backoff, new session generation', async (t) => {
  let lose = false;
  const cam = await fakeCamera({ timeout: 10, override: (req) => (lose && req.method === 'GET_PARAMETER' ? { status: 454 } : undefined) });
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock, reconnect: { initialDelayMs: 1000 } });
  const states: RtspStateChange[] = [];
  const errors: string[] = [];
  const gens: number[] = [];
  client.on('state', (s) => states.push(s));
  client.on('error', (e) => errors.push(e.code));
  client.on('session', (s) => gens.push(s.generation));
  await client.start();
  cam.server.sendFrame(cam.server.connections[0], 0, rtpPacket(1, 0));
  lose = true;
  await clock.advance(5000);
  await until(() => errors.length === 1, 'error event');
  t.same(errors, ['RTSP_SESSION_NOT_FOUND']);
  const rec = states.find((s) => s.state === 'reconnecting')!;
  t.match(rec, { attempt: 1, delayMs: 1000 });
  t.equal(rec.reason?.code, 'RTSP_SESSION_NOT_FOUND');
  lose = false;
  await clock.advance(1000);
  await until(() => gens.length === 2, 'second session');
  t.same(gens, [1, 2]);
  t.same(states.map((s) => s.state), ['connecting', 'playing', 'reconnecting', 'connecting', 'playing']);
  await client.stop();
});

t.test('requests from the server are answered', async (t) => {
  const cam = await fakeCamera();
  t.teardown(() => cam.close());
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock: new FakeTimers(), reconnect: noReconnect });
  await client.start();
  const conn = cam.server.connections[0];
  cam.server.sendRequest(conn, 'OPTIONS', '*', { CSeq: '7' });
  cam.server.sendRequest(conn, 'GET_PARAMETER', cam.server.url(), { CSeq: '8' });
  cam.server.sendRequest(conn, 'RECORD', cam.server.url(), { CSeq: '9' });
  await until(() => conn.responses.length === 3, 'three answers');
  t.same(conn.responses.map((r) => [r.status, r.headers.get('cseq')]), [[200, '7'], [200, '8'], [501, '9']]);
  t.match(conn.responses[0].headers.get('public'), /GET_PARAMETER/);
  cam.server.sendRequest(conn, 'REDIRECT', cam.server.url(), { CSeq: '10', Location: cam.server.url('/elsewhere') });
  await until(() => cam.server.requests.some((r) => r.url.startsWith(cam.server.url('/elsewhere'))), 'follows REDIRECT');
  await until(() => client.state === 'playing' && client.sessionInfo?.url === cam.server.url('/elsewhere'), 'playing elsewhere');
  await client.stop();
});

t.test('typed errors: 404, connection refused, bad SDP, no tracks, timeout', async (t) => {
  const cam = await fakeCamera({
    override: (req) => {
      if (req.url.endsWith('/missing')) return { status: 404 };
      if (req.url.endsWith('/badsdp') && req.method === 'DESCRIBE') return { status: 200, headers: new RtspHeaders({ 'Content-Type': 'application/sdp' }), body: 'hello world' };
      if (req.url.endsWith('/audio') && req.method === 'DESCRIBE') return { status: 200, body: 'v=0\r\ns=x\r\nm=audio 0 RTP/AVP 8\r\n' };
      if (req.url.endsWith('/silent') && req.method === 'DESCRIBE') return 'silent';
      return undefined;
    },
  });
  t.teardown(() => cam.close());
  const codeOf = async (url: string, clock = new FakeTimers()) =>
    (await new RtspClient({ url, transport: 'tcp', clock, reconnect: noReconnect }).start().catch((e) => e)).code;
  t.equal(await codeOf(cam.server.url('/missing')), 'RTSP_NOT_FOUND');
  t.equal(await codeOf(cam.server.url('/badsdp')), 'RTSP_BAD_SDP');
  t.equal(await codeOf(cam.server.url('/audio')), 'RTSP_NO_TRACKS');
  const clock = new FakeTimers();
  const pending = codeOf(cam.server.url('/silent'), clock);
  await until(() => cam.server.requests.some((r) => r.url.endsWith('/silent') && r.method === 'DESCRIBE'), 'DESCRIBE sent');
  await clock.advance(10_000);
  t.equal(await pending, 'RTSP_TIMEOUT');
  const free = cam.server.port;
  await cam.close();
  t.equal(await codeOf(`rtsp://127.0.0.1:${free}/x`), 'RTSP_CONNECTION_REFUSED');
});

t.test('camera dropped mid-stream: reconnect, new SSRC accepted', async (t) => {
  const cam = await fakeCamera({ sdp: cameraSdp({ sessionControl: '*' }) });
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock });
  const ssrcs: number[] = [];
  const states: string[] = [];
  client.on('rtp', (p) => ssrcs.push(p.ssrc));
  client.on('state', (s) => states.push(s.state + (s.reason ? ':' + s.reason.code : '')));
  await client.start();
  cam.server.sendFrame(cam.server.connections[0], 0, rtpPacket(100, 0, 1));
  await until(() => ssrcs.length === 1, 'first packet');
  cam.server.dropAll();
  await until(() => states.includes('reconnecting:RTSP_CONNECTION_CLOSED'), 'reconnecting');
  await clock.advance(1000);
  await until(() => cam.server.connections.length === 2 && client.state === 'playing', 'second session');
  cam.server.sendFrame(cam.server.connections[1], 0, rtpPacket(5, 0, 2));
  await until(() => ssrcs.length === 2, 'packet after restart');
  t.same(ssrcs, [1, 2]);
  t.same(states, ['connecting', 'playing', 'reconnecting:RTSP_CONNECTION_CLOSED', 'connecting', 'playing']);
  t.match(client.stats.tracks[0], { ssrc: 2, received: 1 }, 'fresh counters for the new session');
  await client.stop();
});

t.test('Hikvision-style SETUP answer: padded Session, ssrc with a space, channels reassigned', async (t) => {
  const cam = await fakeCamera({
    override: (req) =>
      req.method === 'SETUP'
        ? { status: 200, headers: new RtspHeaders({ Session: '       708886412;timeout=60', Transport: 'RTP/AVP/TCP;unicast;interleaved=4-5;ssrc= d6d6627;mode="play"' }) }
        : undefined,
  });
  t.teardown(() => cam.close());
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock: new FakeTimers(), reconnect: noReconnect });
  const got: number[] = [];
  client.on('rtp', (p, track) => got.push(track.index));
  const info = await client.start();
  t.equal(info.sessionId, '708886412');
  t.equal(cam.server.requests.at(-1)!.headers.get('session'), '708886412');
  const conn = cam.server.connections[0];
  cam.server.sendFrame(conn, 0, rtpPacket(1, 0)); // not ours any more
  cam.server.sendFrame(conn, 4, rtpPacket(2, 0));
  await until(() => got.length === 1, 'packet on channel 4');
  t.ok(client.stats.quirks.includes('interleaved-channels-reassigned'));
  t.ok(client.requestKeyframe(0));
  await until(() => conn.frames.length === 1, 'PLI on the reassigned RTCP channel');
  t.equal(conn.frames[0].channel, 5);
  await client.stop();
});

t.test('PAUSE and resume; ANNOUNCE from the server starts a fresh session', async (t) => {
  const cam = await fakeCamera();
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock, reconnect: noReconnect });
  const gens: number[] = [];
  client.on('session', (s) => gens.push(s.generation));
  await client.start();
  await client.pause();
  t.equal(client.state, 'paused');
  await clock.advance(30_000);
  t.equal(client.state, 'paused', 'no media timeout while paused');
  await client.resume();
  t.equal(client.state, 'playing');
  t.same(cam.server.methods().slice(-2), ['PAUSE', 'PLAY']);
  cam.server.sendRequest(cam.server.connections[0], 'ANNOUNCE', cam.server.url(), { CSeq: '3', 'Content-Type': 'application/sdp' });
  await until(() => gens.length === 2, 'new session after ANNOUNCE');
  t.equal(cam.server.connections[0].responses[0].status, 200);
  await client.stop();
});

t.test('Axis: a keep-alive answer with a shorter timeout shortens the interval', async (t) => {
  let kaTimeout = 60;
  const cam = await fakeCamera({
    override: (req) => (req.method === 'GET_PARAMETER' ? { status: 200, headers: new RtspHeaders({ Session: `12345678; timeout=${kaTimeout}` }) } : undefined),
  });
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock, reconnect: noReconnect, mediaTimeoutMs: 3_600_000 });
  await client.start();
  const count = () => cam.server.methods().filter((m) => m === 'GET_PARAMETER').length;
  kaTimeout = 30;
  await clock.advance(55_000);
  await until(() => count() === 1, 'first keep-alive at 55 s');
  await clock.advance(24_999);
  t.equal(count(), 1);
  await clock.advance(1);
  await until(() => count() === 2, 'next keep-alive 25 s later');
  t.ok(client.stats.quirks.includes('session-timeout-changed'));
  await client.stop();
});

t.test('RTCP from the camera: SR parsed into the rtcp event, echoed as LSR/DLSR in our RR', async (t) => {
  const cam = await fakeCamera();
  t.teardown(() => cam.close());
  const clock = new FakeTimers();
  const client = new RtspClient({ url: cam.server.url(), transport: 'tcp', clock, reconnect: noReconnect, mediaTimeoutMs: 3_600_000 });
  const rtcpTypes: string[] = [];
  client.on('rtcp', (packets) => rtcpTypes.push(...packets.map((p) => p.type)));
  await client.start();
  const conn = cam.server.connections[0];
  cam.server.sendFrame(conn, 0, rtpPacket(7, 1000, 0x5555));
  const sr = serializeRtcp([{ type: 'sr', ssrc: 0x5555, ntpSeconds: 0x00012345, ntpFraction: 0x6789abcd, rtpTimestamp: 1000, packetCount: 1, octetCount: 4, reports: [], profileExtension: new Uint8Array(0) }]);
  cam.server.sendFrame(conn, 1, sr);
  await until(() => rtcpTypes.length === 1, 'SR event');
  t.same(rtcpTypes, ['sr']);
  await clock.advance(5000);
  await until(() => conn.frames.length === 1, 'RR on channel 1');
  t.equal(conn.frames[0].channel, 1);
  const [rr] = parseRtcp(conn.frames[0].data);
  t.match(rr, { type: 'rr', reports: [{ ssrc: 0x5555, lsr: 0x23456789, dlsr: 5 * 65536, highestSeq: 7 }] });
  await client.stop();
});

t.test('garbage from the server is a typed protocol error', async (t) => {
  const cam = await fakeCamera({ override: () => new Uint8Array(Buffer.from('\x16\x03\x01 this is TLS, not RTSP\r\n\r\n', 'latin1')) });
  t.teardown(() => cam.close());
  const err = await new RtspClient({ url: cam.server.url(), transport: 'tcp', clock: new FakeTimers(), reconnect: noReconnect }).start().catch((e) => e);
  t.equal(err.code, 'RTSP_PROTOCOL');
});
