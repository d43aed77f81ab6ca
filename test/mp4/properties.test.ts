/** Property tests: whatever the access units, groupings and bounds, the fragments are well formed and continuous. */
import t from 'tap';
import fc from 'fast-check';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { Mp4MuxError } from '../../lib/mp4/errors.js';
import { readFragment, readBoxes, u32 } from '../support/mp4-boxes.js';
import { tsAdd } from '../../lib/rtp/seq.js';
import { PPS, SPS_1080P_BASELINE } from './fixtures.js';

const auArb = fc.record({
  keyframe: fc.boolean(),
  sizes: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }),
  step: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 9000 }) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fill: fc.integer({ min: 0, max: 255 }),
});

t.test('property: fragments parse, hold every stored unit byte for byte, and tile the decode timeline', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.array(auArb, { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 1, max: 8 }),
    fc.integer({ min: 4096, max: 40_000 }),
    (start, aus, samplesPerFragment, maxFragmentBytes) => {
      const m = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS_1080P_BASELINE, pps: PPS }], { samplesPerFragment, maxFragmentBytes });
      const frags: Uint8Array[] = [];
      const stored: { nalus: Uint8Array[]; keyframe: boolean }[] = [];
      let ts = start;
      let started = false;
      for (const au of aus) {
        ts = tsAdd(ts, au.step);
        const nalus = au.sizes.map((s, i) => {
          const n = new Uint8Array(s).fill(au.fill);
          n[0] = i === 0 ? (au.keyframe ? 0x65 : 0x41) : 0x06;
          return n;
        });
        let f: Uint8Array | undefined;
        try {
          f = m.pushVideo(0, { nalus, timestamp: ts, keyframe: au.keyframe });
        } catch (e) {
          if (!(e instanceof Mp4MuxError) || e.code !== 'MP4_SAMPLE_TOO_LARGE') throw e;
          continue;
        }
        started ||= au.keyframe;
        if (started) stored.push({ nalus, keyframe: au.keyframe });
        if (f) frags.push(f);
      }
      const last = m.flush(0);
      if (last) frags.push(last);
      let expectedDecodeTime = 0;
      let k = 0;
      frags.forEach((frag, i) => {
        if (frag.length > maxFragmentBytes) throw new Error(`fragment of ${frag.length} bytes`);
        const f = readFragment(frag);
        if (f.sequence !== i + 1 || f.trackId !== 1) throw new Error('sequence or track');
        if (f.baseDecodeTime !== expectedDecodeTime) throw new Error(`tfdt ${f.baseDecodeTime}, expected ${expectedDecodeTime}`);
        if (f.dataOffset !== f.moofSize + 8) throw new Error('data offset');
        let o = 0;
        f.samples.forEach((s, j) => {
          if (s.duration < 1 || s.compositionOffset !== 0) throw new Error('duration or composition offset');
          const au = stored[k++];
          if ((s.flags === 0x02000000) !== au.keyframe) throw new Error('sync flag');
          if (au.keyframe && j !== 0) throw new Error('a keyframe inside a fragment');
          const body = f.mdat.body;
          for (const n of au.nalus) {
            if (u32(body, o) !== n.length || Buffer.compare(body.subarray(o + 4, o + 4 + n.length), n) !== 0) throw new Error('sample bytes');
            o += 4 + n.length;
          }
          expectedDecodeTime += s.duration;
        });
        if (o !== f.mdat.body.length) throw new Error('mdat holds more than the samples');
      });
      if (k !== stored.length) throw new Error(`${k} samples written of ${stored.length}`);
      if (m.stats.samples !== k || m.stats.fragments !== frags.length) throw new Error('stats');
    },
  ), { numRuns: 200 });
});

t.test('property: init segments for any valid setup parse as a box tree', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: -0x8000, max: 0x7fff }), (channels, preSkip, gain) => {
    const mapping = channels > 2 ? { family: 255, streamCount: channels, coupledCount: 0, channelMapping: Uint8Array.from({ length: channels }, (_, i) => i) } : undefined;
    const init = new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: channels, preSkip, outputGain: gain, mapping }]).initSegment();
    return readBoxes(init).length === 2;
  }));
});

t.test('property: an AAC track with arbitrary config bytes gives an init segment or MP4_BAD_AUDIO_CONFIG', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 8 }), (asc) => {
    try {
      return readBoxes(new Mp4Muxer([{ kind: 'audio', codec: 'aac', audioSpecificConfig: asc }]).initSegment()).length === 2;
    } catch (e) {
      return e instanceof Mp4MuxError && e.code === 'MP4_BAD_AUDIO_CONFIG';
    }
  }));
});
