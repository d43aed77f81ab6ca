/** Mp4Muxer behaviour: holding a sample for its duration, grouping, parameter sets, bounds, typed errors. */
import t from 'tap';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { Mp4MuxError } from '../../lib/mp4/errors.js';
import { MP4_DEFAULTS } from '../../lib/mp4/options.js';
import { readBoxes, find, readFragment } from '../support/mp4-boxes.js';
import { PPS, SPS_1080P_BASELINE, SPS_1366X768_HIGH, keyframe, pframe, slice, ASC_LC_48K_STEREO } from './fixtures.js';
import { hex } from '../h264/helpers.js';
import { H264Depacketizer } from '../../lib/h264/depacketizer.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { splitAvc } from '../../lib/h264/nal.js';
import { parseRtp } from '../../lib/rtp/packet.js';

const video = () => new Mp4Muxer([{ kind: 'video', codec: 'h264' }]);

t.test('MP4_DEFAULTS is frozen and documents the bounds', async (t) => {
  t.ok(Object.isFrozen(MP4_DEFAULTS));
  t.equal(MP4_DEFAULTS.maxFragmentBytes, 8 * 1024 * 1024);
  t.equal(MP4_DEFAULTS.samplesPerFragment, 1);
  t.equal(MP4_DEFAULTS.timestampJumpMs, 10_000);
});

t.test('one sample per fragment: each push hands out the previous sample, flush the last', async (t) => {
  const m = video();
  t.equal(m.pushVideo(0, keyframe(0)), undefined, 'held until its duration is known');
  const f1 = readFragment(m.pushVideo(0, pframe(3003)) as Uint8Array);
  t.same([f1.baseDecodeTime, f1.samples.length, f1.samples[0].duration, f1.samples[0].flags], [0, 1, 3003, 0x02000000]);
  const f2 = readFragment(m.pushVideo(0, pframe(6006)) as Uint8Array);
  t.same([f2.baseDecodeTime, f2.samples[0].duration, f2.samples[0].flags], [3003, 3003, 0x01010000]);
  const f3 = readFragment(m.flush(0) as Uint8Array);
  t.same([f3.baseDecodeTime, f3.samples[0].duration], [6006, 3003]);
  t.equal(m.flush(0), undefined, 'nothing left');
  t.same(m.stats, { fragments: 3, samples: 3, bytes: m.stats.bytes, samplesBeforeKeyframe: 0, unitsWithoutPicture: 0, timelineRebases: 0 });
});

t.test('a keyframe starts a new fragment; a full group closes', async (t) => {
  const m = new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { samplesPerFragment: 4 });
  const out: Uint8Array[] = [];
  const push = (au: ReturnType<typeof pframe>) => { const f = m.pushVideo(0, au); if (f) out.push(f); };
  push(keyframe(0));
  for (let i = 1; i < 3; i++) push(pframe(i * 3000));
  push(keyframe(9000));
  for (let i = 4; i < 10; i++) push(pframe(i * 3000));
  out.push(m.flush(0) as Uint8Array);
  const frags = out.map(readFragment);
  t.same(frags.map((f) => f.samples.length), [3, 4, 3], 'keyframe cut at 3, then groups of 4');
  t.same(frags.map((f) => f.samples[0].flags === 0x02000000), [true, true, false], 'fragments 1 and 2 open with a sync sample');
  t.same(frags.map((f) => f.baseDecodeTime), [0, 9000, 21000]);
});

t.test('units before the first keyframe are dropped; parameter-set-only units are learnt from, not stored', async (t) => {
  const m = video();
  t.equal(m.pushVideo(0, pframe(0)), undefined);
  t.equal(m.pushVideo(0, { nalus: [SPS_1080P_BASELINE, PPS], timestamp: 1500, keyframe: false }), undefined);
  t.equal(m.stats.samplesBeforeKeyframe, 1);
  t.equal(m.stats.unitsWithoutPicture, 1);
  t.throws(() => m.initSegment(), { code: 'MP4_NO_PARAMETER_SETS' }, 'parameter sets apply from the next picture');
  t.equal(m.initVersion, 0);
  m.pushVideo(0, { nalus: [slice(true, 300)], timestamp: 3000, keyframe: true });
  t.equal(m.initVersion, 1);
  const avc1 = find(readBoxes(m.initSegment()), 'moov/trak/mdia/minf/stbl/stsd/avc1');
  t.equal((avc1.body[24] << 8) | avc1.body[25], 1920);
  t.equal(readFragment(m.flush(0) as Uint8Array).baseDecodeTime, 0, 'the first stored sample is at decode time 0');
});

