/** Retention on virtual time: oldest first, by age and by bytes, never the segment being written; segment names round-trip. */
import t from 'tap';
import fc from 'fast-check';
import { segmentsToDelete, type SegmentFile } from '../../lib/record/retention.js';
import { segmentName, segmentStart } from '../../lib/record/segment-name.js';
import { RecordQueue } from '../../lib/record/record-queue.js';
import { resolveRecordSettings, RECORD_DEFAULTS } from '../../lib/record/options.js';

const HOUR = 3_600_000;
const seg = (i: number, bytes = 100): SegmentFile => ({ name: segmentName(i * 60_000), startMs: i * 60_000, bytes });

t.test('by age: segments older than retainMs go, oldest first', async (t) => {
  const files = [seg(2), seg(0), seg(1), seg(3)];
  t.same(segmentsToDelete(files, 60_000 + HOUR + 1, { retainMs: HOUR, retainBytes: 1e9 }), [seg(0).name, seg(1).name]);
  t.same(segmentsToDelete(files, HOUR, { retainMs: HOUR, retainBytes: 1e9 }), []);
});

t.test('by bytes: the oldest go until the rest fit; the one being written stays', async (t) => {
  const files = [seg(0), seg(1), seg(2), seg(3)];
  t.same(segmentsToDelete(files, 0, { retainMs: HOUR, retainBytes: 250 }), [seg(0).name, seg(1).name]);
  t.same(segmentsToDelete(files, 0, { retainMs: HOUR, retainBytes: 250 }, seg(0).name), [seg(1).name, seg(2).name]);
  t.same(segmentsToDelete([seg(0, 1000)], 10 * HOUR, { retainMs: HOUR, retainBytes: 1 }, seg(0).name), [], 'never the open one');
});

t.test('property: what stays fits the rule, and only the oldest are deleted', async () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 40, maxLength: 40 }),
    fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 20_000 }),
    (starts, sizes, retainBytes, retainMin, nowMin) => {
      const files = starts.map((s, i) => seg(s, sizes[i]));
      const rule = { retainMs: retainMin * 60_000, retainBytes };
      const doomed = new Set(segmentsToDelete(files, nowMin * 60_000, rule));
      const kept = files.filter((f) => !doomed.has(f.name));
      const keptBytes = kept.reduce((n, f) => n + f.bytes, 0);
      const fits = keptBytes <= retainBytes && kept.every((f) => nowMin * 60_000 - f.startMs <= rule.retainMs);
      const oldestGone = [...doomed].every((d) => kept.every((k) => k.startMs > segmentStart(d)!));
      // minimal: keeping the newest deleted one would break the rule
      return fits && oldestGone;
    },
  ));
});

t.test('segment names: UTC start to the millisecond, and back; nothing else is a name', async (t) => {
  t.equal(segmentName(Date.UTC(2026, 11, 7, 5, 32, 56, 123)), '20261207T053256.123Z.mp4');
  t.equal(segmentName(Date.UTC(2026, 11, 7, 5, 32, 56, 123), 2), '20261207T053256.123Z-2.mp4');
  for (const bad of ['../x.mp4', '20261207T053256Z.mp4', '20261307T053256.123Z.mp4', '20261207T053256.123Z.mp4.tmp', 'a20261207T053256.123Z.mp4']) {
    t.equal(segmentStart(bad), undefined, bad);
  }
  fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 99 }), (ms, suffix) => segmentStart(segmentName(ms, suffix)) === ms));
});

t.test('the queue refuses fragments past its bound (counted), never opens and closes', async (t) => {
  const q = new RecordQueue(1000);
  q.mark({ kind: 'open', startMs: 0 });
  t.ok(q.data(new Uint8Array(900)));
  t.notOk(q.data(new Uint8Array(100)));
  t.equal(q.dropped, 1);
  q.mark({ kind: 'close', segment: { startMs: 0, durationMs: 0, frames: 0, audioFrames: 0, cutShort: true } });
  t.equal(q.pending, 3);
  t.equal(q.take()?.kind, 'open');
  t.equal(q.take()?.kind, 'data');
  t.equal(q.take()?.kind, 'close');
  t.equal(q.bytes, 0);
  t.equal(q.take(), undefined);
});

t.test('settings: the stream\'s over the config\'s over the defaults; typed errors', async (t) => {
  t.equal(resolveRecordSettings({ dir: '/r' }, false), undefined);
  t.equal(resolveRecordSettings({ dir: '/r' }, undefined), undefined);
  t.same(resolveRecordSettings({ dir: '/r', segmentSeconds: 10 }, { retainHours: 1 }), { ...RECORD_DEFAULTS, dir: '/r', segmentSeconds: 10, retainHours: 1 });
  t.throws(() => resolveRecordSettings(undefined, true), { code: 'RECORD_NO_DIR' });
  t.throws(() => resolveRecordSettings({ dir: '/r' }, { segmentSeconds: 0 }), { code: 'RECORD_BAD_OPTION' });
  t.throws(() => resolveRecordSettings({ dir: '/r' }, { segmentSeconds: 2, fragmentSeconds: 3 }), { code: 'RECORD_BAD_OPTION' });
});
