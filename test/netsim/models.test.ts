import t from 'tap';
import fc from 'fast-check';
import { Prng } from '../../lib/netsim/prng.js';
import { RandomLoss, GilbertElliottLoss, Duplicate } from '../../lib/netsim/loss.js';
import { Reorder } from '../../lib/netsim/reorder.js';
import { Delay, RateCap } from '../../lib/netsim/delay.js';
import { Link, simulate, linkFromProfile, type TimedPacket } from '../../lib/netsim/link.js';
import { profiles } from '../../lib/netsim/profiles.js';
import { CamwireError } from '../../lib/errors.js';

const stream = (n: number, interval = 1, size = 1200): TimedPacket<number>[] => Array.from({ length: n }, (_, i) => ({ data: i, time: i * interval, size }));

t.test('PRNG: seeded, deterministic, roughly uniform', async (t) => {
  const a = new Prng(42);
  const b = new Prng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  t.same(xs, Array.from({ length: 1000 }, () => b.next()));
  t.notSame(xs.slice(0, 10), Array.from({ length: 10 }, () => new Prng(43).next()));
  t.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  const c = new Prng(7);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 40000; i++) counts[c.int(4)]++;
  t.ok(counts.every((k) => Math.abs(k - 10000) < 500), `${counts}`);
});

t.test('same seed, same run: a whole link is repeatable', async (t) => {
  const run = (seed: number) => simulate(profiles.firewall, stream(3000, 0.3), seed).map((p) => `${p.data}@${p.time.toFixed(6)}`).join(',');
  t.equal(run(5), run(5));
  t.not(run(5), run(6));
});

t.test('random loss: the drop rate matches the probability', async (t) => {
  const m = new RandomLoss(0.1, new Prng(1));
  const out = simulate([m], stream(50000));
  const rate = 1 - out.length / 50000;
  t.ok(Math.abs(rate - 0.1) < 0.006, `rate ${rate}`);
  t.equal(m.stats.dropped, 50000 - out.length);
});

t.test('Gilbert-Elliott: average loss and mean burst length match the parameters', async (t) => {
  for (const [loss, meanBurst] of [[0.05, 1], [0.05, 4], [0.2, 8]] as const) {
    const m = new GilbertElliottLoss({ loss, meanBurst }, new Prng(3));
    const n = 100000;
    const got = new Set(simulate([m], stream(n)).map((p) => p.data));
    let lost = 0, bursts = 0, inBurst = false;
    for (let i = 0; i < n; i++) {
      if (!got.has(i)) { lost++; if (!inBurst) bursts++; inBurst = true; } else inBurst = false;
    }
    t.ok(Math.abs(lost / n - loss) < 0.12 * loss, `loss ${lost / n} vs ${loss}`);
    t.ok(Math.abs(lost / bursts - meanBurst) < 0.1 * meanBurst, `mean burst ${lost / bursts} vs ${meanBurst}`);
  }
});

t.test('reorder: probability and depth bound how far a packet falls behind', async (t) => {
  const m = new Reorder({ probability: 0.2, depth: 5, maxHoldMs: 1000 }, new Prng(9));
  const out = simulate([m], stream(20000));
  t.equal(out.length, 20000, 'nothing lost');
  let displaced = 0, maxBehind = 0;
  const pos = new Map(out.map((p, i) => [p.data, i]));
  for (let i = 0; i < 20000; i++) {
    const behind = pos.get(i)! - i;
    if (behind > 0) { displaced++; maxBehind = Math.max(maxBehind, behind); }
  }
  t.ok(Math.abs(m.stats.reordered / 20000 - 0.2) < 0.015, `held ${m.stats.reordered}`);
  t.ok(maxBehind <= 5 * 2, `max displacement ${maxBehind}`);
  t.ok(displaced > 0);
  for (let i = 1; i < out.length; i++) if (out[i].time < out[i - 1].time) t.fail('arrival times must not go back');
});

t.test('reorder under load: more reordering while packets come close together', async (t) => {
  const mk = () => new Reorder({ probability: 0.01, depth: 3, underLoad: { gapMs: 1, probability: 0.2 } }, new Prng(4));
  const slow = mk(); simulate([slow], stream(10000, 5));
  const fast = mk(); simulate([fast], stream(10000, 0.2));
  t.ok(slow.stats.reordered < 200, `slow ${slow.stats.reordered}`);
  t.ok(fast.stats.reorderedUnderLoad > 1500, `fast ${fast.stats.reorderedUnderLoad}`);
});

t.test('a held packet with nothing behind it leaves after maxHoldMs', async (t) => {
  const m = new Reorder({ probability: 1, depth: 3, maxHoldMs: 30 }, new Prng(1));
  const out = simulate([m], [{ data: 'only', time: 10 }]);
  t.same(out, [{ data: 'only', time: 40 }]);
  t.equal(m.stats.releasedByTimeout, 1);
});

