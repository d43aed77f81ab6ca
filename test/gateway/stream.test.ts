import t from 'tap';
import { parseRtp } from '../../lib/rtp/index.js';
import { seqDistance, tsDistance } from '../../lib/rtp/seq.js';
import { Stream } from '../../lib/gateway/stream.js';
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport, VirtualClock, type FakePeer } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

class ManualSource implements VideoSource {
  sink: SourceSink | undefined;
  starts = 0;
  stops = 0;
  keyframeRequests = 0;
  ts = 0xfffff000;
  start(sink: SourceSink): void {
    this.starts++;
    this.sink = sink;
    sink.onState('playing');
  }
  stop(): void {
    this.stops++;
    this.sink = undefined;
  }
  requestKeyframe(): void {
    this.keyframeRequests++;
  }
  info(): SourceInfo {
    return { profileLevelId: '42e01f' };
  }
  stats() {
    return {};
  }
  /** One access unit of `size` bytes; keyframes carry SPS and PPS like a camera. */
  frame(keyframe: boolean, size = 3000): void {
    const nalus = keyframe
      ? [new Uint8Array([0x67, 0x42, 0xe0, 0x1f]), new Uint8Array([0x68, 0xce]), new Uint8Array(size).fill(0x65, 0, 1)]
      : [new Uint8Array(size).fill(0x41, 0, 1)];
    const au: AccessUnit = { nalus, keyframe, timestamp: this.ts };
    this.ts = (this.ts + 3000) >>> 0;
    this.sink?.onAccessUnit(au);
  }
}

