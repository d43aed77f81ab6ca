import t from 'tap';
import fc from 'fast-check';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { SharedStream, type StreamViewer } from '../../lib/rtsp/server/shared-stream.js';
import { readViewerFeedback } from '../../lib/rtsp/server/rtcp.js';
import { ResendLimiter } from '../../lib/recovery/history.js';
import { serializeRtcp, seqsToNackItems, ntpMiddle32FromMs, msToDlsr } from '../../lib/rtcp/index.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { syntheticNalus } from '../support/h264-synthetic.js';

const EMPTY = new Uint8Array(0);

class Recorder implements StreamViewer {
  rtp: Uint8Array[] = [];
  resent: Uint8Array[] = [];
  deliverRtp(pkt: Uint8Array): void { this.rtp.push(pkt); }
  deliverRtcp(): void {}
  resend(pkt: Uint8Array): void { this.resent.push(pkt.slice()); }
}

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

t.test('shared stream answers a NACK across the wrap from its history, once per RTT per viewer', async (t) => {
  const clock = new VirtualScheduler();
  const source = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 10, gop: 5, idrBytes: 3000 })), 25);
  const s = new SharedStream(source, { clock: clock, initialSequenceNumber: 65530 });
  const v = new Recorder();
  s.add(v);
  clock.advance(200);
  const sent = v.rtp.map((p) => parseRtp(p).sequenceNumber);
  t.ok(sent.includes(65535) && sent.includes(2), 'crossed the wrap');
  const limiter = new ResendLimiter();
  t.equal(s.answerNack([65534, 1, 40000], limiter, 50, v), 2, 'held packets resent; one never sent');
  t.same(v.resent.map((p) => parseRtp(p).sequenceNumber), [65534, 1]);
  t.same(v.resent[0], v.rtp[sent.indexOf(65534)], 'byte-identical copy');
  t.equal(s.answerNack([65534], limiter, 50, v), 0, 'not twice within one RTT');
  clock.advance(60);
  t.equal(s.answerNack([65534], limiter, 50, v), 1, 'again after the RTT');
  clock.advance(2000);
  t.equal(s.answerNack([65534], limiter, 50, v), 0, 'aged out of the history');
  const st = s.stats();
  t.equal(st.retransmissions, 3);
  t.ok(st.history!.expired >= 1 && st.history!.unknown >= 1);
  const off = new SharedStream(source, { clock: clock, retransmission: false });
  t.equal(off.answerNack([1], limiter, 50, v), 0);
  t.equal(off.stats().history, undefined);
});