t.test('configured parameter sets: init segment at once; the same in-band ones change nothing', async (t) => {
  const m = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS_1080P_BASELINE, pps: PPS }]);
  t.ok(m.initSegment().length > 0);
  m.pushVideo(0, keyframe(0));
  m.pushVideo(0, keyframe(3000));
  t.equal(m.initVersion, 0);
});

t.test('an in-band SPS change: the held fragment belongs to the old init segment, the new one follows', async (t) => {
  const m = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS_1080P_BASELINE, pps: PPS }], { samplesPerFragment: 10 });
  m.pushVideo(0, keyframe(0));
  m.pushVideo(0, pframe(3000));
  const before = m.initSegment();
  const frag = m.pushVideo(0, { nalus: [SPS_1366X768_HIGH, PPS, slice(true, 400)], timestamp: 6000, keyframe: true });
  t.equal(readFragment(frag as Uint8Array).samples.length, 2, 'the old pictures are handed out');
  t.equal(m.initVersion, 1);
  const avc1 = find(readBoxes(m.initSegment()), 'moov/trak/mdia/minf/stbl/stsd/avc1');
  t.same([(avc1.body[24] << 8) | avc1.body[25], (avc1.body[26] << 8) | avc1.body[27]], [1366, 768]);
  t.not(Buffer.compare(before, m.initSegment()), 0);
  // a new SPS in a unit of its own, before a P frame: the change still closes the fragment before that picture
  m.pushVideo(0, { nalus: [SPS_1080P_BASELINE], timestamp: 9000, keyframe: false });
  const cut = m.pushVideo(0, pframe(9000));
  t.equal(readFragment(cut as Uint8Array).samples.length, 1, 'the 1366x768 keyframe alone');
  t.equal(m.initVersion, 2);
});

t.test('timestamps: the 32-bit wrap is continuous, a camera restart is rebased forward', async (t) => {
  const m = video();
  const times: number[] = [];
  const take = (f: Uint8Array | undefined) => { if (f) times.push(readFragment(f).baseDecodeTime); };
  take(m.pushVideo(0, keyframe(0xffffffff - 2998)));
  take(m.pushVideo(0, pframe(1)));
  take(m.pushVideo(0, pframe(3001)));
  take(m.pushVideo(0, keyframe(123_456_789))); // restart: a new random timestamp
  take(m.pushVideo(0, pframe(123_459_789)));
  take(m.flush(0));
  t.same(times, [0, 3000, 6000, 9000, 12000]);
  t.equal(m.stats.timelineRebases, 1);
});

t.test('maxFragmentBytes: a sample too big is refused and nothing changes; a group is closed early', async (t) => {
  const m = new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { maxFragmentBytes: 8192, samplesPerFragment: 8 });
  m.pushVideo(0, keyframe(0, 2000));
  const err = t.throws(() => m.pushVideo(0, pframe(3000, 8192))) as Mp4MuxError;
  t.ok(err instanceof Mp4MuxError);
  t.equal(err.code, 'MP4_SAMPLE_TOO_LARGE');
  t.equal(m.pushVideo(0, pframe(3000, 3000)), undefined);
  const early = m.pushVideo(0, pframe(6000, 3000));
  t.ok(early, 'the third sample would overflow 8192 bytes');
  const f = readFragment(early as Uint8Array);
  t.equal(f.samples.length, 2);
  t.same(f.samples.map((s) => s.duration), [3000, 3000], 'the refused sample left no trace in the timeline');
  t.ok((early as Uint8Array).length <= 8192);
});

