/**
 * A stream's recorder on virtual time with a manual source: it is an output of the video track
 * (the egress packets, back into units), so it keeps an on-demand source pulled; segments are
 * cut at keyframes, a camera restart ends one and its return begins the next; the files read
 * back with every frame; an unwritable directory fails the recording, not the stream.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stream } from '../../lib/gateway/stream.js';
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { createDeps } from '../../lib/gateway/default-deps.js';
import { StreamRecorder } from '../../lib/record/stream-recorder.js';
import { RECORD_DEFAULTS } from '../../lib/record/options.js';
import { scanSegment } from '../../lib/record/segment-scan.js';
import { VirtualClock } from '../support/fake-transport.js';
import { SPS_1080P_BASELINE, PPS } from '../mp4/fixtures.js';

class ManualSource implements VideoSource {
  sink: SourceSink | undefined;
  starts = 0;
  stops = 0;
  ts = 0;
  keyframeRequests = 0;
  start(sink: SourceSink): void {
    this.starts++;
    this.sink = sink;
    sink.onState('playing');
  }
  stop(): void {
    this.stops++;
    this.sink = undefined;
  }
  requestKeyframe(): void {
    this.keyframeRequests++;
  }
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
  frame(keyframe: boolean, size = 3000): void {
    const slice = new Uint8Array(size).fill(7);
    slice[0] = keyframe ? 0x65 : 0x41;
    const au: AccessUnit = { nalus: keyframe ? [SPS_1080P_BASELINE, PPS, slice] : [slice], keyframe, timestamp: this.ts };
    this.ts = (this.ts + 3000) >>> 0;
    this.sink?.onAccessUnit(au);
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));

function setup(dir: string) {
  const clock = new VirtualClock();
  const source = new ManualSource();
  const deps = createDeps({}, { clock });
  const stream = new Stream('cam', source, undefined, deps, { idleStopMs: 1000 });
  const recorder = new StreamRecorder({ stream: 'cam', clock, settings: { ...RECORD_DEFAULTS, dir, segmentSeconds: 1, fragmentSeconds: 0.5 } });
  return { clock, source, stream, recorder };
}

/** `n` frames at 30 fps, a keyframe every `gop`, the clock moving with them. */
function play(source: ManualSource, clock: VirtualClock, n: number, gop = 15): void {
  for (let i = 0; i < n; i++) {
    source.frame(i % gop === 0);
    clock.advance(1000 / 30);
  }
}

t.test('segments at keyframes, a new one after a camera restart, every frame on disk; the source stays pulled', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-recorder-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { clock, source, stream, recorder } = setup(dir);
  t.equal(source.starts, 0, 'on demand, nobody watching: not pulled');
  recorder.attach(stream);
  t.equal(source.starts, 1, 'the recording pulls it');
  t.ok(source.keyframeRequests >= 1, 'and asks for a keyframe to begin on');
  play(source, clock, 45);
  for (let i = 0; i < 20; i++) {
    clock.advance(100);
    stream.tick();
  }
  t.equal(source.stops, 0, 'idleStopMs passed with no viewer: still recording');
  source.sink!.onState('reconnecting');
  source.sink!.onState('playing');
  source.ts = 0x9000_0000; // a restarted camera's new random timestamps
  play(source, clock, 20);
  await recorder.detach();
  const files = readdirSync(join(dir, 'cam')).sort();
  t.equal(files.length, 3, `segments: ${files.join(' ')}`);
  const scanned = await Promise.all(files.map((f) => scanSegment(join(dir, 'cam', f))));
  t.same(scanned.map((s) => s.frames), [30, 15, 20], '1 s cut at the keyframe after it, the rest up to the restart, the return');
  t.same(scanned.map((s) => s.durationMs), [1000, 500, 667]);
  const s = recorder.stats();
  t.equal(s.state, 'stopped');
  t.equal(s.frames, 65);
  t.equal(s.fragmentsDropped, 0);
  t.equal(s.filesWritten, 3);
  t.equal(s.audio, 'none');
  await stream.close();
});

t.test('an unwritable directory: the recording fails with its code, the stream plays on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-recorder-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cam'), 'a file where the stream directory should be');
  const { clock, source, stream, recorder } = setup(dir);
  recorder.attach(stream);
  play(source, clock, 30);
  await settle();
  const s = recorder.stats();
  t.equal(s.state, 'failed');
  t.match(s.error, /^(EEXIST|ENOTDIR)/);
  play(source, clock, 30);
  t.equal(stream.sourceState, 'playing', 'the stream goes on');
  t.equal(stream.stats().accessUnits, 60);
  await recorder.detach();
  await stream.close();
});

t.test('an H.265 camera is not recorded, and says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-recorder-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { stream, recorder } = setup(dir);
  recorder.attach(stream);
  recorder.sourceState('playing', { codec: 'h265' });
  t.equal(recorder.stats().state, 'unsupported');
  await recorder.detach();
  await stream.close();
});
