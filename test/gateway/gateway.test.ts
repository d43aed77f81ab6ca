import t from 'tap';
import { Gateway } from '../../lib/gateway/gateway.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import type { SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

class NullSource implements VideoSource {
  stopped = 0;
  start(s: SourceSink) {
    s.onState('playing');
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('ad-hoc ?src= streams: allow-list, reuse per URL, removed once idle; configured streams stay', async (t) => {
  const sources: NullSource[] = [];
  const gw = new Gateway(
    { streams: { 'src-configured': { url: 'rtsp://cam.invalid/a' } }, allowSources: ['rtsp://ok.invalid/*'], streamDefaults: { idleStopMs: 0 }, tickMs: 10 },
    new FakeTransport(),
    createDeps(),
    () => {
      const s = new NullSource();
      sources.push(s);
      return s;
    },
  );
  try {
    t.throws(() => gw.streamForSource('rtsp://evil.invalid/x'), { code: 'SOURCE_NOT_ALLOWED' });
    t.notOk(gw.sourceAllowed('rtsp://ok.invalid.evil.example/x'), 'the pattern is anchored');
    const s = gw.streamForSource('rtsp://ok.invalid/cam1');
    t.equal(gw.streamForSource('rtsp://ok.invalid/cam1'), s, 'one stream per URL');
    const v = await s.addViewer(CHROMIUM_OFFER);
    await sleep(50);
    t.ok(gw.streamNames().includes(s.name), 'kept while watched');
    s.removeViewer(v.id);
    await sleep(100);
    t.notOk(gw.streamNames().includes(s.name), 'removed once idle');
    t.ok(gw.streamNames().includes('src-configured'), 'a configured stream is never removed');
    t.equal(sources[1].stopped, 1, 'its source was stopped');
  } finally {
    await gw.close();
  }
});

t.test('credentials never leave the gateway', async (t) => {
  const gw = new Gateway({ streams: { a: { url: 'rtsp://admin:hunter2@10.0.0.5:554/x' } } }, new FakeTransport(), createDeps(), () => new NullSource());
  t.equal(gw.publicUrl('a'), 'rtsp://10.0.0.5:554/x');
  t.notMatch(JSON.stringify(gw.snapshot()), /hunter2/);
  await gw.close();
});
