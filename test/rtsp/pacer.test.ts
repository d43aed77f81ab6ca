import t from 'tap';
import fc from 'fast-check';
import { RtpPacer } from '../../lib/rtsp/server/pacer.js';

t.test('frames are due at anchor + timestamp distance, across the 2^32 timestamp wrap', (t) => {
  const p = new RtpPacer();
  const start = 0xffffffff - 3000 + 1;
  p.anchor(start, 1000);
  t.equal(p.delayUntil(start, 1000), 0);
  t.equal(p.delayUntil((start + 3600) >>> 0, 1000), 40, 'one 25 fps frame later, past the wrap');
  t.equal(p.delayUntil((start + 3600) >>> 0, 1030), 10);
  t.equal(p.delayUntil((start + 3600) >>> 0, 1050), 0, 'late frames are due now');
  t.equal(p.stats.reanchors, 0);
  t.end();
});

t.test('no drift: due times depend only on the anchor, not on how late earlier frames ran', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 200 }), (ts0, lateness) => {
      const p = new RtpPacer({ maxLagMs: 1000 });
      p.anchor(ts0, 0);
      let ts = ts0;
      let now = 0;
      for (let i = 0; i < lateness.length; i++) {
        ts = (ts + 3000) >>> 0; // 30 fps
        const due = ((i + 1) * 100) / 3;
        const delay = p.delayUntil(ts, now);
        if (Math.abs(now + delay - Math.max(due, now)) > 1e-6) return false;
        now = Math.max(due, now) + lateness[i]; // the timer fires a little late
      }
      return p.stats.reanchors === 0;
    }),
  );
  t.end();
});

t.test('re-anchors instead of bursting after a long stall', (t) => {
  const p = new RtpPacer({ maxLagMs: 500 });
  p.anchor(0, 0);
  t.equal(p.delayUntil(90 * 100, 2000), 0);
  t.equal(p.stats.reanchors, 1);
  t.equal(p.delayUntil(90 * 140, 2000), 40, 'the next frame is paced from the new anchor');
  t.end();
});

t.test('rtpTimeAt maps wall time to RTP time for sender reports', (t) => {
  const p = new RtpPacer();
  p.anchor(0xfffffff0, 5000);
  t.equal(p.rtpTimeAt(5000), 0xfffffff0);
  t.equal(p.rtpTimeAt(6000), (0xfffffff0 + 90000) >>> 0);
  t.end();
});
