import t from 'tap';
import fc from 'fast-check';
import { runClosedLoop, type ClosedLoopOptions } from '../support/recovery-sim.js';

/**
 * Theory for independent loss p on both legs: a packet is finally lost when the original is
 * lost and each of k tries fails, a try failing when its NACK or its retransmission is lost:
 * P(lost) = p * (1 - (1 - p)^2)^k.
 */
function expectedLoss(p: number, k: number): number {
  return p * Math.pow(1 - (1 - p) * (1 - p), k);
}

function base(p: number, tries: number, seed: number, packets: number): ClosedLoopOptions {
  return {
    packets, seq0: 64000, intervalMs: 2, seed,
    forward: { loss: p, delay: { delayMs: 10, jitterMs: 2 } },
    back: { loss: p, delay: { delayMs: 10, jitterMs: 2 } },
    nack: { firstDelayMs: 10, maxTries: tries, maxAgeMs: 5000 },
    rttMs: 30, senderRttMs: 20, reorderWaitMs: 10 + 30 * (tries + 1) + 20,
  };
}

t.test('5% loss both ways, 3 tries: every packet delivered, in order, across the 65535 -> 0 wrap', async (t) => {
  // Expected final losses over 2000 packets: 2000 * 0.05 * 0.0975^3 = 0.09.
  const r = runClosedLoop(base(0.05, 3, 1, 2000));
  t.ok(r.measured >= 1990, `measured from the first packet received (${2000 - r.measured} lost before it)`);
  t.equal(r.delivered, r.measured, `lost ${r.lost}`);
  t.ok(r.nack.recovered > 50, `recovered ${r.nack.recovered} packets by NACK`);
  t.ok(r.seqs.includes(65535) && r.seqs.includes(0), 'crossed the wrap');
  for (let i = 1; i < r.exts.length; i++) if (r.exts[i] !== r.exts[i - 1] + 1) t.fail(`gap at ${i}`);
  t.ok(r.history.served > 0);
  const noNack = runClosedLoop({ ...base(0.05, 3, 1, 2000), noNack: true });
  t.ok(noNack.lost > 50, `without NACK ${noNack.lost} lost`);
});

t.test('residual loss degrades as theory says beyond what the retries cover', async (t) => {
  const n = 4000;
  for (const [p, k] of [[0.1, 1], [0.2, 1], [0.2, 2], [0.3, 1], [0.3, 2], [0.4, 3], [0.15, 0]] as const) {
    let lost = 0;
    let trials = 0;
    for (const seed of [11, 12]) {
      const r = runClosedLoop(base(p, k, seed, n));
      lost += r.lost;
      trials += r.measured;
    }
    const e = expectedLoss(p, k);
    const sigma = Math.sqrt(trials * e * (1 - e));
    // 4 sigma of the binomial, widened by 25%: NACKs batch several seqs, so losses are mildly correlated.
    t.ok(Math.abs(lost - trials * e) <= 1.25 * 4 * sigma + 2, `p=${p} tries=${k}: lost ${lost}/${trials}, expected ${(trials * e).toFixed(1)} +- ${sigma.toFixed(1)}`);
  }
});

t.test('property: reorder, jitter, duplication and bursts on the forward leg: still in order, full recovery when losses are mild', async (t) => {
  fc.assert(fc.property(fc.integer(), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 0.05, noNaN: true }),
    (seed, reorderP, depth, dup) => {
      const o = base(0.02, 5, seed, 600);
      o.forward = { burst: { loss: 0.02, meanBurst: 2 }, reorder: { probability: reorderP, depth, maxHoldMs: 15 }, duplicate: dup, delay: { delayMs: 10, jitterMs: 2 } };
      o.nack = { ...o.nack, firstDelayMs: 20 };
      o.reorderWaitMs = 20 + 30 * 6 + 20;
      const r = runClosedLoop(o);
      for (let i = 1; i < r.exts.length; i++) if (r.exts[i] !== r.exts[i - 1] + 1) return false;
      // Residual loss expected here is about 0.02 x 0.04^5 per packet: none.
      return r.lost === 0;
    }), { numRuns: 20 });
});
