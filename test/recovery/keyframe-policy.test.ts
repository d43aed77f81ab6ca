import t from 'tap';
import { KeyframePolicy } from '../../lib/recovery/keyframe-policy.js';
import { RetransmissionHistory } from '../../lib/recovery/history.js';

t.test('PLI/FIR from many receivers: forwarded upstream at most once per second, the rest merged', async (t) => {
  const k = new KeyframePolicy();
  t.equal(k.request('pli', 0), true);
  t.equal(k.request('pli', 10), false);
  t.equal(k.request('fir', 20), false);
  t.equal(k.request('pli', 500), false);
  t.equal(k.nextDeadline(), 1000);
  t.equal(k.poll(999), false);
  t.equal(k.poll(1000), true, 'one merged request goes out when the interval ends');
  t.equal(k.poll(1001), false);
  t.equal(k.nextDeadline(), Infinity);
  t.same(k.stats, { pliIn: 3, firIn: 1, forwarded: 2, merged: 2, keyframes: 0, waitsStarted: 0, replays: 0 });
});

t.test('a keyframe arriving satisfies a pending request', async (t) => {
  const k = new KeyframePolicy();
  k.request('pli', 0);
  k.request('pli', 100);
  k.onKeyframe(10, 0, 200);
  t.equal(k.poll(1500), false);
  t.equal(k.nextDeadline(), Infinity);
});

t.test('receivers that lost a keyframe wait for the next one', async (t) => {
  const k = new KeyframePolicy<number>();
  t.equal(k.markWaiting(1, 0), true, 'first request goes upstream at once');
  t.equal(k.markWaiting(2, 10), false, 'second merged');
  t.ok(k.isWaiting(1) && k.isWaiting(2));
  t.notOk(k.isWaiting(3));
  t.equal(k.waitingCount, 2);
  k.onKeyframe(500, 9000, 300);
  t.notOk(k.isWaiting(1) || k.isWaiting(2));
  k.markWaiting(3, 400);
  k.removeReceiver(3);
  t.equal(k.waitingCount, 0);
  t.equal(k.stats.waitsStarted, 3);
});

t.test('a new receiver starts at the latest keyframe while the history still holds it, else waits', async (t) => {
  const h = new RetransmissionHistory({ maxAgeMs: 1000 });
  const k = new KeyframePolicy<string>();
  const pkt = new Uint8Array(100);
  pkt[0] = 0x80; pkt[2] = 0x01; pkt[3] = 0x00; // seq 256
  h.store(pkt, 0);
  t.same(k.startReceiver('a', 0, h), { upstreamNow: true }, 'no keyframe seen yet');
  t.ok(k.isWaiting('a'));
  k.onKeyframe(256, 1234, 0);
  t.same(k.startReceiver('b', 500, h), { replayFrom: { seq: 256, rtpTimestamp: 1234, at: 0 } });
  t.notOk(k.isWaiting('b'));
  t.same(k.startReceiver('c', 1500, h), { upstreamNow: true }, 'first packet gone from the history');
  t.equal(k.stats.replays, 1);
});

t.test('FIR sequence numbers wrap at 8 bits', async (t) => {
  const k = new KeyframePolicy();
  const seen = Array.from({ length: 258 }, () => k.nextFirSequence());
  t.equal(seen[0], 0);
  t.equal(seen[255], 255);
  t.equal(seen[256], 0);
});
