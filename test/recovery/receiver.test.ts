import t from 'tap';
import { RecoveringReceiver } from '../../lib/recovery/receiver.js';
import type { ReorderSink } from '../../lib/recovery/reorder-buffer.js';
import { runClosedLoop } from '../support/recovery-sim.js';

class Sink implements ReorderSink<number> {
  seqs: number[] = [];
  losses: [number, number][] = [];
  resyncs = 0;
  onPacket(p: number): void { this.seqs.push(p); }
  onLoss(from: number, count: number): void { this.losses.push([from & 0xffff, count]); }
  onResync(): void { this.resyncs++; }
}

t.test('hold time leaves room for NACK recovery and follows the RTT; without NACK it follows jitter only', async (t) => {
  const r = new RecoveringReceiver<number>(new Sink());
  t.equal(r.stats().holdMs, 200, 'default RTT 100 ms: 20 + 3 x 100 capped at 200');
  r.setRttMs(10);
  t.equal(r.stats().holdMs, 50, '20 + 3 x 10');
  r.setRttMs(2);
  t.equal(r.stats().holdMs, 50, 'each round trip counts at least the minimum retry interval (10 ms)');
  const plain = new RecoveringReceiver<number>(new Sink(), { nack: false });
  t.equal(plain.stats().holdMs, 20);
  t.equal(plain.nack, undefined);
});

t.test('gap: NACKed, then filled by the retransmission (counted as recovered); retransmissions stay out of the jitter estimate', async (t) => {
  const sink = new Sink();
  const r = new RecoveringReceiver<number>(sink, { nack: { firstDelayMs: 10 }, reorder: { startupHold: false } });
  r.setRttMs(20);
  for (let s = 0; s < 5; s++) r.push(s, s, s * 3000, s * 33);
  r.push(6, 6, 6 * 3000, 6 * 33);
  t.equal(r.nextDeadline(), 6 * 33 + 10, 'first NACK 10 ms after the gap was seen');
  const req = r.poll(6 * 33 + 10);
  t.same(req.seqs, [5]);
  const jitterBefore = r.stats().jitterMs;
  r.push(5, 5, 5 * 3000, 6 * 33 + 40, true);
  t.same(sink.seqs, [0, 1, 2, 3, 4, 5, 6]);
  t.equal(r.stats().recovered, 1);
  t.equal(r.stats().jitterMs, jitterBefore, 'retransmission did not move the jitter');
});

t.test('a camera that reports no RTT: the one learned from a repair paces retries; the hold keeps its margin', async (t) => {
  const r = new RecoveringReceiver<number>(new Sink(), { nack: { firstDelayMs: 10 }, reorder: { startupHold: false } });
  t.equal(r.stats().holdMs, 200, 'before any repair: the 100 ms guess');
  t.equal(r.stats().learnedRttMs, -1);
  for (let s = 0; s < 5; s++) r.push(s, s, s * 3000, s * 33);
  r.push(6, 6, 6 * 3000, 6 * 33);
  t.same(r.poll(6 * 33 + 10).seqs, [5]);
  r.push(5, 5, 5 * 3000, 6 * 33 + 14, true);
  t.equal(r.stats().learnedRttMs, 4);
  t.equal(r.nack!.rttMs, 12, 'retries at srtt + 4 x rttvar (4 + 4 x 2)');
  t.equal(r.stats().holdMs, 200, 'the hold still assumes the 100 ms guess: repairs need not share the path RTSP measured');
});

t.test('a gap the reorder buffer gives up is no longer NACKed; restart resets NACK state', async (t) => {
  const sink = new Sink();
  const r = new RecoveringReceiver<number>(sink, { reorder: { waitMs: 30, startupHold: false }, nack: { firstDelayMs: 50 } });
  r.push(0, 0, 0, 0);
  r.push(2, 2, 0, 1);
  r.poll(40);
  t.same(sink.losses, [[1, 1]]);
  t.same(r.poll(100).seqs, [], 'seq 1 abandoned');
  t.equal(r.nack!.missingCount, 0);
  r.push(30000, 30000, 0, 101);
  r.push(30001, 30001, 0, 102);
  t.equal(sink.resyncs, 1);
  t.equal(r.nack!.missingCount, 0);
  r.push(30003, 30003, 0, 103);
  t.equal(r.nack!.missingCount, 1, 'fresh NACK state after the restart');
});

t.test('closed loop with the composed receiver: 5% loss both ways, 3 tries, across the wrap: everything delivered', async (t) => {
  const res = runClosedLoop({
    packets: 2000, seq0: 65000, intervalMs: 2, seed: 3,
    forward: { loss: 0.05, delay: { delayMs: 10, jitterMs: 2 } }, back: { loss: 0.05, delay: { delayMs: 10, jitterMs: 2 } },
    nack: {}, rttMs: 30, senderRttMs: 20, reorderWaitMs: 0,
    receiver: { nack: { firstDelayMs: 10, maxTries: 3 }, recoveryRtts: 4 },
  });
  t.equal(res.lost, 0, `lost ${res.lost} of ${res.measured}`);
  t.ok(res.receiver!.recovered > 50, `recovered ${res.receiver!.recovered}`);
  t.equal(res.receiver!.lost, 0);
});
