import t from 'tap';
import fc from 'fast-check';
import { parseRtp, serializeRtp } from '../../lib/rtp/index.js';
import { seqAdd, seqDistance } from '../../lib/rtp/seq.js';
import type { EgressHistory, GatewayRtcp, RtcpEvent, RtxBuilder } from '../../lib/gateway/deps.js';
import { Viewer } from '../../lib/gateway/viewer.js';
import { FakePeer, VirtualClock } from '../support/fake-transport.js';

const EGRESS_SSRC = 0xabcdef01;

function egressPacket(seq: number, ts: number, tag: number): Uint8Array {
  const payload = new Uint8Array([0x65, (tag >> 8) & 0xff, tag & 0xff, 7, 7]);
  return serializeRtp({
    version: 2, padding: false, extension: false, marker: false, payloadType: 96, sequenceNumber: seq,
    timestamp: ts, ssrc: EGRESS_SSRC, csrc: [], headerExtension: undefined, payload, paddingLength: 0,
  });
}

/** RTCP "parser" that hands back whatever events the test queued: viewer logic without wire format. */
class ScriptedRtcp implements GatewayRtcp {
  queue: RtcpEvent[] = [];
  srs: { rtpTimestamp: number; packetCount: number; wallClockMs: number }[] = [];
  parse(p: Uint8Array): RtcpEvent[] {
    if (p[0] === 0xff) throw Object.assign(new Error('bad'), { code: 'RTCP_BAD' });
    const q = this.queue;
    this.queue = [];
    return q;
  }
  senderReport(i: { rtpTimestamp: number; packetCount: number; wallClockMs: number }): Uint8Array {
    this.srs.push(i);
    return new Uint8Array([0x80, 200, 0, 6]);
  }
  dlrrs: { senderSsrc: number; receiverSsrc: number; lastRr: number; delayMs: number }[] = [];
  dlrr(senderSsrc: number, receiverSsrc: number, lastRr: number, delayMs: number): Uint8Array {
    this.dlrrs.push({ senderSsrc, receiverSsrc, lastRr, delayMs });
    return new Uint8Array([0x80, 207, 0, 5]);
  }
  ntpMiddle(ms: number): number {
    return Math.floor(ms) >>> 0;
  }
}

const testRtx: RtxBuilder = {
  build(orig, pt, ssrc, seq) {
    const p = parseRtp(orig);
    const payload = new Uint8Array(p.payload.length + 2);
    payload[0] = p.sequenceNumber >> 8;
    payload[1] = p.sequenceNumber & 0xff;
    payload.set(p.payload, 2);
    return serializeRtp({ ...p, payloadType: pt, ssrc, sequenceNumber: seq, payload });
  },
};

function setup(opts: { rtx?: boolean; random?: () => number } = {}) {
  const clock = new VirtualClock();
  const rtcp = new ScriptedRtcp();
  const store = new Map<number, Uint8Array>();
  const history: EgressHistory = { put: (s, p) => store.set(s, p), get: (s) => store.get(s) };
  const keyframeRequests: string[] = [];
  const peer = new FakePeer(
    { mid: '0', payloadType: 108, fmtp: '', ssrc: 0x1111, rtxPayloadType: opts.rtx ? 109 : undefined,
      rtxSsrc: opts.rtx ? 0x2222 : undefined, cname: 'c', streamId: 's', trackId: 't' },
    { onRtcp: () => {}, onOpen: () => {}, onState: () => {} },
    () => {},
  );
  peer.open();
  const viewer = new Viewer({
    id: 'v', peer, tracks: [{ kind: 'video', media: peer.media, history }], rtcp, rtx: opts.rtx ? testRtx : undefined, clock, random: opts.random,
    onKeyframeRequest: (v) => keyframeRequests.push(v.id),
  });
  return { clock, rtcp, store, history, peer, viewer, sender: viewer.sender('video')!, keyframeRequests };
}

