import t from 'tap';
import fc from 'fast-check';
import { NackGenerator, type NackGeneratorOptions } from '../../lib/recovery/nack-generator.js';
import { simulate, type LinkProfile } from '../../lib/netsim/link.js';
import { seqAdd } from '../../lib/rtp/seq.js';

/** Runs the generator on virtual time; returns every request as [time, seq] and keyframe times. */
function drive(ng: NackGenerator, events: { seq: number; time: number }[], until: number) {
  const requests: [number, number][] = [];
  const keyframes: number[] = [];
  const received = new Set<number>();
  let askedForReceived = 0;
  const pollUntil = (t: number) => {
    for (let d = ng.nextDeadline(); d <= t; d = ng.nextDeadline()) {
      const at = Math.max(d, 0);
      const r = ng.poll(at);
      for (const s of r.seqs) {
        requests.push([at, s]);
        if (received.has(s)) askedForReceived++;
      }
      if (r.keyframe) keyframes.push(at);
      if (ng.nextDeadline() === d && r.seqs.length === 0 && !r.keyframe) break;
    }
  };
  for (const e of events) {
    pollUntil(e.time);
    ng.onPacket(e.seq, e.time);
    received.add(e.seq);
  }
  pollUntil(until);
  return { requests, keyframes, askedForReceived };
}

t.test('in order: nothing requested', async (t) => {
  const ng = new NackGenerator();
  const { requests } = drive(ng, Array.from({ length: 100 }, (_, i) => ({ seq: i, time: i })), 5000);
  t.same(requests, []);
  t.equal(ng.nextDeadline(), Infinity);
});

t.test('first request after firstDelay, retries each RTT, gives up after maxTries and asks for a keyframe', async (t) => {
  const ng = new NackGenerator({ firstDelayMs: 15, initialRttMs: 50, maxTries: 3 });
  const { requests, keyframes } = drive(ng, [{ seq: 1, time: 0 }, { seq: 3, time: 10 }], 1000);
  t.same(requests, [[25, 2], [75, 2], [125, 2]]);
  t.same(keyframes, [175]);
  t.equal(ng.stats.givenUp, 1);
  t.equal(ng.stats.requested, 3);
  t.equal(ng.stats.retries, 2);
  t.equal(ng.stats.keyframeRequests, 1);
  t.equal(ng.missingCount, 0);
});

t.test('retry interval follows setRttMs, never below minRetryIntervalMs', async (t) => {
  const ng = new NackGenerator({ firstDelayMs: 10, maxTries: 4, minRetryIntervalMs: 5 });
  ng.setRttMs(20);
  let r = drive(ng, [{ seq: 1, time: 0 }, { seq: 3, time: 0 }], 50);
  t.same(r.requests, [[10, 2], [30, 2], [50, 2]]);
  const fast = new NackGenerator({ firstDelayMs: 10, maxTries: 3, minRetryIntervalMs: 5 });
  fast.setRttMs(1);
  r = drive(fast, [{ seq: 1, time: 0 }, { seq: 3, time: 0 }], 100);
  t.same(r.requests, [[10, 2], [15, 2], [20, 2]]);
});

t.test('a reordered packet arriving before the first request is never requested; one after it counts as recovered', async (t) => {
  const ng = new NackGenerator({ firstDelayMs: 15 });
  const r = drive(ng, [
    { seq: 10, time: 0 }, { seq: 12, time: 1 }, { seq: 11, time: 5 }, // reordered
    { seq: 14, time: 6 }, { seq: 13, time: 40 }, // recovered after the request at 21
  ], 1000);
  t.same(r.requests, [[21, 13]]);
  t.equal(ng.stats.reordered, 1);
  t.equal(ng.stats.recovered, 1);
  t.equal(ng.stats.missing, 2);
  t.same(r.keyframes, []);
});

t.test('batching: all due sequence numbers come in one poll, oldest first, across the wrap', async (t) => {
  const ng = new NackGenerator({ firstDelayMs: 10 });
  ng.onPacket(65533, 0);
  ng.onPacket(1, 0);
  const r = ng.poll(10);
  t.same(r.seqs, [65534, 65535, 0]);
  t.equal(r.keyframe, false);
});

