import t from 'tap';
import fc from 'fast-check';
import { WireCounter, classify } from '../../tools/lab/wire-counter.js';

function rtp(seq: number, ts: number, ssrc = 0x11223344, pt = 102): Uint8Array {
  const b = new Uint8Array(40);
  b[0] = 0x80; b[1] = pt;
  b[2] = seq >> 8; b[3] = seq & 0xff;
  b[4] = ts >>> 24; b[5] = (ts >>> 16) & 0xff; b[6] = (ts >>> 8) & 0xff; b[7] = ts & 0xff;
  b[8] = ssrc >>> 24; b[9] = (ssrc >>> 16) & 0xff; b[10] = (ssrc >>> 8) & 0xff; b[11] = ssrc & 0xff;
  return b;
}

t.test('classify follows RFC 7983 / RFC 5761', async (t) => {
  t.equal(classify(Uint8Array.of(0, 1, 0, 0)), 'other', 'STUN');
  t.equal(classify(Uint8Array.of(22, 254, 253)), 'other', 'DTLS');
  t.equal(classify(Uint8Array.of(0x81, 201, 0, 7)), 'rtcp', 'RR');
  t.equal(classify(Uint8Array.of(0x81, 205, 0, 3)), 'rtcp', 'NACK');
  t.equal(classify(rtp(1, 1)), 'media');
  t.equal(classify(rtp(1, 1, 1, 96 | 0x80)), 'media', 'marker bit set');
  t.equal(classify(Uint8Array.of(0x80, 96)), 'other', 'too short for RTP');
});

t.test('frames, retransmissions and RTX are told apart', async (t) => {
  const w = new WireCounter();
  for (let i = 0; i < 10; i++) w.media(rtp(100 + i, 3000 * Math.floor(i / 3)));
  t.equal(w.counts.frames, 4);
  t.equal(w.counts.mediaPackets, 10);
  t.same(w.media(rtp(104, 3000)), { cls: 'repair', pass: true });
  t.same(w.media(rtp(7, 3000, 0x55)), { cls: 'repair', pass: true }, 'another SSRC is RTX');
  t.equal(w.counts.retransmissions, 1);
  t.equal(w.counts.rtx, 1);
  w.reverse(Uint8Array.of(0x81, 205, 0, 3));
  t.equal(w.counts.rtcp, 1);
});

t.test('cut: the frame in progress completes, new frames stop, repairs pass', async (t) => {
  const w = new WireCounter();
  w.media(rtp(1, 0)); w.media(rtp(2, 3000));
  w.cut();
  t.equal(w.media(rtp(3, 3000)).pass, true, 'rest of the current frame');
  t.equal(w.media(rtp(4, 6000)).pass, false, 'a new frame');
  t.equal(w.media(rtp(1, 0)).pass, true, 'a retransmission');
  t.equal(w.counts.frames, 2);
  t.equal(w.counts.cutDropped, 1);
});

t.test('sequence wrap: first transmissions across 65535 -> 0 are not retransmissions; repeats are', async (t) => {
  await fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 1, max: 70000 }), (start, n) => {
    const w = new WireCounter();
    for (let i = 0; i < n; i++) w.media(rtp((start + i) & 0xffff, i));
    const again = w.media(rtp((start + n - 1) & 0xffff, n - 1));
    return w.counts.retransmissions === 1 && w.counts.mediaPackets === n && w.counts.frames === n && again.cls === 'repair';
  }), { numRuns: 20 });
});

t.test('a sender that skips sequence numbers is caught', async (t) => {
  const w = new WireCounter();
  for (const seq of [10, 11, 12, 600, 601]) w.media(rtp(seq, seq));
  t.equal(w.counts.seqDiscontinuities, 1);
  t.equal(w.counts.maxSeqJump, 587);
  w.media(rtp(11, 11));
  t.equal(w.counts.seqDiscontinuities, 1, 'a retransmission is not a discontinuity');
});

t.test('frames sent to the end: first transmissions carrying the marker', async (t) => {
  const w = new WireCounter();
  const marked = (seq: number, ts: number) => {
    const b = rtp(seq, ts);
    b[1] |= 0x80;
    return b;
  };
  w.media(rtp(1, 0));
  w.media(marked(2, 0)); // whole frame
  w.media(rtp(3, 3000)); // abandoned: never marked
  w.media(marked(4, 6000));
  w.media(marked(4, 6000)); // its retransmission is not a second frame
  t.equal(w.counts.frames, 3);
  t.equal(w.counts.framesMarked, 2);
});
