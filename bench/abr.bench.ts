/**
 * Adaptive bitrate's cost on the fan-out: 100 viewers of a stream with two renditions, each
 * packet through the viewer's rendition switch and sender, with bandwidth estimation on
 * (transport-wide CC negotiated: the extension written on every packet, the browser's feedback
 * parsed and run through the estimator, about every 100 ms as Chromium sends it) against off
 * (the same offer without the extension). CPU per delivered packet; the ratio is what matters.
 */
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../lib/gateway/source.js';
import type { PeerHandlers, PeerMediaParams, WebRtcPeer, WebRtcTransport } from '../lib/gateway/transport.js';
import { Gateway } from '../lib/gateway/gateway.js';
import { createDeps } from '../lib/gateway/wiring.js';
import { transportCcSize, writeTransportCc, TWCC_SMALL_DELTA } from '../lib/rtcp/index.js';
import { measureNs, withPeer, type Benchmark, type BenchResult } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';

let sink = 0;

class CountingPeer implements WebRtcPeer {
  readonly answerSdp = '';
  readonly state = 'connected' as const;
  readonly isOpen = true;
  packets = 0;
  constructor(readonly media: PeerMediaParams, readonly handlers: PeerHandlers) {}
  sendRtp(p: Uint8Array): boolean {
    sink += p[3];
    this.packets++;
    return true;
  }
  sendRtcp(): boolean {
    return true;
  }
  transportStats() {
    return { bytesSent: 0, bytesReceived: 0, rttMs: undefined };
  }
  close(): void {}
}

class CountingTransport implements WebRtcTransport {
  peers: CountingPeer[] = [];
  get peerCount() {
    return this.peers.length;
  }
  async createPeer(_o: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
    const p = new CountingPeer(media, handlers);
    this.peers.push(p);
    queueMicrotask(() => handlers.onOpen());
    return p;
  }
  cleanup(): void {}
}

class PushSource implements VideoSource {
  sink: SourceSink | undefined;
  start(s: SourceSink) {
    this.sink = s;
    s.onState('playing');
  }
  stop() {}
  requestKeyframe() {}
  info(): SourceInfo {
    return { profileLevelId: '42e01f' };
  }
  stats() {
    return {};
  }
}

const OFFER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=video 9 UDP/TLS/RTP/SAVPF 108', 'a=mid:0', 'a=recvonly',
  'a=rtpmap:108 H264/90000', 'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', '',
].join('\r\n');
const TWCC_LINE = 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n';

/** 2.6 Mbit/s-like 720p: a 60 KB IDR, then 10 KB P frames. */
function frames(): AccessUnit[] {
  const sps = new Uint8Array([0x67, 0x42, 0xe0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40]);
  const pps = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);
  const idr = pseudoRandomBytes(60_000, 1);
  idr[0] = 0x65;
  const out: AccessUnit[] = [{ nalus: [sps, pps, idr], keyframe: true, timestamp: 0 }];
  for (let i = 1; i < 30; i++) {
    const p = pseudoRandomBytes(10_000, i + 1);
    p[0] = 0x41;
    out.push({ nalus: [p], keyframe: false, timestamp: i * 3000 });
  }
  return out;
}

async function fanout(viewers: number, estimation: boolean): Promise<{ ns: ReturnType<typeof measureNs>; packets: number }> {
  const transport = new CountingTransport();
  const sources: PushSource[] = [];
  let now = 0;
  const gw = new Gateway(
    { streams: { cam: { renditions: [{ name: '720p', url: 'rtsp://b/main' }, { name: '360p', url: 'rtsp://b/sub' }], maxViewers: viewers } }, tickMs: 3_600_000 },
    transport,
    createDeps({}, { clock: { now: () => now, wallClock: () => 1_700_000_000_000 + now, setTimer: () => ({ cancel() {} }) } }),
    () => {
      const s = new PushSource();
      sources.push(s);
      return s;
    },
  );
  const stream = gw.stream('cam')!;
  for (let v = 0; v < viewers; v++) await stream.addViewer(OFFER + (estimation ? TWCC_LINE : ''));
  await new Promise((r) => setImmediate(r));
  const aus = frames();
  let ts = 0;
  let twSeq = 0;
  let reported = 0;
  const feedback = () => {
    // Every viewer has sent the same packets, so one feedback (all arrived, 1 ms apart) serves all.
    const n = Math.min(twSeq - reported, 8000);
    if (n <= 0) return;
    const fb = { senderSsrc: 1, mediaSsrc: 2, baseSeq: reported & 0xffff, referenceTime: Math.floor(now / 64), feedbackCount: 0, statuses: new Uint8Array(n).fill(TWCC_SMALL_DELTA), deltas: new Int32Array(n).fill(4) };
    const buf = new Uint8Array(transportCcSize(fb));
    writeTransportCc(fb, buf, 0);
    for (const p of transport.peers) p.handlers.onRtcp(buf);
    reported = twSeq;
  };
  const feed = (i: number) => {
    const au = aus[i % aus.length];
    ts = (ts + 3000) >>> 0;
    now += 33;
    const before = transport.peers[0].packets;
    sources[0].sink!.onAccessUnit({ nalus: au.nalus, keyframe: au.keyframe, timestamp: ts });
    sources[1].sink!.onAccessUnit({ nalus: [au.nalus[au.nalus.length - 1].subarray(0, 1500)], keyframe: au.keyframe, timestamp: ts });
    twSeq += transport.peers[0].packets - before;
    if (estimation && i % 3 === 2 && !process.env.ABR_NO_FEEDBACK) feedback();
    if (i % 8 === 0) stream.tick();
  };
  for (let i = 0; i < 30; i++) feed(i);
  const start = transport.peers.reduce((n, p) => n + p.packets, 0);
  const ns = measureNs(feed, { iterations: 120, runs: 9, warmup: 30 });
  const packets = transport.peers.reduce((n, p) => n + p.packets, 0) - start;
  await gw.close();
  return { ns, packets };
}

async function ratio(viewers: number): Promise<BenchResult> {
  const off = await fanout(viewers, false);
  const on = await fanout(viewers, true);
  // Packets per timed call: the same in both (the viewers stay on 720p).
  const calls = 120 * 9 + 30;
  const per = (m: typeof off) => ({ ...m.ns, median: (m.ns.median * calls) / m.packets, min: (m.ns.min * calls) / m.packets, max: (m.ns.max * calls) / m.packets });
  const own = per(on);
  const peer = per(off);
  return withPeer(`abr.fanout.${viewers}`, 'ns/delivered packet', own, 'estimation off', peer, { viewers, onOverOff: Math.round((own.median / peer.median) * 100) / 100 });
}

export const benchmarks: Benchmark[] = [{ name: 'abr.fanout', run: async () => [await ratio(100)] }];

export const _sink = () => sink;
