/**
 * The segmenter on synthetic units (no disk, no clock but a counter): segments begin on a
 * keyframe with SPS/PPS, are cut at the first keyframe segmentSeconds in, fragments every
 * fragmentSeconds, audio rides along, a refused fragment ends the segment, and a property:
 * whatever the GOP and segment length, every unit from the first keyframe on lands in exactly
 * one segment, every segment starts on a keyframe and none is cut before its length.
 */
import t from 'tap';
import fc from 'fast-check';
import { Segmenter, type SegmentInfo, type SegmentOutput } from '../../lib/record/segmenter.js';
import { scanSegment } from '../../lib/record/segment-scan.js';
import { keyframe, pframe, ASC_LC_48K_STEREO } from '../mp4/fixtures.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Recorded {
  startMs: number;
  chunks: Uint8Array[];
  info?: SegmentInfo;
}

class Capture implements SegmentOutput {
  segments: Recorded[] = [];
  refuse = false;
  mark(op: { kind: 'open'; startMs: number } | { kind: 'close'; segment: SegmentInfo }): void {
    if (op.kind === 'open') this.segments.push({ startMs: op.startMs, chunks: [] });
    else this.segments[this.segments.length - 1].info = op.segment;
  }
  data(bytes: Uint8Array): boolean {
    if (this.refuse) return false;
    this.segments[this.segments.length - 1].chunks.push(bytes);
    return true;
  }
}

const FRAME = 3000; // 30 fps at 90 kHz

function run(o: { gop: number; frames: number; segmentSeconds: number; fragmentSeconds?: number; startTs?: number }) {
  const out = new Capture();
  let wall = 1_700_000_000_000;
  const seg = new Segmenter(out, { segmentSeconds: o.segmentSeconds, fragmentSeconds: o.fragmentSeconds ?? 1, wallClock: () => wall });
  for (let i = 0; i < o.frames; i++) {
    const ts = (o.startTs ?? 0) + i * FRAME;
    wall += 1000 / 30;
    t.equal(seg.pushVideo(i % o.gop === 0 ? keyframe(ts) : pframe(ts)), true);
  }
  seg.end();
  return { out, seg };
}

t.test('segments are cut at the first keyframe segmentSeconds in, and say how long they are', async (t) => {
  // 2 s GOP, 5 s segments: cuts at 6 s and 12 s (the keyframes after 5 s)
  const { out, seg } = run({ gop: 60, frames: 450, segmentSeconds: 5 });
  t.same(out.segments.map((s) => s.info?.frames), [180, 180, 90]);
  t.same(out.segments.map((s) => s.info?.durationMs), [6000, 6000, 3000]);
  t.equal(seg.stats.segments, 3);
  t.equal(seg.stats.frames, 450);
  t.notOk(seg.recording, 'end() closed the last one');
  t.ok(out.segments.every((s) => s.info && !s.info.cutShort));
});

t.test('a segment file is an init segment and fragments every fragmentSeconds, read back whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-segmenter-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { out, seg } = run({ gop: 30, frames: 90, segmentSeconds: 60, fragmentSeconds: 0.5, startTs: 0xffff_0000 });
  t.equal(out.segments.length, 1);
  const [s] = out.segments;
  // init + 6 fragments of 15 frames (0.5 s), the RTP timestamp wrapping on the way
  t.equal(s.chunks.length, 7);
  t.equal(seg.stats.fragments, 6);
  const file = join(dir, 'seg.mp4');
  writeFileSync(file, Buffer.concat(s.chunks));
  t.same(await scanSegment(file), { durationMs: 3000, frames: 90 });
  // a file cut in its last fragment (a crash) reads up to the last whole one
  writeFileSync(file, Buffer.concat(s.chunks).subarray(0, -10));
  t.same(await scanSegment(file), { durationMs: 2500, frames: 75 });
});

t.test('units before a keyframe with SPS/PPS are not recorded; a parameter-set change cuts a segment', async (t) => {
  const out = new Capture();
  const seg = new Segmenter(out, { segmentSeconds: 60, fragmentSeconds: 1, wallClock: () => 0 });
  seg.pushVideo(pframe(0));
  seg.pushVideo({ nalus: [keyframe(FRAME).nalus[2]], timestamp: FRAME, keyframe: true });
  t.equal(out.segments.length, 0);
  t.equal(seg.stats.unitsBeforeKeyframe, 1);
  t.equal(seg.stats.keyframesWithoutParameterSets, 1);
  seg.pushVideo(keyframe(2 * FRAME));
  seg.pushVideo(pframe(3 * FRAME));
  // a keyframe without in-band SPS/PPS goes on in the same segment
  seg.pushVideo({ nalus: [keyframe(4 * FRAME).nalus[2]], timestamp: 4 * FRAME, keyframe: true });
  t.equal(out.segments.length, 1);
  const changed = keyframe(5 * FRAME);
  changed.nalus[1] = Uint8Array.from([0x68, 0xce, 0x3c, 0x81]);
  seg.pushVideo(changed);
  t.equal(out.segments.length, 2, 'a new PPS begins a new segment (a new init)');
  t.equal(out.segments[0].info?.frames, 3);
});

t.test('audio rides in its own track; a refused fragment ends the segment until the next keyframe', async (t) => {
  const out = new Capture();
  const seg = new Segmenter(out, { segmentSeconds: 60, fragmentSeconds: 1, wallClock: () => 0 });
  seg.audio = { kind: 'audio', codec: 'aac', audioSpecificConfig: ASC_LC_48K_STEREO };
  seg.pushAudio(new Uint8Array(100), 0); // before any segment: dropped
  for (let i = 0; i < 60; i++) {
    seg.pushVideo(i === 0 ? keyframe(i * FRAME) : pframe(i * FRAME));
    seg.pushAudio(new Uint8Array(100), i * 1600);
  }
  t.equal(seg.stats.audioFrames, 60);
  out.refuse = true;
  t.equal(seg.pushVideo(pframe(60 * FRAME)), false, 'the flush at 2 s is refused');
  t.equal(seg.stats.segmentsCutShort, 1);
  t.equal(out.segments[0].info?.cutShort, true);
  out.refuse = false;
  t.equal(seg.pushVideo(pframe(61 * FRAME)), true);
  t.equal(out.segments.length, 1, 'no segment begins on a P-frame');
  seg.pushVideo(keyframe(62 * FRAME));
  t.equal(out.segments.length, 2);
});

t.test('property: every unit from the first keyframe lands in one segment; each starts on a keyframe, none too short', async () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 0xffffffff }),
    (gop, frames, segmentSeconds, startTs) => {
      const out = new Capture();
      const seg = new Segmenter(out, { segmentSeconds, fragmentSeconds: 0.5, wallClock: () => 0 });
      const firstOfSegment: boolean[] = [];
      for (let i = 0; i < frames; i++) {
        const before = out.segments.length;
        seg.pushVideo(i % gop === 0 ? keyframe(startTs + i * FRAME) : pframe(startTs + i * FRAME));
        firstOfSegment.push(out.segments.length !== before);
      }
      seg.end();
      const total = out.segments.reduce((n, s) => n + (s.info?.frames ?? 0), 0);
      if (total !== frames) return false;
      if (firstOfSegment.some((first, i) => first && i % gop !== 0)) return false;
      // every segment but the last spans at least segmentSeconds
      return out.segments.slice(0, -1).every((s) => (s.info?.durationMs ?? 0) >= segmentSeconds * 1000);
    },
  ), { numRuns: 200 });
});
