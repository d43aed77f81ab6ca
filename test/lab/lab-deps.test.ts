import t from 'tap';
import { strategyStreamConfig } from '../../tools/lab/lab-deps.js';
import { STRATEGIES } from '../../tools/lab/scenario.js';
import { parseConfig } from '../../lib/gateway/config.js';

t.test('strategies map onto the gateway config switches', async (t) => {
  t.same(strategyStreamConfig(STRATEGIES.none), { nack: false, rtx: false, rrtr: true, viewerKeyframeRequests: 'ignore', cameraReorder: 'on' });
  t.same(strategyStreamConfig(STRATEGIES.nack), { nack: true, rtx: false, rrtr: true, viewerKeyframeRequests: 'forward', cameraReorder: 'on' });
  t.same(strategyStreamConfig(STRATEGIES['nack+rtx/no-rtt']), { nack: true, rtx: true, rrtr: false, viewerKeyframeRequests: 'forward', cameraReorder: 'on' });
  t.same(strategyStreamConfig(STRATEGIES['nack+rtx/no-reorder']).cameraReorder, 'off');
  t.equal(strategyStreamConfig(STRATEGIES['nack+rtx/hold60']).reorderMinWaitMs, 60);
  t.equal(strategyStreamConfig(STRATEGIES['nack+rtx/packet']).forwarding, 'packet');
});

t.test('every strategy is a valid gateway stream config (the lab measures what users can run)', async (t) => {
  for (const s of Object.values(STRATEGIES)) {
    t.doesNotThrow(() => parseConfig({ streams: { lab: { url: 'rtsp://127.0.0.1/x', ...strategyStreamConfig(s) } } }), s.name);
  }
});
