/**
 * `record` in the config file and on SIGHUP: validated like every key (errors name it), its
 * defaults in defaultConfig(), and a reload that turns one stream's recording on and another's
 * off without touching the stream (no new camera session); a reload with a bad `record` is
 * refused whole.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, parseConfig, type CamwireConfig } from '../../lib/gateway/config.js';
import { Gateway, type StreamConfig } from '../../lib/gateway/gateway.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import { StreamManager } from '../../lib/app/stream-manager.js';
import { createReloader } from '../../lib/app/reload.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';
import { RECORD_DEFAULTS } from '../../lib/record/options.js';
import { Recordings } from '../../lib/record/recordings.js';
import { FakeTransport } from '../support/fake-transport.js';

const cam = (path: string) => `rtsp://cam.invalid/${path}`;

t.test('the config: defaults, true needs a dir somewhere, bad keys and values named', async (t) => {
  t.same(defaultConfig().record, RECORD_DEFAULTS);
  t.ok(parseConfig({ record: { dir: '/r' }, streams: { a: { url: cam('a'), record: true } } }));
  t.ok(parseConfig({ streams: { a: { url: cam('a'), record: { dir: '/r', segmentSeconds: 10 } } } }));
  t.ok(parseConfig({ streams: { a: { url: cam('a'), record: false } } }));
  const refused = (cfg: unknown) => {
    try {
      parseConfig(cfg);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };
  t.match(refused({ streams: { a: { url: cam('a'), record: true } } }), 'config.streams.a.record needs a dir');
  t.match(refused({ streams: { a: { url: cam('a'), record: { dir: '/r', segmentSeconds: 0 } } } }), 'config.streams.a.record.segmentSeconds must be a number from 1 to 86400');
  t.match(refused({ streams: { a: { url: cam('a'), record: { dir: '/r', segments: 3 } } } }), 'config.streams.a.record.segments is not a known setting');
  t.match(refused({ streams: { a: { url: cam('a'), record: 'yes' } } }), 'config.streams.a.record must be an object');
  t.match(refused({ record: { retainBytes: 10 } }), 'config.record.retainBytes must be a number from');
  t.match(refused({ record: { dir: '/r', segmentSeconds: 2, fragmentSeconds: 5 }, streams: { a: { url: cam('a'), record: true } } }), 'config.streams.a.record.fragmentSeconds must not be above segmentSeconds');
});

class PlayingSource implements VideoSource {
  started = 0;
  start(sink: SourceSink) {
    this.started++;
    sink.onState('playing');
  }
  stop() {}
  requestKeyframe() {}
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
}

t.test('SIGHUP: recording turned on and off in place; a bad record refuses the reload whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-record-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const streams: Record<string, StreamConfig> = { a: { url: cam('a'), onDemand: false }, b: { url: cam('b'), onDemand: false, record: true } };
  const sources: PlayingSource[] = [];
  const recordings = new Recordings({ dir }, systemClock);
  const gateway = new Gateway({ streams, recordings }, new FakeTransport(), createDeps(), () => {
    const s = new PlayingSource();
    sources.push(s);
    return s;
  });
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => lines.push(l), { format: 'json' });
  const running: CamwireConfig = { record: { dir }, streams };
  let next: unknown = running;
  const reloader = createReloader(() => parseConfig(structuredClone(next)), new StreamManager(gateway, streams, log), running, log);
  const recording = () => gateway.snapshot().filter((s) => s.recording).map((s) => s.stream.name);
  t.same(recording(), ['b']);
  const [a, b] = [gateway.stream('a'), gateway.stream('b')];
  next = { record: { dir }, streams: { a: { url: cam('a'), onDemand: false, record: { segmentSeconds: 5 } }, b: { url: cam('b'), onDemand: false } } };
  await reloader.request();
  t.same(recording(), ['a'], 'a records now, b no more');
  t.equal(gateway.stream('a'), a, 'the same streams');
  t.equal(gateway.stream('b'), b);
  t.same(sources.map((s) => s.started), [1, 1], 'no new camera session');
  next = { record: { dir }, streams: { a: { url: cam('a'), onDemand: false, record: { segmentSeconds: 0 } }, b: { url: cam('b'), onDemand: false } } };
  await reloader.request();
  t.match(lines.at(-1), /config\.reload-refused.*streams\.a\.record\.segmentSeconds/);
  t.same(recording(), ['a'], 'the running set stays');
  await gateway.close();
  log.close();
});
