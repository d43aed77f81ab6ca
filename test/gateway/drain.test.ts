/**
 * The gateway's drain (graceful shutdown's first half) and readiness, on virtual time for the
 * drain deadline: new viewers refused with DRAINING, current ones kept, the drain settling when
 * the last viewer leaves, at drainTimeoutMs, or at close(); and drainTimeoutMs in the config.
 */
import t from 'tap';
import { Gateway, GATEWAY_DEFAULTS, type StreamConfig } from '../../lib/gateway/gateway.js';
import { ConfigError, defaultConfig, parseConfig } from '../../lib/gateway/config.js';
import type { SourceInfo, SourceSink, SourceState, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { FakeTimers, until } from '../support/fake-clock.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

/** A source whose state the test sets. */
class ManualSource implements VideoSource {
  sink: SourceSink | undefined;
  start(sink: SourceSink) {
    this.sink = sink;
  }
  stop() {}
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
  set(state: SourceState) {
    this.sink?.onState(state);
  }
}

function makeGateway(streams: Record<string, StreamConfig>, opts: { allowSources?: string[]; drainTimeoutMs?: number } = {}) {
  const clock = new FakeTimers();
  const sources = new Map<string, ManualSource>();
  const gateway = new Gateway(
    { streams, tickMs: 5, ...opts },
    new FakeTransport(),
    createDeps({}, { clock }),
    (name) => {
      const s = new ManualSource();
      sources.set(name, s);
      return s;
    },
  );
  t.teardown(() => gateway.close());
  return { gateway, clock, sources };
}

const camera = (onDemand: boolean): StreamConfig => ({ url: 'rtsp://cam.invalid/x', onDemand });

t.test('a drain with no viewers is over at once', async (t) => {
  const { gateway } = makeGateway({ hall: camera(true) });
  t.equal(gateway.draining, false);
  const r = await gateway.drain();
  t.same(r, { viewersAtStart: 0, viewersLeft: 0, ended: 'empty' });
  t.equal(gateway.draining, true, 'still draining: the gateway is on its way out');
});

t.test('draining: new viewers refused, current ones kept until drainTimeoutMs', async (t) => {
  const { gateway, clock } = makeGateway({ hall: camera(true) }, { drainTimeoutMs: 2000 });
  const hall = gateway.stream('hall')!;
  await gateway.addViewer(hall, CHROMIUM_OFFER);
  t.equal(gateway.viewerCount, 1);
  let result: Awaited<ReturnType<Gateway['drain']>> | undefined;
  const done = gateway.drain().then((r) => (result = r));
  t.equal(gateway.drain(), gateway.drain(), 'a second call returns the same drain');
  t.throws(() => gateway.addViewer(hall, CHROMIUM_OFFER), { code: 'DRAINING' });
  t.throws(() => gateway.refuseWhileDraining(), { code: 'DRAINING' });
  await clock.advance(1999);
  t.equal(result, undefined, 'not over before drainTimeoutMs');
  t.equal(hall.viewerCount, 1, 'the viewer is still served');
  await clock.advance(1);
  await done;
  t.same(result, { viewersAtStart: 1, viewersLeft: 1, ended: 'timeout' });
  t.equal(hall.viewerCount, 1, 'the drain closes nothing itself');
});

t.test('the drain is over when the last viewer leaves', async (t) => {
  const { gateway } = makeGateway({ hall: camera(true), lab: camera(true) });
  const a = await gateway.addViewer(gateway.stream('hall')!, CHROMIUM_OFFER);
  const b = await gateway.addViewer(gateway.stream('lab')!, CHROMIUM_OFFER);
  let over = false;
  const done = gateway.drain().then((r) => {
    over = true;
    return r;
  });
  gateway.stream('hall')!.removeViewer(a.id);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(over, false, 'one viewer is still watching');
  gateway.stream('lab')!.removeViewer(b.id);
  await until(() => over, 'the drain to end');
  t.same(await done, { viewersAtStart: 2, viewersLeft: 0, ended: 'empty' });
});

t.test('close() during a drain ends it', async (t) => {
  const { gateway } = makeGateway({ hall: camera(true) });
  await gateway.addViewer(gateway.stream('hall')!, CHROMIUM_OFFER);
  const done = gateway.drain(60_000);
  await gateway.close();
  t.same(await done, { viewersAtStart: 1, viewersLeft: 1, ended: 'closed' }, 'counted as close() found them');
});

t.test('readiness: a playing source, or an on-demand stream that is stopped', (t) => {
  const always = makeGateway({ hall: camera(false) });
  const hall = always.sources.get('hall')!;
  t.same(always.gateway.readiness(), { ready: false, reason: 'no live source' }, 'connecting to the camera');
  hall.set('playing');
  t.same(always.gateway.readiness(), { ready: true, reason: 'ready' });
  hall.set('reconnecting');
  t.same(always.gateway.readiness(), { ready: false, reason: 'no live source' }, 'camera lost');
  hall.set('failed');
  t.same(always.gateway.readiness(), { ready: false, reason: 'no live source' });

  const mixed = makeGateway({ hall: camera(false), lab: camera(true) });
  t.same(mixed.gateway.readiness(), { ready: true, reason: 'ready' }, 'the on-demand stream starts for its first viewer');
  void mixed.gateway.drain();
  t.same(mixed.gateway.readiness(), { ready: false, reason: 'draining' });

  t.same(makeGateway({}).gateway.readiness(), { ready: false, reason: 'no live source' }, 'nothing to serve');
  t.same(makeGateway({}, { allowSources: ['rtsp://cams.invalid/*'] }).gateway.readiness(), { ready: true, reason: 'ready' }, 'ad-hoc sources only');
  t.end();
});

t.test('drainTimeoutMs: 30000 by default, validated', (t) => {
  t.equal(GATEWAY_DEFAULTS.drainTimeoutMs, 30_000);
  t.equal(defaultConfig().drainTimeoutMs, 30_000);
  t.equal(parseConfig({ drainTimeoutMs: 2000 }).drainTimeoutMs, 2000);
  t.equal(parseConfig({ drainTimeoutMs: 0 }).drainTimeoutMs, 0, '0: no drain, shut down at once');
  for (const bad of [-1, 3_600_001, '30000', null]) {
    t.throws(() => parseConfig({ drainTimeoutMs: bad }), new ConfigError(`config.drainTimeoutMs must be a number from 0 to 3600000, got ${JSON.stringify(bad)}`));
  }
  t.end();
});