t.test('missing list overflow: list cleared, keyframe requested instead', async (t) => {
  const ng = new NackGenerator({ maxListSize: 100 });
  ng.onPacket(0, 0);
  ng.onPacket(50, 0);
  t.equal(ng.missingCount, 49);
  ng.onPacket(200, 1);
  t.equal(ng.missingCount, 0);
  t.equal(ng.nextDeadline(), 0, 'keyframe due at once');
  const r = ng.poll(2);
  t.same(r.seqs, []);
  t.equal(r.keyframe, true);
  t.equal(ng.stats.overflows, 1);
});

t.test('max age: a packet missing longer than maxAgeMs is given up even with tries left', async (t) => {
  const ng = new NackGenerator({ firstDelayMs: 10, initialRttMs: 100, maxTries: 10, maxAgeMs: 250 });
  const r = drive(ng, [{ seq: 0, time: 0 }, { seq: 2, time: 0 }], 2000);
  t.same(r.requests.map((x) => x[0]), [10, 110, 210]);
  t.same(r.keyframes, [250]);
  t.equal(ng.stats.expired, 1);
});

t.test('abandonThrough stops requests for what the reorder buffer gave up; reset forgets all', async (t) => {
  const ng = new NackGenerator();
  ng.onPacket(65530, 0);
  ng.onPacket(5, 0);
  t.equal(ng.missingCount, 10);
  ng.abandonThrough(1);
  t.equal(ng.missingCount, 3);
  t.same(ng.poll(100).seqs, [2, 3, 4]);
  ng.reset();
  t.equal(ng.missingCount, 0);
  ng.onPacket(9000, 200);
  t.equal(ng.missingCount, 0, 'after reset the next packet starts afresh');
});

const profileArb: fc.Arbitrary<LinkProfile> = fc.record({
  loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
  burst: fc.record({ loss: fc.double({ min: 0, max: 0.1, noNaN: true }), meanBurst: fc.double({ min: 1, max: 10, noNaN: true }) }),
  reorder: fc.record({ probability: fc.double({ min: 0, max: 0.3, noNaN: true }), depth: fc.integer({ min: 1, max: 20 }), maxHoldMs: fc.integer({ min: 1, max: 60 }) }),
  duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  delay: fc.record({ delayMs: fc.integer({ min: 0, max: 50 }), jitterMs: fc.double({ min: 0, max: 20, noNaN: true }) }),
});

t.test('property (netsim, across the wrap): asks only for packets really missing, never one already received, and stops per its limits', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 64000, max: 65535 }), fc.integer({ min: 2, max: 1500 }), fc.double({ min: 0.1, max: 10, noNaN: true }),
    profileArb, fc.integer(),
    fc.record({
      firstDelayMs: fc.integer({ min: 0, max: 40 }), initialRttMs: fc.integer({ min: 1, max: 200 }), maxTries: fc.integer({ min: 1, max: 12 }),
      maxAgeMs: fc.integer({ min: 50, max: 2000 }), maxListSize: fc.integer({ min: 5, max: 1000 }), minRetryIntervalMs: fc.integer({ min: 1, max: 20 }),
    }), fc.boolean(),
    (seq0, n, interval, profile, seed, opts: NackGeneratorOptions, learnRtt) => {
      const sent = Array.from({ length: n }, (_, i) => ({ data: seqAdd(seq0, i), time: i * interval }));
      const arrivals = simulate(profile, sent, seed).map((a) => ({ seq: a.data, time: a.time }));
      const ng = new NackGenerator({ ...opts, learnRtt });
      const { requests, keyframes, askedForReceived } = drive(ng, arrivals, arrivals.length ? arrivals[arrivals.length - 1].time + 5000 : 0);
      if (askedForReceived > 0) return false; // never asks for what it has
      const sentSeqs = new Set(sent.map((s) => s.data));
      const perSeq = new Map<number, number[]>();
      for (const [time, seq] of requests) {
        if (!sentSeqs.has(seq)) return false; // never invents a number
        const list = perSeq.get(seq) ?? [];
        list.push(time);
        perSeq.set(seq, list);
      }
      // a learned RTT may pace retries faster than the initial guess, never faster than the floor
      const retry = learnRtt ? opts.minRetryIntervalMs! : Math.max(opts.initialRttMs!, opts.minRetryIntervalMs!);
      for (const times of perSeq.values()) {
        if (times.length > opts.maxTries!) return false;
        for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] < retry - 1e-9) return false;
      }
      // Every packet given up or expired made the generator ask for a keyframe.
      if ((ng.stats.givenUp + ng.stats.expired + ng.stats.overflows > 0) !== keyframes.length > 0) return false;
      // After the long quiet tail every missing packet has been resolved one way or another.
      return ng.missingCount === 0 && ng.stats.requested === requests.length;
    }), { numRuns: 150 });
});

