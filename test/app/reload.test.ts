/** StreamManager.reload and the SIGHUP reloader: what changes, what is untouched, refusals, storms; removal during a reconnect. */
import t from 'tap';
import { Gateway, type StreamConfig } from '../../lib/gateway/gateway.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps, defaultSourceFactory } from '../../lib/gateway/wiring.js';
import { StreamManager } from '../../lib/app/stream-manager.js';
import { createReloader } from '../../lib/app/reload.js';
import { ConfigError, type CamwireConfig } from '../../lib/gateway/config.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';
import { FakeTransport } from '../support/fake-transport.js';

class RecordingSource implements VideoSource {
  started = 0;
  stopped = 0;
  constructor(readonly url: string) {}
  start(sink: SourceSink) {
    this.started++;
    sink.onState('playing');
  }
  stop() {
    this.stopped++;
  }
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
}

function setup(streams: Record<string, StreamConfig>) {
  const sources: RecordingSource[] = [];
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l), { format: 'json' });
  const gateway = new Gateway({ streams }, new FakeTransport(), createDeps(), (_n, cfg) => {
    const s = new RecordingSource(cfg.url);
    sources.push(s);
    return s;
  });
  const manager = new StreamManager(gateway, streams, log);
  return { gateway, manager, sources, lines, log };
}

t.test('reload: added, removed, changed; an unchanged stream is not touched', async (t) => {
  const { gateway, manager, sources, log } = setup({
    keep: { url: 'rtsp://h/keep', onDemand: false }, gone: { url: 'rtsp://h/gone', onDemand: false }, moved: { url: 'rtsp://h/a', onDemand: false },
  });
  const keep = gateway.stream('keep');
  const r = await manager.reload({ keep: { url: 'rtsp://h/keep', onDemand: false }, moved: { url: 'rtsp://h/b', onDemand: false }, fresh: { url: 'rtsp://h/new' } });
  t.same(r, { added: ['fresh'], removed: ['gone'], changed: ['moved'], unchanged: ['keep'] });
  t.equal(gateway.stream('keep'), keep, 'the same stream object');
  const byUrl = (u: string) => sources.filter((s) => s.url === u);
  t.same(byUrl('rtsp://h/keep').map((s) => [s.started, s.stopped]), [[1, 0]], 'its camera session untouched');
  t.same(byUrl('rtsp://h/gone').map((s) => [s.started, s.stopped]), [[1, 1]], 'the removed one torn down');
  t.same(byUrl('rtsp://h/a').map((s) => s.stopped), [1], 'the changed one: old session ended');
  t.same(byUrl('rtsp://h/b').map((s) => s.started), [1], 'new session started');
  t.same(gateway.streamNames().sort(), ['fresh', 'keep', 'moved']);
  await gateway.close();
  log.close();
});

t.test('reloader: a bad file is refused whole; a storm of signals costs at most two reads', async (t) => {
  const { gateway, manager, lines, log } = setup({ a: { url: 'rtsp://h/a' } });
  const running = { streams: { a: { url: 'rtsp://h/a' } } } as CamwireConfig;
  let reads = 0;
  let next: CamwireConfig | Error = new ConfigError('config.streams.a.bogus is not a known setting');
  const reloader = createReloader(() => {
    reads++;
    if (next instanceof Error) throw next;
    return next;
  }, manager, running, log);
  await reloader.request();
  t.same(gateway.streamNames(), ['a'], 'the running set stays');
  t.match(lines.at(-1), /"event":"config.reload-refused","error":"config.streams.a.bogus is not a known setting","kept":1/);
  next = { streams: { a: { url: 'rtsp://h/a' }, b: { url: 'rtsp://h/b' } }, webrtc: { mtu: 1000 } } as CamwireConfig;
  reads = 0;
  await Promise.all(Array.from({ length: 20 }, () => reloader.request()));
  t.ok(reads >= 1 && reads <= 2, `${reads} reads for 20 signals`);
  t.same(gateway.streamNames().sort(), ['a', 'b']);
  t.match(lines.join(''), /"event":"config.reloaded","added":\["b"\],"removed":\[\],"changed":\[\],"unchanged":1,"needsRestart":\["webrtc"\]/);
  await gateway.close();
  log.close();
});

t.test('removing a stream while its camera is being retried ends the retries', async (t) => {
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l), { format: 'json', level: 'debug' });
  const rtsp = { reconnect: { initialDelayMs: 100, maxDelayMs: 100 }, connectTimeoutMs: 500 };
  const gateway = new Gateway({ streams: { dead: { url: 'rtsp://127.0.0.1:1/x', onDemand: false, rtsp } } }, new FakeTransport(), createDeps(), defaultSourceFactory(log));
  const attempts = () => lines.filter((l) => l.includes('"source.connecting"')).length;
  for (let i = 0; i < 50 && !lines.some((l) => l.includes('"source.lost"')); i++) await new Promise((r) => setTimeout(r, 20));
  t.ok(lines.some((l) => l.includes('"code":"RTSP_CONNECTION_REFUSED"')), 'it is retrying');
  t.ok(await gateway.removeStream('dead'));
  const after = attempts();
  await new Promise((r) => setTimeout(r, 400));
  t.equal(attempts(), after, 'no attempt after the removal');
  t.ok(lines.some((l) => l.includes('"source.stopped"')));
  await gateway.close();
  log.close();
});
