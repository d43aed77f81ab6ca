import t from 'tap';
import fc from 'fast-check';
import { RenditionChooser, type RenditionLoad } from '../../lib/congestion/index.js';

const LIST: RenditionLoad[] = [{ bitrateBps: 2_600_000, live: true }, { bitrateBps: 420_000, live: true }];

t.test('down after downHoldMs without room; a trial step up after retryUpMs, backing off when it fails', (t) => {
  const c = new RenditionChooser(0, { retryUpMs: 8000, maxRetryUpMs: 64_000 });
  t.equal(c.choose(100, 0, 1_000_000, LIST), 0, 'a moment without room: stay');
  t.equal(c.choose(1200, 0, 1_000_000, LIST), 1, 'a second without room: down');
  t.equal(c.choose(5000, 1, 600_000, LIST), 1, 'the estimate shows no room for 720p: stay');
  t.equal(c.choose(9300, 1, 600_000, LIST), 0, 'after 8 s with no congestion: try 720p');
  t.equal(c.choose(9400, 0, 1_000_000, LIST), 0, 'the trial meets a real overuse cut (under 60% of 720p): the down hold starts');
  t.equal(c.choose(10_500, 0, 1_000_000, LIST), 1, 'down again');
  t.equal(c.choose(20_000, 1, 600_000, LIST), 1, 'the next trial waits twice as long');
  t.equal(c.choose(26_600, 1, 600_000, LIST), 0, '16 s after');
  t.equal(c.choose(26_700, 0, 2_000_000, LIST), 0, 'settling: the estimate lags the new rate, and is not a cut');
  t.equal(c.choose(29_500, 0, 2_000_000, LIST), 0, 'still settling');
  t.equal(c.choose(29_700, 0, 2_000_000, LIST), 0, 'settled: not fitting starts the down hold');
  t.equal(c.choose(30_800, 0, 2_000_000, LIST), 1, 'and a second later goes down');
  t.end();
});

t.test('by default the first blind trial up comes 30 s after the step down', (t) => {
  const c = new RenditionChooser(0);
  t.equal(c.choose(1200, 0, 1_000_000, LIST), 0);
  t.equal(c.choose(2300, 0, 1_000_000, LIST), 1, 'down');
  t.equal(c.choose(32_000, 1, 600_000, LIST), 1, 'no trial before 30 s');
  t.equal(c.choose(32_400, 1, 600_000, LIST), 0, 'a trial after');
  t.end();
});

t.test('up on room: the estimate has had the next rendition plus the margin for upHoldMs', (t) => {
  const c = new RenditionChooser(0, { retryUpMs: 1e9 });
  t.equal(c.choose(1500, 0, 1_000_000, LIST), 0);
  t.equal(c.choose(2600, 0, 1_000_000, LIST), 1);
  t.equal(c.choose(3000, 1, 3_300_000, LIST), 1, 'room, but not for long yet');
  t.equal(c.choose(8100, 1, 3_300_000, LIST), 0, 'room for 5 s: up');
  t.end();
});

t.test('a rendition whose camera is down is left; one whose bitrate is unknown is taken as fitting', (t) => {
  const c = new RenditionChooser(0);
  t.equal(c.choose(0, 0, 50_000_000, [{ bitrateBps: 0, live: false }, { bitrateBps: 0, live: true }]), 1);
  t.equal(c.choose(0, 1, 100_000, [{ bitrateBps: 0, live: true }, { bitrateBps: 0, live: true }]), 1, 'no measurement yet: stays');
  t.end();
});

t.test('property: a steady estimate makes at most 2 switches a minute once settled (trials up back off to one a minute)', (t) => {
  fc.assert(fc.property(fc.integer({ min: 100_000, max: 5_000_000 }), fc.double({ min: 0, max: 0.1, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (estimate, jitter, seed) => {
    const c = new RenditionChooser(0);
    let target = 0;
    let switches = 0;
    let x = seed;
    for (let now = 0; now < 180_000; now += 100) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const e = estimate * (1 + jitter * (x / 2147483648 - 0.5));
      const next = c.choose(now, target, e, LIST);
      if (next !== target && now >= 120_000) switches++;
      target = next;
    }
    return switches <= 2;
  }), { numRuns: 200 });
  t.end();
});

t.test('with probing: no step up within probeAfterDownMs of a step down, and twice as long after a step up that failed', async (t) => {
  const c = new RenditionChooser(0, {}, true);
  const room = (at: number) => ({ bps: 4_000_000, at });
  // Congestion: down from 2.6 Mbit/s to 0.42 once the estimate has been too small for downHoldMs.
  t.equal(c.choose(0, 0, 1_000_000, LIST), 0);
  t.equal(c.choose(1000, 0, 1_000_000, LIST), 1, 'down after the hold');
  t.equal(c.choose(5000, 1, 1_000_000, LIST, room(4900)), 1, 'a probe 4 s after the step down does not step up');
  t.ok(c.holdingUp(10_999), 'still held just before probeAfterDownMs');
  t.equal(c.choose(11_000, 1, 1_000_000, LIST, room(10_900)), 0, 'a probe past the hold steps up');
  // That step up fails: down again within trialMs.
  t.equal(c.choose(14_100, 0, 1_000_000, LIST), 0, 'settling after the step up');
  t.equal(c.choose(15_100, 0, 1_000_000, LIST), 1, 'down again: the step up failed');
  t.equal(c.choose(34_000, 1, 1_000_000, LIST, room(33_900)), 1, 'held for twice probeAfterDownMs after the failure');
  t.equal(c.choose(35_200, 1, 1_000_000, LIST, room(35_150)), 0, 'then a probe steps up');
});