t.test('cached keyframe then live packets: contiguous viewer sequence, own SSRC and PT, NACK maps back (across the wrap)', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 40 }),
      fc.double({ min: 0, max: 0.9999, noNaN: true }),
      fc.boolean(),
      (egressStart, cacheLen, skipped, liveLen, r, rtx) => {
        const { rtcp, store, peer, viewer, sender } = setup({ rtx, random: () => r });
        let seq = egressStart;
        let tag = 0;
        const cache: Uint8Array[] = [];
        for (let i = 0; i < cacheLen; i++, seq = seqAdd(seq, 1)) {
          const p = egressPacket(seq, 1000, tag++);
          store.set(seq, p);
          cache.push(p);
        }
        // Packets of later frames the new viewer never sees (it joins after them).
        for (let i = 0; i < skipped; i++, seq = seqAdd(seq, 1)) store.set(seq, egressPacket(seq, 4000, tag++));
        sender.startFromCache({ packets: cache, firstSeq: egressStart }, seq, 4000);
        for (let i = 0; i < liveLen; i++, seq = seqAdd(seq, 1)) {
          const p = egressPacket(seq, 7000, tag++);
          store.set(seq, p);
          sender.sendLive(p, seq, 7000, false);
        }
        const sent = peer.rtp.map(parseRtp);
        if (sent.length !== cacheLen + liveLen) return false;
        for (let i = 1; i < sent.length; i++) if (seqDistance(sent[i - 1].sequenceNumber, sent[i].sequenceNumber) !== 1) return false;
        if (!sent.every((p) => p.ssrc === 0x1111 && p.payloadType === 108)) return false;
        // Cached keyframe carries the newest timestamp, not its old one.
        if (sent[0].timestamp !== sent[cacheLen - 1].timestamp) return false;
        if (liveLen > 0 && seqDistance(sent[0].timestamp, sent[cacheLen].timestamp) !== 3000) return false;
        // NACK every sent packet: each comes back identical (or wrapped in RTX with OSN).
        const before = peer.rtp.length;
        rtcp.queue = [{ type: 'nack', mediaSsrc: 0x1111, lost: sent.map((p) => p.sequenceNumber) }];
        viewer.handleRtcp(new Uint8Array(4));
        const resent = peer.rtp.slice(before).map(parseRtp);
        if (resent.length !== sent.length) return false;
        for (let i = 0; i < sent.length; i++) {
          let r2 = resent[i];
          if (rtx) {
            if (r2.payloadType !== 109 || r2.ssrc !== 0x2222) return false;
            const osn = (r2.payload[0] << 8) | r2.payload[1];
            if (osn !== sent[i].sequenceNumber) return false;
            r2 = { ...r2, payload: r2.payload.subarray(2), sequenceNumber: osn, ssrc: 0x1111, payloadType: 108 };
          }
          if (r2.sequenceNumber !== sent[i].sequenceNumber || r2.timestamp !== sent[i].timestamp) return false;
          if (Buffer.compare(Buffer.from(r2.payload), Buffer.from(sent[i].payload)) !== 0) return false;
        }
        const s = viewer.stats();
        return s.retransmitted + s.rtxSent === sent.length && s.retransmitUnavailable === 0;
      },
    ),
    { numRuns: 300 },
  );
  t.end();
});

t.test('a viewer without a cached keyframe waits for the next live keyframe', (t) => {
  const { peer, viewer, sender } = setup();
  sender.waitForKeyframe();
  sender.sendLive(egressPacket(65534, 0, 1), 65534, 0, false);
  t.equal(peer.rtp.length, 0, 'nothing before a keyframe');
  t.equal(viewer.state, 'waiting-keyframe');
  sender.sendLive(egressPacket(65535, 3000, 2), 65535, 3000, true);
  sender.sendLive(egressPacket(0, 3000, 3), 0, 3000, false);
  t.equal(peer.rtp.length, 2);
  t.equal(viewer.state, 'playing');
  const [a, b] = peer.rtp.map(parseRtp);
  t.equal(seqDistance(a.sequenceNumber, b.sequenceNumber), 1, 'contiguous across the egress wrap');
  t.end();
});

t.test('NACK for packets never sent or expired is counted, not answered', (t) => {
  const { rtcp, store, peer, viewer, sender } = setup({ random: () => 0.5 });
  sender.waitForKeyframe();
  const p = egressPacket(10, 0, 1);
  store.set(10, p);
  sender.sendLive(p, 10, 0, true);
  const vseq = parseRtp(peer.rtp[0]).sequenceNumber;
  store.clear();
  rtcp.queue = [{ type: 'nack', mediaSsrc: 0x1111, lost: [vseq, seqAdd(vseq, -5)] }];
  viewer.handleRtcp(new Uint8Array(4));
  t.equal(peer.rtp.length, 1, 'nothing resent');
  t.equal(viewer.stats().retransmitUnavailable, 2);
  t.end();
});

