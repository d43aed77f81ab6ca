import t from 'tap';
import { strategyDeps, strategyStreamConfig } from '../../lib/lab/lab-deps.js';
import { STRATEGIES } from '../../lib/lab/scenario.js';
import type { GatewayDeps, KeyframeGate } from '../../lib/gateway/deps.js';

t.test('strategies map onto the gateway config switches', async (t) => {
  t.same(strategyStreamConfig(STRATEGIES.none), { nack: false, rtx: false });
  t.same(strategyStreamConfig(STRATEGIES.nack), { nack: true, rtx: false });
  t.same(strategyStreamConfig(STRATEGIES['nack+rtx']), { nack: true, rtx: true });
});

t.test('pli ignore closes the keyframe gate; forward keeps the gateway one', async (t) => {
  const open: KeyframeGate = { request: () => true, poll: () => true, onKeyframe: () => undefined };
  const base = { keyframeGate: () => open } as unknown as GatewayDeps;
  t.equal(strategyDeps(base, STRATEGIES.nack).keyframeGate(), open);
  const closed = strategyDeps(base, STRATEGIES.none).keyframeGate();
  t.equal(closed.request('pli', 0), false);
  t.equal(closed.poll(0), false);
});
