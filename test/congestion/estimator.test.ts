import t from 'tap';
import fc from 'fast-check';
import { BandwidthEstimator } from '../../lib/congestion/index.js';
import { Bottleneck } from '../support/bottleneck.js';

const TOP = 2_600_000;
const LOW = 420_000;
const PACKET = 1200;

interface Run {
  /** Estimate at the end of each second. */
  perSecond: number[];
  /** Rendition the modelled switcher sent, per second ('top' or 'low'). */
  sent: string[];
  est: BandwidthEstimator;
}

/**
 * A sender of two renditions through `link`: the top one while the estimate has room for it,
 * the low one otherwise (no probing: this is the estimator alone). Feedback every 100 ms.
 */
function run(link: Bottleneck, seconds: number, fixedBps?: number): Run {
  const est = new BandwidthEstimator({ initialBps: 3_000_000 });
  const perSecond: number[] = [];
  const sent: string[] = [];
  let seq = 0;
  let nextSend = 0;
  let rate = fixedBps ?? TOP;
  for (let now = 0; now < seconds * 1000; now++) {
    while (nextSend <= now) {
      est.onPacketSent(seq, PACKET, nextSend);
      link.send(seq, PACKET, nextSend);
      seq = (seq + 1) & 0xffff;
      nextSend += (PACKET * 8 * 1000) / rate;
    }
    if (now % 100 === 99) {
      const fb = link.feedback(now);
      if (fb) est.onTransportFeedback(fb, now);
      if (fixedBps === undefined) rate = est.estimateBps >= TOP ? TOP : LOW;
    }
    if (now % 1000 === 999) {
      perSecond.push(est.estimateBps);
      sent.push(rate === TOP ? 'top' : 'low');
    }
  }
  return { perSecond, sent, est };
}

t.test('property: random loss on a fast link without queueing never pushes the estimate down', (t) => {
  fc.assert(fc.property(fc.double({ min: 0.05, max: 0.15, noNaN: true }), fc.integer({ min: 1, max: 1e9 }), (loss, seed) => {
    const lossy = run(new Bottleneck({ capacityBps: () => 20_000_000, lossRate: loss, seed }), 20);
    const clean = run(new Bottleneck({ capacityBps: () => 20_000_000, lossRate: 0, seed }), 20);
    const stayed = lossy.sent.every((s) => s === 'top');
    const low = Math.min(...lossy.perSecond);
    if (!stayed || low < TOP) t.comment(JSON.stringify({ loss, seed, lossy: lossy.perSecond, stats: lossy.est.stats() }));
    return stayed && low >= TOP && lossy.perSecond.every((e, i) => e >= 0.9 * clean.perSecond[i] || e >= 0.9 * TOP);
  }), { numRuns: 30 });
  t.end();
});

t.test('a 1.2 Mbit/s bottleneck: the estimate falls below the top rendition within 4 s and the low one is kept', (t) => {
  for (const seed of [1, 2, 3]) {
    const r = run(new Bottleneck({ capacityBps: () => 1_200_000, lossRate: 0, seed, propagationMs: 10 * seed }), 30);
    const firstLow = r.sent.indexOf('low');
    t.ok(firstLow >= 0 && firstLow < 4, `seed ${seed}: on the low rendition after ${firstLow + 1} s (${r.perSecond.slice(0, 6).map((x) => Math.round(x / 1000)).join(', ')} kbit/s)`);
    const switches = r.sent.slice(firstLow).filter((s, i, a) => i > 0 && s !== a[i - 1]).length;
    t.ok(switches <= 2, `seed ${seed}: ${switches} switches after that in 30 s`);
    t.equal(r.est.stats().usage !== 'overuse', true, `seed ${seed}: no overuse on the low rendition`);
  }
  t.end();
});

t.test('a step from 20 to 1.2 Mbit/s: the estimate follows within 4 s', (t) => {
  const r = run(new Bottleneck({ capacityBps: (now) => (now < 10_000 ? 20_000_000 : 1_200_000), lossRate: 0, seed: 5 }), 20);
  t.ok(r.sent.slice(0, 10).every((s) => s === 'top'), 'top rendition while the link is fast');
  const down = r.sent.indexOf('low');
  t.ok(down >= 10 && down < 14, `low rendition ${down - 9} s after the step (${r.perSecond.map((x) => Math.round(x / 1000)).join(', ')})`);
  t.end();
});

t.test('bad feedback and REMB: counted and ignored; REMB caps the estimate', (t) => {
  const est = new BandwidthEstimator({ initialBps: 2_000_000 });
  est.onTransportFeedback({ senderSsrc: 1, mediaSsrc: 2, baseSeq: 500, referenceTime: 0, feedbackCount: 0, statuses: Uint8Array.of(1, 1, 0), deltas: Int32Array.of(4, 4, 0) }, 100);
  t.equal(est.stats().unknownPackets, 3, 'feedback about packets never sent');
  t.equal(est.estimateBps, 2_000_000, 'changes nothing');
  for (const bad of [0, -5, NaN, 1e12, Infinity]) est.onRemb(bad);
  t.equal(est.stats().rembIgnored, 5);
  est.onRemb(800_000);
  t.equal(est.estimateBps, 800_000, 'REMB caps the estimate');
  t.end();
});

t.test('receiver reports alone: loss up to what retransmission repairs never lowers the estimate; beyond it, the bound falls to what got through', (t) => {
  const e = new BandwidthEstimator({ initialBps: 10_000_000 });
  for (let k = 0; k < 30; k++) e.onReceiverReport(0.05 + 0.1 * (k % 2), 2_600_000, k * 1000);
  t.equal(e.estimateBps, 2_600_000 * 1.5, 'random 5-15% loss: never lowered (room for 1.5x what is sent)');
  for (let k = 30; k < 34; k++) e.onReceiverReport(0.55, 2_600_000, k * 1000);
  t.ok(e.estimateBps <= 2_600_000 * 0.6 && e.estimateBps >= 100_000, `55% loss of 2.6 Mbit/s: ${e.estimateBps} bit/s`);
  for (let k = 34; k < 40; k++) e.onReceiverReport(0, 420_000, k * 1000);
  t.ok(e.estimateBps >= 420_000 * 1.25 && e.estimateBps <= 420_000 * 1.5, `no loss on the lower rendition: room for it, no claim beyond 1.5x (${e.estimateBps} bit/s)`);
  t.equal(e.stats().receiverReports, 40);
  t.end();
});