t.test('PLI and FIR go to the keyframe policy; REMB and RR are read; bad RTCP is counted', (t) => {
  const { rtcp, viewer, sender, keyframeRequests, clock, peer } = setup();
  sender.waitForKeyframe();
  sender.sendLive(egressPacket(1, 0, 1), 1, 0, true);
  rtcp.queue = [{ type: 'pli', mediaSsrc: 0x1111 }, { type: 'fir', mediaSsrc: 0x1111 }, { type: 'remb', bitrate: 2_500_000 }];
  viewer.handleRtcp(new Uint8Array(4));
  t.same(keyframeRequests, ['v', 'v']);
  sender.tick(90000);
  t.equal(peer.rtcp.length, 1, 'an SR went out');
  const srWall = clock.wallClock();
  clock.advance(250);
  rtcp.queue = [{ type: 'report', ssrc: 0x1111, fractionLost: 0.25, cumulativeLost: 3, jitter: 40, lastSr: srWall >>> 0, delaySinceLastSr: 65536 / 10 }];
  viewer.handleRtcp(new Uint8Array(4));
  viewer.handleRtcp(new Uint8Array([0xff, 0, 0, 0]));
  const s = viewer.stats();
  t.equal(s.rembBitrate, 2_500_000);
  t.equal(s.fractionLost, 0.25);
  t.equal(s.cumulativeLost, 3);
  t.equal(s.rttMs, 150, 'RTT = arrival - SR sent - DLSR (250 - 100 ms)');
  t.equal(s.rtcpErrors, 1);
  t.equal(s.plisReceived, 1);
  t.equal(s.firsReceived, 1);
  t.end();
});

t.test('XR RRTR is answered at once with a DLRR naming the receiver and echoing its timestamp', (t) => {
  const { rtcp, viewer, peer } = setup();
  rtcp.queue = [{ type: 'rrtr', ssrc: 0xbeef, lastRr: 0xc2b14000 }, { type: 'rrtr', ssrc: 0xbeef, lastRr: 0xc2b24000 }];
  viewer.handleRtcp(new Uint8Array(4));
  t.same(rtcp.dlrrs, [
    { senderSsrc: 0x1111, receiverSsrc: 0xbeef, lastRr: 0xc2b14000, delayMs: 0 },
    { senderSsrc: 0x1111, receiverSsrc: 0xbeef, lastRr: 0xc2b24000, delayMs: 0 },
  ]);
  t.equal(peer.rtcp.length, 2, 'both went out');
  t.equal(viewer.stats().rrtrReceived, 2);
  t.equal(viewer.stats().dlrrSent, 2);
  peer.close();
  rtcp.queue = [{ type: 'rrtr', ssrc: 0xbeef, lastRr: 1 }];
  viewer.handleRtcp(new Uint8Array(4));
  t.equal(viewer.stats().dlrrSent, 2, 'nothing sent on a closed peer');
  t.end();
});

t.test('SR once per second with the RTP timestamp of that instant on the viewer timeline', (t) => {
  const { rtcp, sender, clock, peer } = setup({ random: () => 0.25 });
  sender.waitForKeyframe();
  sender.sendLive(egressPacket(1, 90000, 1), 1, 90000, true);
  const sentTs = parseRtp(peer.rtp[0]).timestamp;
  sender.tick(90000);
  clock.advance(500);
  sender.tick(90000 + 45000);
  t.equal(rtcp.srs.length, 1, 'not twice within a second');
  clock.advance(500);
  sender.tick(90000 + 90000);
  t.equal(rtcp.srs.length, 2);
  t.equal(rtcp.srs[0].rtpTimestamp, sentTs, 'SR timestamp uses the same offset as the media');
  t.equal(rtcp.srs[1].rtpTimestamp, (sentTs + 90000) >>> 0);
  t.equal(rtcp.srs[1].packetCount, 1);
  t.equal(rtcp.srs[1].wallClockMs - rtcp.srs[0].wallClockMs, 1000);
  t.end();
});

