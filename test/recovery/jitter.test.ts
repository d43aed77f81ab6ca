import t from 'tap';
import fc from 'fast-check';
import { JitterEstimator } from '../../lib/recovery/jitter.js';
import { tsAdd } from '../../lib/rtp/seq.js';

t.test('perfectly paced stream: zero jitter, also across the 2^32 timestamp wrap', async (t) => {
  const j = new JitterEstimator(90000);
  for (let i = 0; i < 100; i++) j.update(tsAdd(0xffffffff - 90000, i * 3000), i * (1000 / 30));
  t.ok(j.jitter <= 1, `jitter ${j.jitter}`);
  t.equal(j.stats.packets, 100);
});

t.test('RFC 3550 A.8 recurrence by hand: J += (|D| - J) / 16', async (t) => {
  const j = new JitterEstimator(8000); // 8 units per ms
  j.update(0, 0);
  j.update(160, 25); // D = 25*8 - 160 = 40 -> J = 2.5
  t.equal(j.jitter, 2);
  t.equal(j.jitterMs, 2.5 / 8);
  j.update(320, 40); // D = 15*8 - 160 = -40 -> J = 2.5 + (40 - 2.5)/16 = 4.84375
  t.equal(j.jitter, 4);
  t.ok(Math.abs(j.jitterMs - 4.84375 / 8) < 1e-12);
});

t.test('property: alternating +-d ms arrival noise converges to about d ms (mean |D| = 2d)', async (t) => {
  fc.assert(fc.property(fc.double({ min: 0.5, max: 50, noNaN: true }), (d) => {
    const j = new JitterEstimator(90000);
    for (let i = 0; i < 400; i++) j.update(i * 3000, i * 33.3333333333 + (i % 2 ? d : 0));
    // |D| alternates around d (plus the sub-ms pacing error): J tends to |D|.
    return Math.abs(j.jitterMs - d) < 0.05 * d + 0.01;
  }));
});
