import t, { type Test } from 'tap';
import { Gateway } from '../../lib/gateway/gateway.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import type { AccessUnit, SourceInfo, SourceSink, SourceState, VideoSource } from '../../lib/gateway/source.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/index.js';
import { seqDistance, tsDistance } from '../../lib/rtp/seq.js';
import { seqsToNackItems, serializeRtcp } from '../../lib/rtcp/index.js';
import { FakeTransport, VirtualClock, type FakePeer } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';
import { PPS, SPS } from '../support/h264-synthetic.js';

/** A camera profile driven by hand: each frame's slice is filled with the profile's marker byte. */
class ProfileSource implements VideoSource {
  sink: SourceSink | undefined;
  starts = 0;
  stops = 0;
  keyframeRequests = 0;
  ts: number;
  constructor(readonly mark: number, firstTs: number) {
    this.ts = firstTs;
  }
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
    return {};
  }
  stats() {
    return {};
  }
  state(s: SourceState): void {
    this.sink?.onState(s);
  }
  frame(keyframe: boolean, size = 2500): void {
    const slice = new Uint8Array(size).fill(this.mark);
    slice[0] = keyframe ? 0x65 : 0x41;
    const au: AccessUnit = { nalus: keyframe ? [SPS, PPS, slice] : [slice], keyframe, timestamp: this.ts };
    this.ts = (this.ts + 3000) >>> 0;
    this.sink?.onAccessUnit(au);
  }
}

const MAIN = 0xa1;
const SUB = 0xb2;

