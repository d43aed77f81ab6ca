import t from 'tap';
import fc from 'fast-check';
import { RateLimiter } from '../../lib/http/rate-limit.js';

t.test('a burst is served, then the sustained rate; Retry-After says how long to wait', async (t) => {
  const rl = new RateLimiter({ requestsPerSecond: 2, burst: 4, exemptLoopback: false });
  for (let i = 0; i < 4; i++) t.equal(rl.take('10.0.0.1', 0), 0, `burst request ${i + 1}`);
  t.equal(rl.take('10.0.0.1', 0), 1, 'the fifth waits a second');
  t.equal(rl.take('10.0.0.2', 0), 0, 'another address has its own bucket');
  t.equal(rl.take('10.0.0.1', 500), 0, 'half a second refills one request');
  t.equal(rl.take('10.0.0.1', 500), 1);
  t.equal(rl.refused, 2);
});

t.test('loopback is exempt unless asked otherwise', async (t) => {
  const rl = new RateLimiter({ requestsPerSecond: 1, burst: 1 });
  for (let i = 0; i < 100; i++) t.equal(rl.take(i % 2 ? '127.0.0.1' : '::1', 0), 0);
  t.equal(rl.size, 0, 'not even tracked');
});

t.test('property: the table never exceeds maxAddresses and no address ever gets more than burst + rate x time', async () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 300 })), { maxLength: 400 }),
      fc.integer({ min: 1, max: 60 }),
      (steps, maxAddresses) => {
        const rl = new RateLimiter({ requestsPerSecond: 10, burst: 5, maxAddresses, exemptLoopback: false });
        let now = 0;
        const served = new Map<number, number>();
        for (const [who, dt] of steps) {
          now += dt;
          if (rl.take(`10.0.${who}.1`, now) === 0) served.set(who, (served.get(who) ?? 0) + 1);
          if (rl.size > maxAddresses) return false;
        }
        // An evicted address starts again with a full bucket, so the bound holds per stay in the table;
        // without eviction (enough room) it holds outright.
        if (maxAddresses >= 51) for (const n of served.values()) if (n > 5 + (now / 1000) * 10 + 1e-9) return false;
        return true;
      },
    ),
  );
});
