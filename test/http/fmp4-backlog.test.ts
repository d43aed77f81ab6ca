/**
 * The WebSocket fallback's backlog estimate, alone and driving the rendition chooser, on a fake
 * clock: a link simulated as a byte queue drained at its capacity, fed at the bitrate of the
 * rendition chosen (keyframes ten times a P frame). A link that carries the top rendition never
 * moves the viewer; one that carries only the lower one moves it there within seconds, and the
 * chooser's backed-off trial brings it back up only once the link has room again.
 */
import t from 'tap';
import fc from 'fast-check';
import { Fmp4Backlog, FMP4_BACKLOG_DEFAULTS } from '../../lib/http/fmp4-backlog.js';
import { RenditionChooser, type RenditionLoad } from '../../lib/congestion/rendition-chooser.js';

t.test('FMP4_BACKLOG_DEFAULTS is frozen', async (t) => {
  t.ok(Object.isFrozen(FMP4_BACKLOG_DEFAULTS));
  t.ok(FMP4_BACKLOG_DEFAULTS.lowWaterBytes < FMP4_BACKLOG_DEFAULTS.highWaterBytes);
});

/** One-second windows and a 32 KiB low-water mark make the arithmetic below easy to follow. */
const ROUND = { windowMs: 1000, lowWaterBytes: 32 * 1024 };

t.test('no estimate before a window is judged; an empty backlog claims room over what is sent', async (t) => {
  const b = new Fmp4Backlog(ROUND);
  b.sample(0, 0, 0);
  t.equal(b.estimateBps(1_000_000), undefined);
  b.sample(500, 0, 62_500);
  t.equal(b.estimateBps(1_000_000), undefined, 'half a window');
  b.sample(1000, 0, 125_000);
  t.equal(b.estimateBps(0), 1_500_000, 'drained 1 Mbit/s, times the room factor');
  t.equal(b.estimateBps(2_000_000), 3_000_000, 'a window without a keyframe does not drop it under the rendition\'s bitrate');
  t.match(b.stats, { windows: 1, congestedWindows: 0, drainedBps: 1_000_000, congested: false });
});

t.test('a growing backlog is congestion: the estimate is what drained less what draining the backlog takes', async (t) => {
  const b = new Fmp4Backlog(ROUND);
  b.sample(0, 0, 0);
  // 125 KB handed in a second, 40 KB of it still queued: 85 KB went (680 kbit/s)
  b.sample(1000, 40_000, 125_000);
  t.equal(b.stats.congested, true);
  t.equal(b.stats.drainedBps, 680_000);
  t.equal(b.estimateBps(1_000_000), 680_000 - (40_000 * 8000) / FMP4_BACKLOG_DEFAULTS.drainMs);
  // it shrinks, but is above the high water mark: still congested
  b.sample(2000, 300_000, 500_000);
  t.equal(b.stats.congested, true, 'above highWaterBytes');
  t.equal(b.estimateBps(1_000_000), 0, 'never negative');
  // shrinking below the high water mark: the link keeps up
  b.sample(3000, 200_000, 600_000);
  t.equal(b.stats.congested, false);
  t.equal(b.stats.peakBacklogBytes, 300_000);
  // a small backlog that grows is a frame in flight, not a queue
  b.sample(4000, 20_000, 700_000);
  b.sample(5000, 30_000, 800_000);
  t.equal(b.stats.congested, false, 'under lowWaterBytes');
  t.equal(b.stats.congestedWindows, 2);
});

const TOP = 1_200_000;
const LOW = 240_000;
const TICK_MS = 100;

/** One viewer for `seconds` on a link of `capacity(t)` bit/s; returns the rendition at each tick. */
function run(seconds: number, capacity: (ms: number) => number, bitrates = [TOP, LOW], seed = 1): number[] {
  const backlog = new Fmp4Backlog();
  const chooser = new RenditionChooser(0);
  const loads: RenditionLoad[] = bitrates.map((bitrateBps) => ({ bitrateBps, live: true }));
  let current = 0;
  let queued = 0;
  let handed = 0;
  let rnd = seed;
  const on: number[] = [];
  for (let ms = 0, frame = 0; ms < seconds * 1000; ms += TICK_MS) {
    // three frames a tick (30 fps): a keyframe every 30, ten times a P frame, jittered by 20%
    for (let k = 0; k < 3; k++, frame++) {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      const pFrame = bitrates[current] / 8 / (29 + 10);
      const bytes = Math.round((frame % 30 === 0 ? 10 : 1) * pFrame * (0.8 + (rnd % 400) / 1000));
      queued += bytes;
      handed += bytes;
    }
    queued = Math.max(0, queued - (capacity(ms) / 8) * (TICK_MS / 1000));
    backlog.sample(ms, queued, handed);
    const estimate = backlog.estimateBps(bitrates[current]);
    if (estimate !== undefined) current = chooser.choose(ms, current, estimate, loads);
    on.push(current);
  }
  return on;
}

t.test('property: a link with room for the top rendition never moves the viewer off it', async () => {
  fc.assert(fc.property(fc.integer({ min: 1_600_000, max: 50_000_000 }), fc.integer({ min: 1, max: 1e6 }), (capacity, seed) => {
    return run(60, () => capacity, [TOP, LOW], seed).every((r) => r === 0);
  }), { numRuns: 40 });
});

t.test('property: a link that carries only the low rendition moves the viewer down within 5 s, and it stays there but for backed-off trials', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 400_000, max: 900_000 }), fc.integer({ min: 1, max: 1e6 }), (capacity, seed) => {
    const on = run(120, () => capacity, [TOP, LOW], seed);
    const firstLow = on.indexOf(1);
    const lowShare = on.filter((r) => r === 1).length / on.length;
    let switches = 0;
    for (let i = 1; i < on.length; i++) if (on[i] !== on[i - 1]) switches++;
    // down at once, then a trial at 30 s, the next 60 s after it fails: at most 5 switches in 2 minutes
    return firstLow >= 0 && firstLow * TICK_MS <= 5000 && lowShare >= 0.85 && switches <= 5;
  }), { numRuns: 40 });
  const on = run(120, () => 600_000);
  t.comment(`600 kbit/s link: first on 360p at ${on.indexOf(1) * TICK_MS} ms, ${Math.round((100 * on.filter((r) => r === 1).length) / on.length)}% of 120 s on it`);
});

t.test('a link that narrows moves the viewer down; once it widens again the backed-off trial brings it back up', async (t) => {
  const narrowFrom = 10_000;
  const wideFrom = 30_000;
  const on = run(90, (ms) => (ms >= narrowFrom && ms < wideFrom ? 600_000 : 20_000_000));
  const at = (ms: number) => on[ms / TICK_MS];
  t.equal(at(narrowFrom - TICK_MS), 0, 'on the top rendition while the link is wide');
  const down = on.indexOf(1, narrowFrom / TICK_MS) * TICK_MS;
  t.ok(down >= narrowFrom && down - narrowFrom <= 5000, `down ${down - narrowFrom} ms after the link narrowed`);
  const up = on.indexOf(0, wideFrom / TICK_MS) * TICK_MS;
  t.ok(up > wideFrom, `back up ${up - wideFrom} ms after the link widened (a trial, no padding probe over TCP)`);
  t.equal(at(89_900), 0, 'and there to the end');
});