function setup() {
  const clock = new VirtualClock();
  const transport = new FakeTransport();
  const sources = new Map<string, ProfileSource>();
  const gw = new Gateway(
    {
      streams: {
        cam: { renditions: [{ name: '720p', url: 'rtsp://user:secret@cam.invalid/main' }, { name: '360p', url: 'rtsp://cam.invalid/sub' }], idleStopMs: 1000 },
        plain: { url: 'rtsp://cam.invalid/plain' },
      },
      tickMs: 3_600_000,
    },
    transport,
    createDeps({}, { clock }),
    (_name, cfg) => {
      const s = new ProfileSource(cfg.url.endsWith('/sub') ? SUB : MAIN, cfg.url.endsWith('/sub') ? 0xffff0000 : 77);
      sources.set(cfg.url.replace(/^rtsp:\/\/(?:[^@/]*@)?cam\.invalid\//, ''), s);
      return s;
    },
  );
  const stream = gw.stream('cam')!;
  return { clock, transport, gw, stream, main: sources.get('main')!, sub: sources.get('sub')!, plain: sources.get('plain')! };
}

const settle = () => new Promise((r) => setImmediate(r));
/** Which profile a packet came from: the marker byte its slice was filled with; STAP-A (SPS, PPS) has none. */
const profileOf = (p: RtpPacket) => ((p.payload[0] & 0x1f) === 24 ? 'stap' : p.payload[p.payload.length - 1]);

function checkContinuous(t: Test, sent: RtpPacket[]): void {
  let gaps = 0;
  let backwards = 0;
  for (let i = 1; i < sent.length; i++) {
    if (seqDistance(sent[i - 1].sequenceNumber, sent[i].sequenceNumber) !== 1) gaps++;
    if (tsDistance(sent[i - 1].timestamp, sent[i].timestamp) < 0) backwards++;
  }
  t.equal(gaps, 0, 'viewer sequence numbers have no gap across switches');
  t.equal(backwards, 0, 'viewer timestamps never go back across switches');
  t.equal(new Set(sent.map((p) => p.ssrc)).size, 1, 'one SSRC');
}

t.test('a pinned viewer switches at the target\'s keyframe with one continuous timeline; NACKs are answered from the rendition a packet came from', async (t) => {
  const { clock, transport, gw, stream, main, sub } = setup();
  t.same(stream.renditionNames, ['720p', '360p']);
  t.equal(main.starts + sub.starts, 0, 'nothing pulled without viewers');
  const viewer = await stream.addViewer(CHROMIUM_OFFER);
  await settle();
  const peer = transport.peers[0] as FakePeer;
  t.equal(main.starts, 1, 'the main profile is pulled for the viewer');
  t.equal(sub.starts, 1, 'and so is the sub profile');
  main.frame(true);
  for (let i = 0; i < 5; i++) {
    clock.advance(33);
    main.frame(false);
    sub.frame(i === 0);
  }
  t.ok(peer.rtp.map(parseRtp).every((p) => profileOf(p) === MAIN || profileOf(p) === 'stap'), 'Auto: the best rendition');

  t.ok(stream.selectRendition(viewer.id, '360p'), 'pin 360p');
  t.notOk(stream.selectRendition(viewer.id, '1080p'), 'an unknown rendition is refused');
  stream.tick();
  const asked = sub.keyframeRequests;
  t.ok(asked >= 1, 'the sub profile is asked for a keyframe (its next one is not known to be near)');
  clock.advance(33);
  sub.frame(false);
  main.frame(false);
  t.equal(profileOf(parseRtp(peer.rtp[peer.rtp.length - 1])), MAIN, 'still on 720p until a 360p keyframe');
  clock.advance(33);
  const before = peer.rtp.length;
  sub.frame(true);
  main.frame(false);
  const after = peer.rtp.slice(before).map(parseRtp);
  t.ok(after.length > 0 && after.slice(1).every((p) => profileOf(p) === SUB), 'from its keyframe on, only 360p (STAP-A with SPS/PPS first)');
  t.equal(after[0].payload[0] & 0x1f, 24, 'the switch begins with the target\'s SPS/PPS');
  const subSeqs = after.map((p) => p.sequenceNumber);

  t.ok(stream.selectRendition(viewer.id, undefined), 'back to Auto');
  for (let i = 0; i < 3; i++) {
    clock.advance(33);
    sub.frame(false);
    main.frame(i === 2);
  }
  const last = parseRtp(peer.rtp[peer.rtp.length - 1]);
  t.equal(profileOf(last), MAIN, 'Auto goes back up at the next 720p keyframe');
  const sent = peer.rtp.map(parseRtp);
  checkContinuous(t, sent);

  // NACK the 360p packets after being back on 720p: they come from the 360p history, as sent.
  const n = peer.rtp.length;
  viewer.handleRtcp(serializeRtcp([{ type: 'nack', senderSsrc: 1, mediaSsrc: last.ssrc, items: seqsToNackItems(subSeqs) }]));
  const resent = peer.rtp.slice(n).map(parseRtp);
  t.equal(resent.length, subSeqs.length, 'every 360p packet resent');
  t.same(resent.map((p) => p.sequenceNumber), subSeqs);
  const original = new Map(sent.map((p) => [p.sequenceNumber, p]));
  t.ok(resent.every((p) => Buffer.compare(Buffer.from(p.payload), Buffer.from(original.get(p.sequenceNumber)!.payload)) === 0 && p.timestamp === original.get(p.sequenceNumber)!.timestamp), 'same payload and timestamp as first sent');

  const info = stream.viewerInfo()[0].rendition!;
  t.match(info, { current: '720p', target: '720p', mode: 'auto', switches: 2, switchesUp: 1, switchesDown: 1 });
  await gw.close();
});

t.test('stats: each rendition\'s bitrate, frame size and viewers; URLs without credentials', async (t) => {
  const { clock, gw, stream, main, sub } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await settle();
  for (let i = 0; i < 90; i++) {
    main.frame(i % 30 === 0, 5000);
    sub.frame(i % 30 === 0, 1000);
    clock.advance(1000 / 30);
    if (i % 10 === 0) stream.tick();
  }
  stream.tick();
  const r = stream.stats().renditions!;
  t.equal(r.length, 2);
  t.match(r[0], { name: '720p', url: 'rtsp://cam.invalid/main', sourceState: 'playing', viewers: 1, keyframes: 3, width: 640, height: 360 });
  t.match(r[1], { name: '360p', url: 'rtsp://cam.invalid/sub', viewers: 0 });
  t.ok(r[0].bitrateBps > 1_000_000 && r[0].bitrateBps < 1_400_000, `720p measured at ${r[0].bitrateBps} bit/s (5 kB x 30 fps + headers)`);
  t.ok(r[1].bitrateBps > 200_000 && r[1].bitrateBps < 300_000, `360p measured at ${r[1].bitrateBps} bit/s`);
  t.ok(Math.abs(r[0].framesPerSecond - 30) < 1.5, `${r[0].framesPerSecond} fps`);
  t.ok(Math.abs(r[0].keyframeIntervalMs - 1000) < 40, `keyframe every ${r[0].keyframeIntervalMs} ms`);
  t.notOk(JSON.stringify(gw.snapshot()).includes('secret'), 'no credentials in the snapshot');
  t.equal(gw.stream('plain')!.stats().renditions, undefined, 'a plain stream has none');
  await gw.close();
});

t.test('without transport-wide CC, Auto follows receiver reports: loss retransmission repairs keeps 720p, loss beyond it moves the viewer down', async (t) => {
  const { clock, transport, gw, stream, main, sub } = setup();
  await stream.addViewer(CHROMIUM_OFFER);
  await settle();
  const peer = transport.peers[0] as FakePeer;
  const report = (fraction: number) =>
    peer.handlers.onRtcp(serializeRtcp([{
      type: 'rr', ssrc: 1, profileExtension: new Uint8Array(0),
      reports: [{ ssrc: peer.media.ssrc, fractionLost: fraction, cumulativeLost: 0, highestSeq: 0, jitter: 0, lsr: 0, dlsr: 0 }],
    }]));
  const run = (seconds: number, fraction: number) => {
    for (let i = 0; i < seconds * 30; i++) {
      main.frame(i % 30 === 0, 5000);
      sub.frame(i % 30 === 0, 1000);
      clock.advance(1000 / 30);
      if (i % 30 === 29) report(fraction);
      if (i % 5 === 0) stream.tick();
    }
  };
  run(5, 38); // 15%: what NACK repairs
  let v = stream.viewerInfo()[0].rendition!;
  t.match(v, { current: '720p', target: '720p', switches: 0 }, `15% loss keeps 720p (estimate ${v.bandwidth?.estimateBps})`);
  t.ok(v.bandwidth!.receiverReports >= 4, 'the receiver reports reach the estimate');
  run(4, 128); // 50%: the link cannot carry it
  v = stream.viewerInfo()[0].rendition!;
  t.equal(v.target, '360p', `50% loss: down to 360p (estimate ${v.bandwidth?.estimateBps}, 720p sent at ${stream.stats().renditions![0].bitrateBps})`);
  t.equal(v.current, '360p', 'switched at its keyframe');
  await gw.close();
});

t.test('children run while viewers watch; a rendition whose camera is down is skipped', async (t) => {
  const { clock, transport, gw, stream, main, sub } = setup();
  const viewer = await stream.addViewer(CHROMIUM_OFFER);
  await settle();
  const peer = transport.peers[0] as FakePeer;
  main.frame(true);
  sub.frame(true);
  main.state('reconnecting');
  stream.tick();
  t.equal(stream.viewerInfo()[0].rendition!.target, '360p', 'the main camera is down: Auto targets 360p');
  clock.advance(33);
  sub.frame(true);
  t.equal(profileOf(parseRtp(peer.rtp[peer.rtp.length - 1])), SUB, 'and plays it at its keyframe');
  t.ok(stream.selectRendition(viewer.id, '720p'));
  stream.tick();
  t.equal(stream.viewerInfo()[0].rendition!.target, '360p', 'pinned to a rendition that is down: stays on one that plays');
  main.state('playing');
  stream.tick();
  t.equal(stream.viewerInfo()[0].rendition!.target, '720p', 'the pin holds once it plays again');
  checkContinuous(t, peer.rtp.map(parseRtp));

  stream.removeViewer(viewer.id);
  clock.advance(1000);
  stream.tick();
  t.equal(sub.stops, 1, 'the sub profile stops idleStopMs after the last viewer');
  t.equal(main.stops, 1, 'and so does the main one');
  await gw.close();
});
