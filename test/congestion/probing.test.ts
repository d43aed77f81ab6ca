import t from 'tap';
import fc from 'fast-check';
import { simulate, RTX_SSRC, VIDEO_SSRC, type SimRun } from '../support/probe-sim.js';
import { PROBE_CONTROLLER_DEFAULTS } from '../../lib/congestion/index.js';

const switchesBetween = (r: SimRun, fromMs: number, toMs: number) => r.switchesAt.filter((at) => at >= fromMs && at < toMs).length;
const trace = (r: SimRun) => JSON.stringify({ on: r.on.join(''), estimate: r.estimate.map((e) => Math.round(e / 1e4) / 100), probes: r.prober.stats, stats: r.twcc.stats() });

t.test('property: probe packets never consume media sequence numbers; padding and retransmissions share the RTX sequence', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 4, max: 12 }), fc.oneof(fc.constant(0), fc.double({ min: 0.02, max: 0.2, noNaN: true })), (seed, stepUpS, nackRate) => {
    const r = simulate({ capacityBps: (now) => (now < stepUpS * 1000 ? 1_200_000 : 20_000_000), seconds: stepUpS + 12, seed, nackRate, record: true });
    const video = r.wire.filter((p) => p.ssrc === VIDEO_SSRC);
    const rtx = r.wire.filter((p) => p.ssrc === RTX_SSRC);
    const padding = r.wire.filter((p) => p.paddingOnly);
    const consecutive = (ps: typeof video) => ps.every((p, i) => i === 0 || p.seq === ((ps[i - 1].seq + 1) & 0xffff));
    const ok = video.length === r.mediaSent && consecutive(video) && consecutive(rtx) && padding.length > 0
      && padding.every((p) => p.ssrc === RTX_SSRC) && video.every((p) => !p.paddingOnly)
      && (nackRate === 0 || rtx.length > padding.length);
    if (!ok) t.comment(JSON.stringify({ seed, stepUpS, nackRate, video: video.length, sent: r.mediaSent, rtx: rtx.length, padding: padding.length }));
    return ok;
  }), { numRuns: 12 });
  t.end();
});

t.test('property: a step 20 -> 1.2 -> 20 Mbit/s: on the low rendition within 4 s of the step down, on the top within 15 s of the step up', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 8, max: 30 }), (seed, propagationMs, narrowS) => {
    const down = 10_000;
    const up = down + narrowS * 1000;
    const r = simulate({ capacityBps: (now) => (now >= down && now < up ? 1_200_000 : 20_000_000), seconds: up / 1000 + 16, seed, propagationMs });
    const firstLow = r.switchesAt.find((at) => at >= down);
    const backUp = r.switchesAt.find((at) => at >= up);
    const ok = r.on.slice(0, 10).every((x) => x === 0) && firstLow !== undefined && firstLow - down <= 4000
      && backUp !== undefined && backUp - up <= 15_000 && r.on.slice(Math.ceil((backUp + 1) / 1000)).every((x) => x === 0);
    if (!ok) t.comment(JSON.stringify({ seed, propagationMs, narrowS, switchesAt: r.switchesAt, trace: trace(r) }));
    return ok;
  }), { numRuns: 10 });
  const r = simulate({ capacityBps: (now) => (now >= 10_000 && now < 30_000 ? 1_200_000 : 20_000_000), seconds: 50, seed: 1 });
  t.comment(`seed 1: switches at ${r.switchesAt.join(', ')} ms (steps at 10000 and 30000); ${r.prober.stats.clusters} probes, ${r.prober.stats.paddingBytes} padding bytes`);
  t.end();
});

t.test('property: steady links make at most 2 switches a minute once settled', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 600_000, max: 20_000_000 }), (seed, capacity) => {
    const r = simulate({ capacityBps: () => capacity, seconds: 80, seed });
    const n = switchesBetween(r, 20_000, 80_000);
    if (n > 2) t.comment(JSON.stringify({ seed, capacity, switchesAt: r.switchesAt, trace: trace(r) }));
    return n <= 2;
  }), { numRuns: 12 });
  t.end();
});