t.test('the same packet is not resent twice within one RTT; the cached keyframe is served after the history forgot it', async (t) => {
  const { ResendLimiter } = await import('../../lib/recovery/index.js');
  const clock = new VirtualClock();
  const rtcp = new ScriptedRtcp();
  const store = new Map<number, Uint8Array>();
  const peer = new FakePeer(
    { mid: '0', payloadType: 108, fmtp: '', ssrc: 0x1111, cname: 'c', streamId: 's', trackId: 't' },
    { onRtcp: () => {}, onOpen: () => {}, onState: () => {} },
    () => {},
  );
  peer.open();
  const viewer = new Viewer({
    id: 'v', peer, rtcp, clock, onKeyframeRequest: () => {},
    tracks: [{ kind: 'video', media: peer.media, resendGate: new ResendLimiter(), history: { put: (s, p) => store.set(s, p), get: (s) => store.get(s) } }],
  });
  const sender = viewer.sender('video')!;
  const cached = [egressPacket(100, 0, 1), egressPacket(101, 0, 2)];
  sender.startFromCache({ packets: cached, firstSeq: 100 }, 500, 9000);
  const live = egressPacket(500, 12000, 3);
  store.set(500, live);
  sender.sendLive(live, 500, 12000, false);
  const seqs = peer.rtp.map((p) => parseRtp(p).sequenceNumber);
  const nack = (lost: number[]) => {
    rtcp.queue = [{ type: 'nack', mediaSsrc: 0x1111, lost }];
    viewer.handleRtcp(new Uint8Array(4));
  };
  nack(seqs);
  t.equal(viewer.stats().retransmitted, 3, 'cached keyframe (not in the history) and live packet resent');
  clock.advance(50);
  nack(seqs);
  t.equal(viewer.stats().retransmitSuppressed, 3, 'asked again within the 100 ms default RTT: suppressed');
  clock.advance(100);
  nack(seqs);
  t.equal(viewer.stats().retransmitted, 6, 'after an RTT: resent again');
});

t.test('two tracks: NACKs and receiver reports reach the sender of the SSRC they name; counters add up, the state is the first track\'s', (t) => {
  const clock = new VirtualClock();
  const rtcp = new ScriptedRtcp();
  const stores = [new Map<number, Uint8Array>(), new Map<number, Uint8Array>()];
  const peer = new FakePeer(
    { mid: '0', payloadType: 108, fmtp: '', ssrc: 0x1111, cname: 'c', streamId: 's', trackId: 't' },
    { onRtcp: () => {}, onOpen: () => {}, onState: () => {} },
    () => {},
  );
  peer.open();
  const history = (m: Map<number, Uint8Array>): EgressHistory => ({ put: (s, p) => m.set(s, p), get: (s) => m.get(s) });
  const viewer = new Viewer({
    id: 'v', peer, rtcp, clock, onKeyframeRequest: () => {}, random: () => 0.5,
    tracks: [
      { kind: 'video', media: peer.media, history: history(stores[0]) },
      { kind: 'audio', media: { ssrc: 0x2222, payloadType: 111, cname: 'c' }, history: history(stores[1]) },
    ],
  });
  const video = viewer.sender('video')!;
  const audio = viewer.sender('audio')!;
  for (const [i, s] of [video, audio].entries()) {
    s.waitForKeyframe();
    const p = egressPacket(10, 0, i);
    stores[i].set(10, p);
    s.sendLive(p, 10, 0, true);
  }
  t.equal(viewer.state, 'playing');
  const [v] = peer.rtp.map(parseRtp);
  const [a] = peer.audioRtp.map(parseRtp);
  t.same([v.ssrc, v.payloadType, a.ssrc, a.payloadType], [0x1111, 108, 0x2222, 111], 'each track on its own SSRC, payload type and m-line');
  rtcp.queue = [
    { type: 'nack', mediaSsrc: 0x2222, lost: [a.sequenceNumber] },
    { type: 'report', ssrc: 0x2222, fractionLost: 0.5, cumulativeLost: 7, jitter: 1, lastSr: 0, delaySinceLastSr: 0 },
  ];
  viewer.handleRtcp(new Uint8Array(4));
  const resent = parseRtp(peer.audioRtp[1]);
  t.same([resent.ssrc, resent.payload[2]], [0x2222, 1], 'the audio packet resent from the audio history');
  t.same([audio.stats.nacksReceived, audio.stats.rrReceived, video.stats.nacksReceived, video.stats.rrReceived], [1, 1, 0, 0]);
  const s = viewer.stats();
  t.same([s.packetsSent, s.nacksReceived, s.retransmitted, s.rrReceived], [2, 1, 1, 1], 'summed over the tracks');
  t.equal(s.fractionLost, 0, 'receiver-report fields are the first track\'s');
  viewer.close();
  t.same([viewer.state, video.state, audio.state], ['closed', 'closed', 'closed']);
  t.end();
});
