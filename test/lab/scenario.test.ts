import t from 'tap';
import { DEFAULT_MATRIX, PRESETS, STRATEGIES, buildScenario, describeProfile, parseImpairment } from '../../tools/lab/scenario.js';

t.test('every preset names known strategies in its figures, and the default matrix exists', async (t) => {
  for (const p of Object.values(PRESETS)) {
    const names = p.strategies.map((s) => s.name);
    for (const e of p.expect) for (const s of e.strategies) t.ok(names.includes(s), `${p.id}: ${s} is run`);
    for (const s of p.strategies) t.same(STRATEGIES[s.name], s);
  }
  for (const id of DEFAULT_MATRIX) t.ok(PRESETS[id], id);
});

t.test('the issue 7 figures are encoded as stated', async (t) => {
  const loss5 = buildScenario('loss5');
  t.equal(loss5.durationS, 30);
  t.same(loss5.impairment.forward, { loss: 0.05 });
  t.same(loss5.impairment.back, { loss: 0.05 });
  t.same(loss5.expect[0], { strategies: ['nack', 'nack+rtx'], minDecodedPct: 99.5, maxFreezes: 0, maxLostPct: 0.1 });
  t.equal(buildScenario('loss15').expect[0].maxFreezes, 1);
  t.same(buildScenario('burst').impairment.forward, { burst: { loss: 0.02, meanBurst: 5 } });
  t.equal(buildScenario('reorder').impairment.leg, 'camera');
  t.equal(buildScenario('loss10').expect[0].maxPliToKeyframeMs, 1000);
  t.equal(buildScenario('clean').expect[0].maxNacks, 0);
});

t.test('buildScenario overrides and errors', async (t) => {
  const s = buildScenario('loss5', { seed: 7, durationS: 12, source: 'gstreamer', strategies: ['nack'] });
  t.equal(s.seed, 7);
  t.equal(s.durationS, 12);
  t.equal(s.source, 'gstreamer');
  t.same(s.strategies.map((x) => x.name), ['nack']);
  t.throws(() => buildScenario('nope'), /unknown scenario/);
  t.throws(() => buildScenario('loss5', { strategies: ['magic'] }), /unknown strategy/);
});

t.test('parseImpairment', async (t) => {
  t.same(parseImpairment('webrtc:loss=0.05,both'), { leg: 'webrtc', forward: { loss: 0.05 }, back: { loss: 0.05, burst: undefined }, minSize: 0 });
  const cam = parseImpairment('camera:reorder=0.25,jitter=20');
  t.equal(cam.leg, 'camera');
  t.same(cam.forward.reorder, { probability: 0.25, depth: 4, maxHoldMs: 20 });
  t.same(cam.forward.delay, { delayMs: 20, jitterMs: 20 });
  t.same(cam.back, {});
  t.same(parseImpairment('webrtc:burst=0.02/5,dup=0.01,delay=30,jitter=5,min-size=300').forward, {
    burst: { loss: 0.02, meanBurst: 5 }, duplicate: 0.01, delay: { delayMs: 30, jitterMs: 5 },
  });
  t.equal(parseImpairment('webrtc:min-size=300').minSize, 300);
  t.throws(() => parseImpairment('middle:loss=0.1'), /camera: or webrtc:/);
  t.throws(() => parseImpairment('webrtc:loss=-1'), /bad value/);
  t.throws(() => parseImpairment('webrtc:burst=0.1'), /burst wants/);
  t.throws(() => parseImpairment('webrtc:wat=1'), /unknown impairment key/);
});

t.test('describeProfile', async (t) => {
  t.equal(describeProfile({}), 'clean');
  t.equal(describeProfile({ loss: 0.05, delay: { delayMs: 20, jitterMs: 5 } }), 'loss 5%, delay 20±5 ms');
  t.equal(describeProfile({ burst: { loss: 0.02, meanBurst: 5 } }), 'GE 2%/burst 5');
});