t.test('duplication', async (t) => {
  const m = new Duplicate(0.05, new Prng(2));
  const out = simulate([m], stream(40000));
  t.equal(out.length, 40000 + m.stats.duplicated);
  t.ok(Math.abs(m.stats.duplicated / 40000 - 0.05) < 0.005);
});

t.test('delay with jitter: within bounds; FIFO option keeps order', async (t) => {
  const out = simulate([new Delay({ delayMs: 20, jitterMs: 5 }, new Prng(1))], stream(5000, 0.5));
  const byId = new Map(out.map((p) => [p.data, p.time]));
  let reordered = 0;
  for (let i = 0; i < 5000; i++) {
    const d = byId.get(i)! - i * 0.5;
    if (d < 15 - 1e-9 || d > 25 + 1e-9) t.fail(`delay ${d}`);
    if (i > 0 && byId.get(i)! < byId.get(i - 1)!) reordered++;
  }
  t.ok(reordered > 0, 'jitter larger than the packet gap reorders');
  const fifo = simulate([new Delay({ delayMs: 20, jitterMs: 5, preserveOrder: true }, new Prng(1))], stream(5000, 0.5));
  t.same(fifo.map((p) => p.data), stream(5000).map((p) => p.data));
});

t.test('rate cap: throughput limited to the rate, tail drop beyond the queue', async (t) => {
  const m = new RateCap({ kbps: 9600, queueMs: 50 }); // 1200 bytes per ms
  const out = simulate([m], stream(10000, 0.5, 1200)); // offered: twice the rate
  const span = out[out.length - 1].time - out[0].time;
  const rate = (out.length * 1200) / span;
  t.ok(Math.abs(rate - 1200) < 20, `bytes per ms ${rate}`);
  t.ok(Math.abs(m.stats.dropped - 5000) < 200, `dropped ${m.stats.dropped}`);
  for (const p of out) if (p.time - p.data * 0.5 > 51 + 1e-9) t.fail('queueing delay above queueMs + one packet');
});

t.test('firewall profile: moderate loss plus reordering, worse under load', async (t) => {
  const calm = linkFromProfile<number>(profiles.firewall, 1);
  const busy = linkFromProfile<number>(profiles.firewall, 1);
  for (const p of stream(20000, 3, 1200)) calm.send(p.data, 1200, p.time);
  for (const p of stream(20000, 0.35, 1200)) busy.send(p.data, 1200, p.time);
  const order = (l: Link<number>) => { const o: number[] = []; l.deliver(Infinity, (d) => o.push(d)); return o; };
  const inversions = (o: number[]) => o.filter((x, i) => i > 0 && x < o[i - 1]).length;
  const c = order(calm), b = order(busy);
  const lossC = 1 - c.length / 20000, lossB = 1 - b.length / 20000;
  t.ok(lossC > 0.01 && lossC < 0.04, `loss when calm ${lossC}`);
  t.ok(lossB >= lossC, `loss under load ${lossB}`);
  t.ok(inversions(b) > 3 * inversions(c), `reordering calm ${inversions(c)} busy ${inversions(b)}`);
  t.ok(Object.keys(busy.modelStats()).includes('reorder'));
});

t.test('bad options are typed errors', async (t) => {
  t.throws(() => new RandomLoss(1.5, new Prng(1)), { code: 'NETSIM_BAD_OPTION' });
  t.throws(() => new GilbertElliottLoss({ loss: 0.1, meanBurst: 0.5 }, new Prng(1)), { code: 'NETSIM_BAD_OPTION' });
  t.throws(() => new RateCap({ kbps: 0 }), { code: 'NETSIM_BAD_OPTION' });
  try { new Reorder({ probability: 0.1, depth: 0 }, new Prng(1)); t.fail('no throw'); } catch (e) { t.ok(e instanceof CamwireError); }
});

t.test('property: a link never invents packets, never delivers before sending, and delivers in time order', async (t) => {
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }),
    (seed, n, loss, dup) => {
      const sent = stream(n, 0.7);
      const out = simulate({ loss, duplicate: dup, reorder: { probability: 0.2, depth: 4 }, delay: { delayMs: 3, jitterMs: 2 } }, sent, seed);
      const counts = new Map<number, number>();
      for (let i = 0; i < out.length; i++) {
        const p = out[i];
        if (p.data < 0 || p.data >= n || p.time < p.data * 0.7) return false;
        if (i > 0 && p.time < out[i - 1].time) return false;
        counts.set(p.data, (counts.get(p.data) ?? 0) + 1);
      }
      return [...counts.values()].every((c) => c <= 2);
    }));
});
