import t from 'tap';
import fc from 'fast-check';
import { TokenBucket, rateAt, rateSchedule, type RateStep } from '../../lib/netsim/token-bucket.js';
import { simulate, linkFromProfile, type TimedPacket } from '../../lib/netsim/link.js';

/** Bytes a schedule earns over [a, b] (ms after its origin). */
function earned(steps: readonly RateStep[], a: number, b: number): number {
  let bytes = 0;
  for (let i = 0; i < steps.length; i++) {
    const lo = Math.max(a, steps[i].atMs);
    const hi = Math.min(b, i + 1 < steps.length ? steps[i + 1].atMs : Infinity);
    if (hi > lo) bytes += ((hi - lo) * steps[i].kbps) / 8;
  }
  return bytes;
}

const arbSchedule = fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 100, max: 20_000 })), { minLength: 0, maxLength: 4 })
  .chain((gaps) => fc.integer({ min: 100, max: 20_000 }).map((first) => {
    const steps: RateStep[] = [{ atMs: 0, kbps: first }];
    for (const [gap, kbps] of gaps) steps.push({ atMs: steps[steps.length - 1].atMs + gap, kbps });
    return steps;
  }));

const arbTraffic = fc.array(fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.integer({ min: 60, max: 1500 })), { minLength: 1, maxLength: 400 })
  .map((xs) => {
    let time = 0;
    return xs.map(([gap, size], i): TimedPacket<number> => {
      time += gap;
      return { data: i, time, size };
    });
  });

t.test('property: never more than the rate over any window beyond the burst; queue bound kept; order kept', async (t) => {
  fc.assert(fc.property(arbSchedule, arbTraffic, fc.integer({ min: 1500, max: 40_000 }), fc.integer({ min: 0, max: 300 }), (steps, sent, burst, latency) => {
    const model = new TokenBucket({ kbps: steps, burstBytes: burst, latencyMs: latency });
    const out = simulate([model], sent);
    const origin = sent[0].time;
    for (let i = 1; i < out.length; i++) {
      if (out[i].data <= out[i - 1].data) return false; // FIFO: never overtakes
      if (out[i].time < out[i - 1].time) return false;
    }
    for (const p of out) {
      const queued = p.time - sent[p.data].time;
      if (queued < -1e-9 || queued > latency + 1e-9) return false;
    }
    // Every window [out[i], out[j]] carries at most the burst plus what the link earned in it.
    for (let i = 0; i < out.length; i++) {
      let bytes = 0;
      for (let j = i; j < out.length; j++) {
        bytes += sent[out[j].data].size!;
        const allowed = burst + earned(steps, out[i].time - origin, out[j].time - origin);
        // A packet bigger than the bucket leaves once the bucket is full: it may exceed by itself.
        if (bytes > Math.max(allowed, sent[out[j].data].size!) + 1e-3) return false;
      }
    }
    return model.stats.in === sent.length && model.stats.dropped === sent.length - out.length;
  }), { numRuns: 150 });
});

t.test('an offered load above the rate is carried at the rate, the excess dropped', async (t) => {
  const model = new TokenBucket({ kbps: 1200, burstBytes: 4000, latencyMs: 200 });
  // 2.4 Mbit/s offered for 10 s: 1200-byte packets every 4 ms.
  const sent = Array.from({ length: 2500 }, (_, i): TimedPacket<number> => ({ data: i, time: i * 4, size: 1200 }));
  const out = simulate([model], sent);
  const kbps = (out.length * 1200 * 8) / (out[out.length - 1].time - out[0].time);
  t.ok(Math.abs(kbps - 1200) < 20, `carried ${kbps.toFixed(0)} kbit/s`);
  t.ok(Math.abs(model.stats.dropped / sent.length - 0.5) < 0.02, `dropped ${model.stats.dropped} of ${sent.length}`);
});

t.test('a step in the schedule moves the rate at its time', async (t) => {
  const steps = [{ atMs: 0, kbps: 20_000 }, { atMs: 1000, kbps: 1200 }, { atMs: 2000, kbps: 20_000 }];
  const model = new TokenBucket({ kbps: steps, burstBytes: 4000, latencyMs: 200 });
  const sent = Array.from({ length: 3000 }, (_, i): TimedPacket<number> => ({ data: i, time: i, size: 1000 })); // 8 Mbit/s
  const out = simulate([model], sent);
  const inWindow = (a: number, b: number) => out.filter((p) => p.time >= a && p.time < b).length;
  t.equal(inWindow(100, 900), 800, 'all of it at 20 Mbit/s');
  const narrow = (inWindow(1300, 1900) * 1000 * 8) / 600;
  t.ok(Math.abs(narrow - 1200) < 60, `${narrow.toFixed(0)} kbit/s while narrow`);
  t.equal(inWindow(2400, 2900), 500, 'all of it again after the step back');
  t.equal(model.rateKbps(1500), 1200);
  t.equal(rateAt(steps, 2500), 20_000);
});

t.test('the origin is the first packet unless given; bad options are typed errors', async (t) => {
  const m = new TokenBucket({ kbps: [{ atMs: 0, kbps: 1000 }, { atMs: 100, kbps: 500 }] });
  t.equal(m.originMs, undefined);
  t.equal(m.rateKbps(1e9), 1000, 'the first step before any packet');
  const link = linkFromProfile<number>({ tbf: { kbps: 1000 } }, 1);
  link.send(1, 100, 50);
  t.equal((link.models[0] as TokenBucket).originMs, 50);
  t.equal(new TokenBucket({ kbps: [{ atMs: 0, kbps: 1 }, { atMs: 10, kbps: 2 }], originMs: 5 }).rateKbps(16), 2);
  t.throws(() => rateSchedule([]), { code: 'NETSIM_BAD_OPTION' });
  t.throws(() => rateSchedule([{ atMs: 5, kbps: 1 }]), { code: 'NETSIM_BAD_OPTION' });
  t.throws(() => rateSchedule([{ atMs: 0, kbps: 1 }, { atMs: 0, kbps: 2 }]), { code: 'NETSIM_BAD_OPTION' });
  t.throws(() => new TokenBucket({ kbps: 0 }), { code: 'NETSIM_BAD_OPTION' });
  t.throws(() => new TokenBucket({ kbps: 1, burstBytes: 0 }), { code: 'NETSIM_BAD_OPTION' });
});