t.test('property: 5-15% random loss on a 20 Mbit/s link stays on the top rendition (no probe needed)', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 0.05, max: 0.15, noNaN: true }), (seed, lossRate) => {
    const r = simulate({ capacityBps: () => 20_000_000, seconds: 20, seed, lossRate });
    const ok = r.on.every((x) => x === 0);
    if (!ok) t.comment(JSON.stringify({ seed, lossRate, trace: trace(r) }));
    return ok;
  }), { numRuns: 15 });
  t.end();
});

t.test('property: a 1.2 Mbit/s link is probed within the bound: a cluster every 8 s at most once they fail, a queue drop and two overuse cuts at most per probe, never up', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 5, max: 60 }), (seed, propagationMs) => {
    const r = simulate({ capacityBps: () => 1_200_000, seconds: 60, seed, propagationMs });
    const s = r.prober.stats;
    // A cluster is big enough to empty a shaper's token bucket (PROBE_CONTROLLER_DEFAULTS.minClusterBytes),
    // so on a link that cannot carry the next rendition it briefly fills the 200 ms queue: that
    // is a probe's cost, bounded by how rarely one goes out.
    const dropBursts = r.drops.slice(4).filter((d, i, a) => i > 0 && d > a[i - 1]).length;
    // 2, 4, 8, 8, ... s apart after the first, 2 s after settling: 8 in a minute.
    const ok = r.on.slice(3).every((x) => x === 1) && s.clusters <= 8 && s.paddingBytes <= s.clusters * PROBE_CONTROLLER_DEFAULTS.maxClusterBytes
      && dropBursts <= s.clusters && r.cuts.at(-1)! - r.cuts[4] <= 2 * s.clusters && r.twcc.estimator.stats().probes >= s.clusters - 1;
    if (!ok) t.comment(JSON.stringify({ seed, propagationMs, drops: r.drops, cuts: r.cuts, trace: trace(r) }));
    return ok;
  }), { numRuns: 12 });
  t.end();
});

t.test('property: behind a token bucket (tc tbf burst 32kb) a 1.2 Mbit/s link is never probed up: a cluster is bigger than the bucket', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 5, max: 60 }), (seed, propagationMs) => {
    const r = simulate({ capacityBps: () => 1_200_000, seconds: 60, seed, propagationMs, burstBytes: 32_000 });
    const ok = r.on.slice(3).every((x) => x === 1) && r.prober.stats.clusters > 0;
    if (!ok) t.comment(JSON.stringify({ seed, propagationMs, trace: trace(r) }));
    return ok;
  }), { numRuns: 12 });
  t.end();
});

t.test('the sound shares the link: a 3 Mbit/s link with 0.5 Mbit/s of sound keeps the low rendition; without the sound it keeps the top', (t) => {
  const withSound = simulate({ capacityBps: () => 3_000_000, seconds: 60, seed: 6, audioBps: 500_000 });
  t.ok(withSound.on.slice(3).every((x) => x === 1), `with the sound: ${withSound.on.join('')}`);
  t.ok(Math.abs(withSound.twcc.stats().untrackedBps - 500_000) < 30_000, `the sound measured apart: ${withSound.twcc.stats().untrackedBps} bit/s`);
  t.equal(withSound.drops.at(-1), withSound.drops[4], 'no queue drop once settled');
  const without = simulate({ capacityBps: () => 3_000_000, seconds: 60, seed: 6 });
  t.ok(without.on.every((x) => x === 0), `without: ${without.on.join('')}`);
  t.end();
});

t.test('without probing (no RTX or no transport-wide CC) the blind trial stays: no padding is sent', (t) => {
  const r = simulate({ capacityBps: (now) => (now < 10_000 ? 1_200_000 : 20_000_000), seconds: 40, seed: 3, probing: false, record: true });
  t.equal(r.wire.filter((p) => p.paddingOnly).length, 0);
  t.equal(r.prober.stats.clusters, 0);
  const up = r.switchesAt.find((at) => at > 3000);
  t.ok(up !== undefined && up >= 30_000, `up by the blind trial 30 s after the step down (at ${up} ms)`);
  t.end();
});