t.test('the RTT is learned from repairs, timed from the first request, and retries are paced as TCP paces its RTO', async (t) => {
  const ng = new NackGenerator({ firstDelayMs: 10, initialRttMs: 100, minRetryIntervalMs: 5 });
  t.equal(ng.learnedRttMs, -1);
  // seq 1 missing, requested at 10, repaired at 18: first sample 8 ms (rttvar 4), RTO 8 + 4 x 4
  let r = drive(ng, [{ seq: 0, time: 0 }, { seq: 2, time: 0 }, { seq: 1, time: 18 }], 30);
  t.same(r.requests, [[10, 1]]);
  t.equal(ng.learnedRttMs, 8);
  t.equal(ng.rttMs, 24, 'retries wait srtt + 4 x rttvar');
  // seq 4: requested at 40, retried at 64, repaired at 70: sampled from the FIRST request (30 ms)
  r = drive(ng, [{ seq: 3, time: 30 }, { seq: 5, time: 30 }, { seq: 4, time: 70 }], 80);
  t.same(r.requests, [[40, 4], [64, 4]]);
  t.equal(ng.learnedRttMs, 8 + (30 - 8) / 8, 'a lost first repair makes the sample long, never short');
  t.ok(ng.rttMs > 24, `and the pace more cautious (${ng.rttMs})`);
  // steady quick repairs bring the pace down to about the RTT
  for (let k = 0; k < 40; k++) {
    const base = 100 + k * 100;
    drive(ng, [{ seq: 6 + 3 * k, time: base }, { seq: 8 + 3 * k, time: base }, { seq: 7 + 3 * k, time: base + 13 }], base + 20);
  }
  t.ok(Math.abs(ng.learnedRttMs - 3) < 0.5 && ng.rttMs < 6, `converged: srtt ${ng.learnedRttMs.toFixed(2)}, pace ${ng.rttMs.toFixed(2)}`);
  ng.setRttMs(40);
  drive(ng, [{ seq: 200, time: 5000 }, { seq: 202, time: 5000 }, { seq: 201, time: 5011 }], 5020);
  t.equal(ng.rttMs, 40, 'an RTT from RTCP wins over what repairs teach');
  const floored = new NackGenerator({ firstDelayMs: 10, minRetryIntervalMs: 5 });
  floored.setRttFloorMs(20);
  t.equal(floored.rttMs, 20, 'a measured floor replaces the initial guess');
  // a late original arriving 2 ms after its request looks like a 2 ms repair: the floor holds
  drive(floored, [{ seq: 0, time: 0 }, { seq: 2, time: 0 }, { seq: 1, time: 12 }], 30);
  t.equal(floored.learnedRttMs, 2);
  t.equal(floored.rttMs, 20, 'never below the floor');
  const r2 = drive(floored, [{ seq: 3, time: 30 }, { seq: 5, time: 30 }, { seq: 4, time: 95 }], 100);
  t.same(r2.requests, [[40, 4], [60, 4], [80, 4]], 'retries paced by the floor');
  const off = new NackGenerator({ firstDelayMs: 10, learnRtt: false });
  drive(off, [{ seq: 0, time: 0 }, { seq: 2, time: 0 }, { seq: 1, time: 18 }], 30);
  t.equal(off.rttMs, 100, 'learnRtt: false keeps the initial RTT');
});

t.test('property: a packet that never arrives is requested exactly maxTries times when age and list allow it', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 5, max: 100 }), fc.integer({ min: 1, max: 30 }),
    (seq0, maxTries, rtt, gap) => {
      const ng = new NackGenerator({ maxTries, initialRttMs: rtt, maxAgeMs: 100_000 });
      const events = [{ seq: seq0, time: 0 }, { seq: seqAdd(seq0, gap + 1), time: 1 }];
      const { requests, keyframes } = drive(ng, events, 100_000);
      return requests.length === gap * maxTries && keyframes.length >= 1 && ng.stats.givenUp === gap;
    }), { numRuns: 100 });
});
