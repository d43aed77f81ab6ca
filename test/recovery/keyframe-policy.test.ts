import t from 'tap';
import { KeyframePolicy } from '../../lib/recovery/keyframe-policy.js';

t.test('PLI/FIR from many receivers: forwarded upstream at most once per second, the rest merged', async (t) => {
  const k = new KeyframePolicy();
  t.equal(k.request('pli', 0), true);
  t.equal(k.request('pli', 10), false);
  t.equal(k.request('fir', 20), false);
  t.equal(k.request('pli', 500), false);
  t.equal(k.poll(999), false);
  t.equal(k.poll(1000), true, 'one merged request goes out when the interval ends');
  t.equal(k.poll(1001), false);
  t.equal(k.poll(5000), false, 'nothing pending after it went out');
  t.same(k.stats, { pliIn: 3, firIn: 1, forwarded: 2, merged: 2, keyframes: 0 });
});

t.test('a keyframe arriving satisfies a pending request', async (t) => {
  const k = new KeyframePolicy();
  k.request('pli', 0);
  k.request('pli', 100);
  k.onKeyframe();
  t.equal(k.poll(1500), false);
  t.equal(k.stats.keyframes, 1);
});

t.test('minIntervalMs sets the spacing of upstream requests', async (t) => {
  const k = new KeyframePolicy({ minIntervalMs: 200 });
  t.equal(k.request('pli', 0), true);
  t.equal(k.request('pli', 150), false);
  t.equal(k.poll(199), false);
  t.equal(k.poll(200), true);
  t.equal(k.request('fir', 400), true);
});
