import t from 'tap';
import fc from 'fast-check';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { clipMount } from '../../lib/rtsp/server/clip-mount.js';
import { UdpOutput } from '../../lib/rtsp/server/outputs.js';
import { readViewerFeedback } from '../../lib/rtsp/server/rtcp.js';
import { serializeRtcp, seqsToNackItems, ntpMiddle32FromMs, msToDlsr } from '../../lib/rtcp/index.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { syntheticNalus } from '../support/h264-synthetic.js';

const EMPTY = new Uint8Array(0);

t.test('viewer feedback: NACK seqs for our SSRC only, PLI, RTT from a report block about us', async (t) => {
  const now = 1_700_000_000_000;
  const buf = serializeRtcp([
    { type: 'rr', ssrc: 9, reports: [{ ssrc: 0xabc, fractionLost: 0, cumulativeLost: 0, highestSeq: 0, jitter: 0, lsr: ntpMiddle32FromMs(now - 30), dlsr: msToDlsr(10) }], profileExtension: EMPTY },
    { type: 'nack', senderSsrc: 9, mediaSsrc: 0xabc, items: seqsToNackItems([65534, 65535, 0, 3]) },
    { type: 'nack', senderSsrc: 9, mediaSsrc: 0xdef, items: seqsToNackItems([7]) },
    { type: 'pli', senderSsrc: 9, mediaSsrc: 0xabc },
  ]);
  const f = readViewerFeedback(buf, 0xabc, now);
  t.same(f.nackSeqs, [65534, 65535, 0, 3]);
  t.equal(f.keyframe, 'pli');
  t.ok(Math.abs(f.rttMs! - 20) < 0.1, `rtt ${f.rttMs}`);
  t.same(readViewerFeedback(Uint8Array.of(0x80, 1, 2), 0xabc, now), { keyframe: undefined, nackSeqs: [], rttMs: undefined });
});

t.test('viewer feedback: arbitrary bytes never throw', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => { readViewerFeedback(b, 1, 0); }));
});

t.test("a UDP output answers a NACK across the wrap from the track's history, once per RTT", async (t) => {
  const clock = new VirtualScheduler();
  const source = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 10, gop: 5, idrBytes: 3000 })), 25);
  const s = clipMount('demo', source, { clock, initialSequenceNumber: 65530 });
  const rtp: Uint8Array[] = [];
  const socket = { send: (pkt: Uint8Array, port: number) => { if (port === 4000) rtp.push(pkt); } };
  const v = new UdpOutput(s, socket, socket, '127.0.0.1', 4000, 4001);
  v.rttMs = 50;
  s.attach(v);
  clock.advance(200);
  const sent = rtp.map((p) => parseRtp(p).sequenceNumber);
  const n = rtp.length;
  t.ok(sent.includes(65535) && sent.includes(2), 'crossed the wrap');
  t.equal(s.answerNack(v, [65534, 1, 40000]), 2, 'held packets resent; one never sent');
  const resent = rtp.slice(n);
  t.same(resent.map((p) => parseRtp(p).sequenceNumber), [65534, 1]);
  t.same(resent[0], rtp[sent.indexOf(65534)], 'byte-identical copy');
  t.equal(s.answerNack(v, [65534]), 0, 'not twice within one RTT');
  clock.advance(60);
  t.equal(s.answerNack(v, [65534]), 1, 'again after the RTT');
  clock.advance(2000);
  t.equal(s.answerNack(v, [65534]), 0, 'aged out of the history');
  t.equal(s.stats().retransmissions, 3);
  t.equal(v.packetsResent, 3);
  const off = clipMount('off', source, { clock, retransmission: false });
  t.equal(off.answerNack(v, [1]), 0, 'retransmission off: NACKs are not answered');
});
