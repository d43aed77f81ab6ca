import t from 'tap';
import fc from 'fast-check';
import { ProbeBitrate, ProbeController, PROBE_CONTROLLER_DEFAULTS, RenditionChooser, type RenditionLoad } from '../../lib/congestion/index.js';

t.test('ProbeBitrate: the rate a cluster was carried at, once every packet of it is reported', (t) => {
  const p = new ProbeBitrate();
  p.open(7);
  p.close(7, 11, 0);
  let r;
  // 11 packets of 1000 bytes sent 2 ms apart (4 Mbit/s), arriving 4 ms apart (a 2 Mbit/s link).
  for (let k = 0; k < 11; k++) r = p.onPacket(7, k * 2, 100 + k * 4, 1000, 200);
  t.ok(r && Math.abs(r.bps - 0.95 * 2_000_000) < 1000, `a filled link: 95% of the receive rate (${r?.bps})`);
  p.open(8);
  p.close(8, 11, 0);
  for (let k = 0; k < 11; k++) r = p.onPacket(8, k * 2, 100 + k * 2, 1000, 200);
  t.ok(r && Math.abs(r.bps - 4_000_000) < 1000, `room: the send rate (${r?.bps})`);
  t.equal(p.onPacket(8, 0, 0, 1000, 300), undefined, 'a cluster is measured once');
  p.open(9);
  p.close(9, 10, 0);
  for (let k = 0; k < 10; k++) r = p.onPacket(9, k, k < 7 ? 100 + k : -1, 1000, 200);
  t.equal(r?.bps, 0, 'three of ten lost: a failed probe');
  t.equal(p.onPacket(3, 0, 1, 1000, 200), undefined, 'feedback about another cluster is not this one');
  // Feedback that lands while the cluster is still being sent counts: the result comes at its close.
  p.open(10);
  for (let k = 0; k < 6; k++) t.equal(p.onPacket(10, k * 2, 100 + k * 2, 1000, 150), undefined, 'no result before the close');
  r = p.close(10, 6, 160);
  t.ok(r && r.cluster === 10 && r.bps > 0 && r.at === 160, `reported before the close: measured at it (${r?.bps})`);
  t.end();
});

t.test('property: ProbeBitrate never reports more than the rate sent nor more than the rate received', (t) => {
  fc.assert(fc.property(fc.array(fc.record({ gap: fc.double({ min: 0, max: 5, noNaN: true }), delay: fc.double({ min: 0, max: 50, noNaN: true }), bytes: fc.integer({ min: 50, max: 1300 }) }), { minLength: 2, maxLength: 60 }), (packets) => {
    const p = new ProbeBitrate();
    p.open(1);
    p.close(1, packets.length, 0);
    let send = 0;
    let arrival = 0;
    let r;
    let bytes = 0;
    let firstArrivalBytes = 0;
    let maxArrival = 0;
    for (const [k, x] of packets.entries()) {
      send += x.gap;
      arrival = Math.max(arrival, send + x.delay);
      if (k === 0) firstArrivalBytes = x.bytes;
      maxArrival = arrival;
      bytes += x.bytes;
      r = p.onPacket(1, send, arrival, x.bytes, 1000);
    }
    if (!r) return false;
    const firstArrival = packets[0].gap + packets[0].delay;
    const receiveBps = maxArrival > firstArrival ? ((bytes - firstArrivalBytes) * 8000) / (maxArrival - firstArrival) : Infinity;
    return Number.isFinite(r.bps) && r.bps >= 0 && r.bps <= receiveBps * (1 + 1e-9) && (r.bps === 0 || maxArrival - firstArrival >= 1);
  }), { numRuns: 300 });
  t.end();
});

t.test('ProbeController: probes when allowed, backs off after failures up to maxIntervalMs, bounded in bytes and rate', (t) => {
  const c = new ProbeController();
  const need = 3_250_000;
  t.equal(c.poll(0, false, need, 420_000, undefined), undefined, 'not allowed: nothing');
  t.equal(c.poll(1000, true, need, 420_000, undefined), undefined, 'allowed, but only firstAfterMs after it was not');
  const p = c.poll(2000, true, need, 420_000, undefined)!;
  t.ok(p, 'a probe');
  t.ok(p.bytes <= PROBE_CONTROLLER_DEFAULTS.maxClusterBytes && p.paddingBps <= PROBE_CONTROLLER_DEFAULTS.maxPaddingBps, `bounded (${JSON.stringify(p)})`);
  t.ok(Math.abs(p.paddingBps - (need * PROBE_CONTROLLER_DEFAULTS.overshoot - 420_000)) < 1, 'the next rendition times the overshoot, less what is sent');
  t.equal(c.poll(2100, true, need, 420_000, undefined), undefined, 'one cluster at a time');
  const times: number[] = [];
  let latest: { cluster: number; bps: number; at: number } | undefined;
  for (let now = 2250; now < 60_000; now += 250) {
    const q = c.poll(now, true, need, 420_000, latest);
    if (!q) continue;
    times.push(now);
    latest = { cluster: q.cluster, bps: 1_100_000, at: now + 200 };
  }
  const gaps = times.slice(1).map((x, i) => x - times[i]);
  t.ok(gaps.every((g) => g <= PROBE_CONTROLLER_DEFAULTS.maxIntervalMs + 500), `never more than maxIntervalMs apart (${gaps.join(', ')})`);
  t.ok(gaps.slice(3).every((g) => g >= PROBE_CONTROLLER_DEFAULTS.maxIntervalMs), 'failed probes: one every maxIntervalMs');
  t.ok(c.stats().probesFailed >= times.length - 1, `${c.stats().probesFailed} failed`);
  const q = c.poll(100_000, true, need, 420_000, undefined)!;
  t.ok(q, 'a probe whose result never came counts as failed after resultTimeoutMs');
  t.end();
});

t.test('RenditionChooser with probing: no blind trial; up only on a probe since the last change with room for the next plus the margin', (t) => {
  const list: RenditionLoad[] = [{ bitrateBps: 2_600_000, live: true }, { bitrateBps: 420_000, live: true }];
  const c = new RenditionChooser(0, {}, true);
  t.equal(c.choose(1500, 0, 1_000_000, list), 0);
  t.equal(c.choose(2600, 0, 1_000_000, list), 1, 'down');
  t.equal(c.choose(120_000, 1, 600_000, list), 1, 'no blind trial, however long');
  t.equal(c.choose(120_100, 1, 600_000, list, { bps: 5_000_000, at: 2000 }), 1, 'a probe from before the step down counts for nothing');
  t.equal(c.choose(120_200, 1, 600_000, list, { bps: 3_000_000, at: 120_150 }), 1, 'a probe short of 2.6 Mbit/s plus 25%');
  t.equal(c.upNeedBps(1, list), 3_250_000);
  t.equal(c.upNeedBps(0, list), 0, 'nothing above the top');
  t.equal(c.choose(120_300, 1, 600_000, list, { bps: 3_300_000, at: 120_250 }), 0, 'a probe with room: up');
  t.ok(c.settling(121_000), 'settling after the step');
  t.end();
});
