import t from 'tap';
import { RecoveryTracker } from '../../tools/lab/recovery-tracker.js';

t.test('latency from loss to the first repair that got through, across the wrap', async (t) => {
  const r = new RecoveryTracker();
  r.lost(65534, 0);
  r.lost(65535, 10);
  r.lost(1, 20);
  r.repaired(65534, 5);
  r.repaired(65534, 50);
  r.repaired(1, 250);
  r.repaired(7, 300);
  const s = r.stats();
  t.equal(s.lost, 3);
  t.equal(s.recovered, 2);
  t.equal(s.unrecovered, 1);
  t.equal(s.maxMs, 230);
  t.equal(s.over100Ms, 1);
  t.equal(s.over200Ms, 1);
  t.equal(s.p50Ms, 230);
});

t.test('bounded: very old losses are forgotten and counted unrecovered', async (t) => {
  const r = new RecoveryTracker();
  for (let i = 0; i < 5000; i++) r.lost(i & 0xffff, i);
  t.equal(r.stats().unrecovered, 5000);
  r.repaired(4999, 5000);
  t.equal(r.stats().recovered, 1);
});