function setup(opts: { onDemand?: boolean; viewerKeyframeRequests?: 'forward' | 'ignore'; rrtr?: boolean } = {}) {
  const clock = new VirtualClock();
  const transport = new FakeTransport();
  const source = new ManualSource();
  const deps = createDeps({}, { clock });
  const stream = new Stream('cam', source, transport, deps, { idleStopMs: 5000, ...opts });
  return { clock, transport, source, stream };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('on demand: the source starts with the first viewer and stops after the last leaves', async (t) => {
  const { clock, source, stream } = setup();
  t.equal(source.starts, 0, 'idle without viewers');
  const a = await stream.addViewer(CHROMIUM_OFFER);
  const b = await stream.addViewer(CHROMIUM_OFFER);
  t.equal(source.starts, 1, 'one source session for two viewers');
  stream.removeViewer(a.id);
  stream.removeViewer(b.id);
  clock.advance(4999);
  stream.tick();
  t.equal(source.stops, 0, 'lingers for idleStopMs');
  clock.advance(1);
  stream.tick();
  t.equal(source.stops, 1, 'stopped');
  t.equal(stream.sourceState, 'idle');
  t.end();
});

t.test('always-on streams start at once and never stop for lack of viewers', async (t) => {
  const { clock, source, stream } = setup({ onDemand: false });
  t.equal(source.starts, 1);
  clock.advance(60000);
  stream.tick();
  t.equal(source.stops, 0);
  t.end();
});

t.test('new viewers: the keyframe cache starts them at once; without one they wait for the next IDR', async (t) => {
  const { clock, transport, source, stream } = setup();
  const first = await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  t.equal(first.state, 'waiting-keyframe', 'no keyframe cached yet');
  t.equal(source.keyframeRequests, 1, 'asked the camera for one');
  source.frame(false);
  t.equal((transport.peers[0] as FakePeer).rtp.length, 0, 'P frames before the first IDR are not sent');
  source.frame(true, 5000);
  for (let i = 0; i < 10; i++) source.frame(false);
  t.equal(first.state, 'playing');
  clock.advance(500);
  const late = await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  t.equal(late.state, 'playing', 'started from the cache');
  t.equal(source.keyframeRequests, 1, 'a fresh keyframe is wanted, but within 1 s of the last request...');
  clock.advance(500);
  stream.tick();
  t.equal(source.keyframeRequests, 2, '...so it goes upstream once the rate limit allows');
  t.equal(stream.viewerInfo().find((v) => v.id === late.id)?.keyframeCacheStarts, 1);
  source.frame(false);
  const p0 = (transport.peers[0] as FakePeer).rtp.map(parseRtp);
  const p1 = (transport.peers[1] as FakePeer).rtp.map(parseRtp);
  t.ok([7, 24].includes(p1[0].payload[0] & 0x1f), 'late viewer begins with SPS (alone or in a STAP-A)');
  for (const list of [p0, p1]) {
    for (let i = 1; i < list.length; i++) t.equal(seqDistance(list[i - 1].sequenceNumber, list[i].sequenceNumber), 1);
  }
  t.not(p0[0].ssrc, p1[0].ssrc, 'each viewer its own SSRC');
  const lastA = p0[p0.length - 1];
  const lastB = p1[p1.length - 1];
  t.same(lastA.payload, lastB.payload, 'both got the same live packet');
  t.ok(tsDistance(p1[0].timestamp, lastB.timestamp) > 0, 'the cached keyframe is stamped before the live frame');
  t.end();
});

t.test('every viewer sees the same timeline: per-frame timestamp steps agree (in-place header rewrite)', async (t) => {
  const { transport, source, stream } = setup();
  for (let i = 0; i < 3; i++) await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  source.frame(true);
  for (let i = 0; i < 5; i++) source.frame(false, 2500);
  const steps = transport.peers.map((p) => {
    const pk = (p as FakePeer).rtp.map(parseRtp);
    return pk.slice(1).map((x, i) => [tsDistance(pk[i].timestamp, x.timestamp), seqDistance(pk[i].sequenceNumber, x.sequenceNumber)]);
  });
  t.ok(steps[0].length > 5);
  t.same(steps[1], steps[0]);
  t.same(steps[2], steps[0]);
  t.ok(steps[0].every(([dt, ds]) => (dt === 0 || dt === 3000) && ds === 1), 'timestamps step by one frame, sequence by one');
  const ssrcs = new Set(transport.peers.map((p) => parseRtp((p as FakePeer).rtp[3]).ssrc));
  t.equal(ssrcs.size, 3, 'each viewer keeps its own SSRC');
  t.end();
});

t.test('PLI storms are merged: at most one keyframe request per second upstream', async (t) => {
  const { clock, source, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  const before = source.keyframeRequests;
  clock.advance(1000);
  for (let i = 0; i < 20; i++) {
    stream.requestKeyframe();
    clock.advance(100);
  }
  t.equal(source.keyframeRequests - before, 2, 'two within ~2 s');
  t.equal(stream.stats().keyframeRequestsSuppressed, 18);
  t.end();
});

t.test("viewer PLIs reach the camera by default; viewerKeyframeRequests 'ignore' drops and counts them", async (t) => {
  const pli = new Uint8Array([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0]);
  for (const policy of ['forward', 'ignore'] as const) {
    const { clock, source, stream, transport } = setup({ viewerKeyframeRequests: policy });
    await stream.addViewer(CHROMIUM_OFFER);
    await tick();
    const peer = transport.peers[0];
    const before = source.keyframeRequests;
    clock.advance(2000);
    peer.handlers.onRtcp(pli);
    t.equal(source.keyframeRequests - before, policy === 'forward' ? 1 : 0, `${policy}: camera asked`);
    t.equal(stream.stats().keyframeRequestsIgnored, policy === 'forward' ? 0 : 1, `${policy}: ignored count`);
  }
  t.end();
});

t.test('the answer offers XR RRTR unless rrtr is false', async (t) => {
  for (const rrtr of [undefined, false]) {
    const { stream, transport } = setup({ rrtr });
    await stream.addViewer(CHROMIUM_OFFER);
    const peer = transport.peers[0];
    t.equal(peer.media.rrtr, rrtr ?? true);
  }
  t.end();
});

t.test('camera restart: the egress timeline continues, the stale keyframe is dropped', async (t) => {
  const { clock, transport, source, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  source.frame(true);
  clock.advance(33);
  source.frame(false);
  const sentBefore = (transport.peers[0] as FakePeer).rtp.length;
  stream.onState('reconnecting');
  t.equal(stream.stats().keyframeAgeMs, -1, 'cache dropped');
  clock.advance(2000);
  const requests = source.keyframeRequests;
  stream.onState('playing');
  t.equal(source.keyframeRequests, requests + 1, 'a keyframe is asked for at once: the viewer waits for one');
  source.ts = 12345;
  source.frame(true);
  const pkts = (transport.peers[0] as FakePeer).rtp.map(parseRtp);
  const beforeRestart = pkts[sentBefore - 1];
  const after = pkts[sentBefore];
  const dt = tsDistance(beforeRestart.timestamp, after.timestamp);
  t.ok(dt >= 2000 * 90 && dt <= 2100 * 90, `timestamp advanced by the wall-clock gap (${dt / 90} ms)`);
  t.equal(seqDistance(beforeRestart.sequenceNumber, after.sequenceNumber), 1, 'sequence continues');
  t.equal(stream.stats().timelineRebases, 1);
  t.end();
});

t.test('a viewer whose track never opens is dropped after connectTimeoutMs', async (t) => {
  const { clock, transport, stream } = setup();
  transport.autoOpen = false;
  await stream.addViewer(CHROMIUM_OFFER);
  clock.advance(14000);
  stream.tick();
  t.equal(stream.viewerCount, 1);
  clock.advance(1001);
  stream.tick();
  t.equal(stream.viewerCount, 0, 'dropped');
  t.equal(transport.peers[0].state, 'closed', 'its peer closed');
  t.end();
});

t.test('a browser that stops sending RTCP is reaped; one that keeps sending, even garbage, is not', async (t) => {
  const { clock, transport, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  const [quiet, chatty] = transport.peers;
  const rr = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 9]);
  for (let s = 0; s < 29; s++) {
    clock.advance(1000);
    chatty.handlers.onRtcp(s % 2 ? rr : new Uint8Array([0xde, 0xad]));
    stream.tick();
  }
  t.equal(stream.viewerCount, 2, 'both kept for 29 s');
  for (let s = 0; s < 3; s++) {
    clock.advance(1000);
    chatty.handlers.onRtcp(rr);
    stream.tick();
  }
  t.equal(stream.viewerCount, 1, 'the silent one is gone after 30 s');
  t.equal(quiet.state, 'closed', 'its peer closed');
  t.equal(chatty.state, 'connected');
  t.equal(stream.stats().viewersReaped, 1);
  t.ok(stream.viewerInfo()[0].rtcpErrors >= 14, 'malformed RTCP counted, not fatal');
  t.end();
});

t.test("a connection that stays 'disconnected' is reaped after viewerDisconnectTimeoutMs; one that recovers is kept", async (t) => {
  const { clock, transport, stream } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await stream.addViewer(CHROMIUM_OFFER);
  await tick();
  const [gone, back] = transport.peers;
  const rr = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 9]);
  gone.handlers.onState('disconnected');
  back.handlers.onState('disconnected');
  for (let s = 0; s < 12; s++) {
    clock.advance(1000);
    if (s === 5) back.handlers.onState('connected');
    for (const p of [gone, back]) p.handlers.onRtcp(rr);
    stream.tick();
  }
  t.equal(stream.viewerCount, 1);
  t.equal(gone.state, 'closed', 'the one that stayed down was dropped');
  t.equal(back.state, 'connected');
  t.end();
});

t.test('concurrent offers cannot exceed maxViewers', async (t) => {
  const clock = new VirtualClock();
  const stream = new Stream('cam', new ManualSource(), new FakeTransport(), createDeps({}, { clock }), { maxViewers: 2 });
  const results = await Promise.allSettled([1, 2, 3, 4].map(() => stream.addViewer(CHROMIUM_OFFER)));
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  t.equal(stream.viewerCount, 2);
  t.end();
});

t.test('viewer limit and peer closure', async (t) => {
  const clock = new VirtualClock();
  const transport = new FakeTransport();
  const stream = new Stream('cam', new ManualSource(), transport, createDeps({}, { clock }), { maxViewers: 1 });
  const v = await stream.addViewer(CHROMIUM_OFFER);
  await t.rejects(stream.addViewer(CHROMIUM_OFFER), { code: 'PEER_LIMIT' });
  (transport.peers[0] as FakePeer).close();
  t.equal(stream.viewerCount, 0, 'a closed peer leaves the stream');
  t.equal(stream.getViewer(v.id), undefined);
  t.end();
});