t.test('typed errors for impossible input and options', async (t) => {
  const code = (fn: () => unknown) => {
    try { fn(); } catch (e) { return e instanceof Mp4MuxError ? e.code : `not typed: ${String(e)}`; }
    return 'no error';
  };
  t.equal(code(() => new Mp4Muxer([])), 'MP4_BAD_OPTION');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { samplesPerFragment: 0 })), 'MP4_BAD_OPTION');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { samplesPerFragment: 1025 })), 'MP4_BAD_OPTION');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { maxFragmentBytes: 100 })), 'MP4_BAD_OPTION');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { timestampJumpMs: 0 })), 'MP4_BAD_OPTION');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { fallbackFrameRate: 0 })), 'MP4_BAD_OPTION');
  t.equal(code(() => video().pushVideo(1, keyframe(0))), 'MP4_UNKNOWN_TRACK');
  t.equal(code(() => video().pushAudio(0, new Uint8Array(4), 0)), 'MP4_UNKNOWN_TRACK', 'audio into a video track');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'aac', audioSpecificConfig: ASC_LC_48K_STEREO }]).pushVideo(0, keyframe(0))), 'MP4_UNKNOWN_TRACK');
  t.equal(code(() => video().initSegment()), 'MP4_NO_PARAMETER_SETS');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS_1080P_BASELINE }]).initSegment()), 'MP4_NO_PARAMETER_SETS');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: hex('6742c0'), pps: PPS }]).initSegment()), 'MP4_NO_PARAMETER_SETS', 'an SPS under 4 bytes is not taken');
  t.equal(code(() => new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: hex('6742c028ff'), pps: PPS }]).initSegment()), 'MP4_BAD_SPS');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'aac', audioSpecificConfig: hex('10') }])), 'MP4_BAD_AUDIO_CONFIG');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'aac', audioSpecificConfig: hex('17') }])), 'MP4_BAD_AUDIO_CONFIG', 'reserved rate index 14');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'aac', audioSpecificConfig: ASC_LC_48K_STEREO, clockRate: 0 }])), 'MP4_BAD_AUDIO_CONFIG');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: 0 }])), 'MP4_BAD_AUDIO_CONFIG');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: 6 }])), 'MP4_BAD_AUDIO_CONFIG', '6 channels need a mapping');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: 2, preSkip: 70000 }])), 'MP4_BAD_AUDIO_CONFIG');
  t.equal(code(() => new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: 2, mapping: { family: 1, streamCount: 1, coupledCount: 1, channelMapping: Uint8Array.of(0) } }])), 'MP4_BAD_AUDIO_CONFIG');
});

t.test('audio: AAC frames last 1024 ticks, a clock rate other than the sampling rate scales that; Opus falls back to 20 ms', async (t) => {
  const aac = new Mp4Muxer([{ kind: 'audio', codec: 'aac', audioSpecificConfig: ASC_LC_48K_STEREO, clockRate: 90000 }]);
  t.equal(aac.timescale(0), 90000);
  aac.pushAudio(0, new Uint8Array(100), 5);
  t.equal(readFragment(aac.flush(0) as Uint8Array).samples[0].duration, 1920, '1024 samples at 48 kHz in 90 kHz ticks');
  const opus = new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: 1 }]);
  t.equal(opus.timescale(0), 48000);
  opus.pushAudio(0, Uint8Array.of(0xf8, 1, 2), 0);
  const f = readFragment(opus.flush(0) as Uint8Array);
  t.same([f.samples[0].duration, f.samples[0].size, f.samples[0].flags], [960, 3, 0x02000000]);
  t.same([...f.mdat.body], [0xf8, 1, 2], 'audio frames are stored as they are');
});

t.test('access units straight from the depacketizer, as transient views: the fragment keeps its own copy', async (t) => {
  const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 1, sequenceNumber: 65530 });
  const m = video();
  const frags: Uint8Array[] = [];
  const d = new H264Depacketizer((au) => {
    const f = m.pushVideo(0, au);
    if (f) frags.push(f);
  }, { transientUnits: true });
  const units = [keyframe(0, 5000), pframe(3000, 3000), pframe(6000, 2500)];
  for (const u of units) for (const p of packetizer.packetize(u.nalus, u.timestamp)) d.push(parseRtp(p));
  frags.push(m.flush(0) as Uint8Array);
  t.equal(frags.length, 3);
  frags.forEach((frag, i) => {
    const f = readFragment(frag);
    t.same(splitAvc(f.mdat.body).map((n) => Buffer.from(n).toString('hex')), units[i].nalus.map((n) => Buffer.from(n).toString('hex')), `unit ${i} byte for byte`);
  });
});
