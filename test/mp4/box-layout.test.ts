/** The box tree of init segments and fragments: order, sizes, and the fields players read. */
import t from 'tap';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { readBoxes, outline, find, u32, u16, readFragment } from '../support/mp4-boxes.js';
import { PPS, SPS_1080P_BASELINE, SPS_1366X768_HIGH, keyframe, pframe, slice, ASC_LC_48K_STEREO, ASC_LC_16K_MONO } from './fixtures.js';

const TRAK = 'tkhd mdia[mdhd hdlr minf[%s dinf[dref[url ]] stbl[stsd[%e] stts stsc stsz stco]]]';
const trak = (media: string, entry: string) => `trak[${TRAK.replace('%s', media).replace('%e', entry)}]`;

t.test('video init segment: ftyp, moov with one trak, avc1/avcC, mvex/trex', async (t) => {
  const init = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS_1080P_BASELINE, pps: PPS }]).initSegment();
  const boxes = readBoxes(init);
  t.equal(outline(boxes), `ftyp moov[mvhd ${trak('vmhd', 'avc1[avcC]')} mvex[trex]]`);
  t.equal(boxes.reduce((n, b) => n + b.size, 0), init.length, 'the boxes are the whole segment');
  const ftyp = find(boxes, 'ftyp').body;
  t.equal(Buffer.from(ftyp.subarray(0, 4)).toString(), 'iso5');
  t.same(Buffer.from(ftyp.subarray(8)).toString().match(/.{4}/g), ['iso5', 'iso6', 'mp41']);
  const mvhd = find(boxes, 'moov/mvhd').body;
  t.equal(mvhd.length, 100, 'mvhd v0 is 108 bytes');
  t.equal(u32(mvhd, 96), 2, 'next_track_ID');
  const tkhd = find(boxes, 'moov/trak/tkhd').body;
  t.equal(tkhd.length, 84);
  t.equal(u32(tkhd, 0), 3, 'version 0, enabled and in movie');
  t.equal(u32(tkhd, 12), 1, 'track_ID');
  t.equal(u32(tkhd, 76), 1920 * 65536, 'width 16.16');
  t.equal(u32(tkhd, 80), 1080 * 65536, 'height 16.16');
  const mdhd = find(boxes, 'moov/trak/mdia/mdhd').body;
  t.equal(u32(mdhd, 12), 90000, 'timescale');
  t.equal(u16(mdhd, 20), 0x55c4, 'language und');
  t.equal(Buffer.from(find(boxes, 'moov/trak/mdia/hdlr').body.subarray(8, 12)).toString(), 'vide');
  const avc1 = find(boxes, 'moov/trak/mdia/minf/stbl/stsd/avc1');
  t.equal(u16(avc1.body, 24), 1920);
  t.equal(u16(avc1.body, 26), 1080);
  const avcC = find(avc1.children, 'avcC').body;
  t.same([...avcC.subarray(0, 6)], [1, 0x42, 0xc0, 0x28, 0xff, 0xe1], 'version, profile, compatibility, level, 4-byte lengths, one SPS');
  t.equal(u16(avcC, 6), SPS_1080P_BASELINE.length);
  t.same(avcC.subarray(8, 8 + SPS_1080P_BASELINE.length), SPS_1080P_BASELINE);
  const p = 8 + SPS_1080P_BASELINE.length;
  t.equal(avcC[p], 1, 'one PPS');
  t.same(avcC.subarray(p + 3), PPS, 'PPS last: baseline has no chroma/bit depth fields');
  const stbl = find(boxes, 'moov/trak/mdia/minf/stbl');
  for (const type of ['stts', 'stsc', 'stco']) t.same([...find(stbl.children, type).body], [0, 0, 0, 0, 0, 0, 0, 0], `${type} empty`);
  t.same([...find(stbl.children, 'stsz').body], new Array(12).fill(0), 'stsz empty');
  const trex = find(boxes, 'moov/mvex/trex').body;
  t.equal(u32(trex, 4), 1, 'trex track_ID');
  t.equal(u32(trex, 8), 1, 'default sample description');
});

t.test('High profile avcC carries chroma format and bit depths', async (t) => {
  const init = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS_1366X768_HIGH, pps: PPS }]).initSegment();
  const avc1 = find(readBoxes(init), 'moov/trak/mdia/minf/stbl/stsd/avc1');
  t.equal(u16(avc1.body, 24), 1366);
  t.equal(u16(avc1.body, 26), 768);
  const avcC = find(avc1.children, 'avcC').body;
  t.same([...avcC.subarray(avcC.length - 4)], [0xfd, 0xf8, 0xf8, 0], '4:2:0, 8-bit, no SPS extensions');
});

t.test('audio tracks: mp4a/esds from an AudioSpecificConfig, Opus/dOps; track IDs in list order', async (t) => {
  const muxer = new Mp4Muxer([
    { kind: 'video', codec: 'h264', sps: SPS_1080P_BASELINE, pps: PPS },
    { kind: 'audio', codec: 'aac', audioSpecificConfig: ASC_LC_16K_MONO },
    { kind: 'audio', codec: 'opus', channelCount: 2, preSkip: 312 },
  ]);
  const boxes = readBoxes(muxer.initSegment());
  t.equal(outline(boxes), `ftyp moov[mvhd ${trak('vmhd', 'avc1[avcC]')} ${trak('smhd', 'mp4a[esds]')} ${trak('smhd', 'Opus[dOps]')} mvex[trex trex trex]]`);
  t.equal(u32(find(boxes, 'moov/mvhd').body, 96), 4, 'next_track_ID');
  const moov = find(boxes, 'moov');
  const [, aac, opus] = moov.children.filter((b) => b.type === 'trak');
  t.equal(u32(find(aac.children, 'tkhd').body, 12), 2);
  t.equal(u32(find(opus.children, 'tkhd').body, 12), 3);
  t.equal(u16(find(aac.children, 'tkhd').body, 36), 0x0100, 'audio volume 1.0');
  t.equal(u32(find(aac.children, 'mdia/mdhd').body, 12), 16000, 'AAC timescale: its sampling rate');
  t.equal(u32(find(opus.children, 'mdia/mdhd').body, 12), 48000, 'Opus timescale 48000');
  t.equal(Buffer.from(find(aac.children, 'mdia/hdlr').body.subarray(8, 12)).toString(), 'soun');
  const mp4a = find(aac.children, 'mdia/minf/stbl/stsd/mp4a');
  t.equal(u16(mp4a.body, 16), 1, 'channelcount');
  t.equal(u16(mp4a.body, 18), 16, 'samplesize');
  t.equal(u32(mp4a.body, 24), 16000 * 65536, 'samplerate 16.16');
  const esds = find(mp4a.children, 'esds').body;
  t.same([...esds.subarray(4)], [
    0x03, 0x80, 0x80, 0x80, 3 + 5 + 13 + 5 + 2 + 5 + 1, 0, 2, 0,
    0x04, 0x80, 0x80, 0x80, 13 + 5 + 2, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x05, 0x80, 0x80, 0x80, 2, 0x14, 0x08,
    0x06, 0x80, 0x80, 0x80, 1, 0x02,
  ], 'ES_Descriptor(ES_ID 2) > DecoderConfig(audio 14496-3) > DecoderSpecificInfo(the ASC); SLConfig');
  const dOps = find(opus.children, 'mdia/minf/stbl/stsd/Opus/dOps').body;
  t.same([...dOps], [0, 2, 0x01, 0x38, 0, 0, 0xbb, 0x80, 0, 0, 0], 'version, channels, pre-skip 312, 48000 Hz, gain 0, family 0');
});

t.test('Opus with a channel mapping (5.1, family 1) writes the mapping table', async (t) => {
  const muxer = new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: 6, mapping: { family: 1, streamCount: 4, coupledCount: 2, channelMapping: Uint8Array.of(0, 4, 1, 2, 3, 5) } }]);
  const dOps = find(readBoxes(muxer.initSegment()), 'moov/trak/mdia/minf/stbl/stsd/Opus/dOps').body;
  t.same([...dOps.subarray(10)], [1, 4, 2, 0, 4, 1, 2, 3, 5]);
});

t.test('fragment: moof[mfhd traf[tfhd tfdt trun]] mdat, data offset at the first sample, AVCC samples', async (t) => {
  const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { samplesPerFragment: 3 });
  t.equal(muxer.pushVideo(0, keyframe(1000, 500)), undefined);
  t.equal(muxer.pushVideo(0, pframe(4000, 100)), undefined);
  t.equal(muxer.pushVideo(0, pframe(7000, 120)), undefined);
  const frag = muxer.pushVideo(0, pframe(10000, 50)) as Uint8Array;
  t.ok(frag, 'the fourth sample closes a group of three');
  const boxes = readBoxes(frag);
  t.equal(outline(boxes), 'moof[mfhd traf[tfhd tfdt trun]] mdat');
  t.equal(find(boxes, 'moof').size, 88 + 16 * 3);
  const tfhd = find(boxes, 'moof/traf/tfhd').body;
  t.equal(u32(tfhd, 0), 0x020000, 'default-base-is-moof');
  const f = readFragment(frag);
  t.equal(f.sequence, 1);
  t.equal(f.trackId, 1);
  t.equal(f.baseDecodeTime, 0);
  t.equal(f.dataOffset, f.moofSize + 8, 'data offset: just past the mdat header');
  const keySize = 4 + SPS_1080P_BASELINE.length + 4 + PPS.length + 4 + 500;
  t.same(f.samples, [
    { duration: 3000, size: keySize, flags: 0x02000000, compositionOffset: 0 },
    { duration: 3000, size: 104, flags: 0x01010000, compositionOffset: 0 },
    { duration: 3000, size: 124, flags: 0x01010000, compositionOffset: 0 },
  ]);
  t.equal(f.mdat.body.length, keySize + 104 + 124, 'mdat holds exactly the samples');
  t.equal(u32(f.mdat.body, 0), SPS_1080P_BASELINE.length, 'first NAL length prefix');
  t.same(f.mdat.body.subarray(4, 4 + SPS_1080P_BASELINE.length), SPS_1080P_BASELINE);
  t.equal(u32(f.mdat.body, keySize), 100);
  t.same(f.mdat.body.subarray(keySize + 4, keySize + 104), slice(false, 100));
  const next = readFragment(muxer.flush(0) as Uint8Array);
  t.equal(next.sequence, 2);
  t.equal(next.baseDecodeTime, 9000);
  t.same(next.samples.map((s) => s.duration), [3000], 'the last sample lasts as long as the one before');
});

t.test('fragments of several tracks share one mfhd sequence', async (t) => {
  const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264' }, { kind: 'audio', codec: 'aac', audioSpecificConfig: ASC_LC_48K_STEREO }]);
  muxer.pushVideo(0, keyframe(0));
  muxer.pushAudio(1, new Uint8Array(10), 0);
  const a = readFragment(muxer.pushAudio(1, new Uint8Array(10), 1024) as Uint8Array);
  const v = readFragment(muxer.pushVideo(0, pframe(3000)) as Uint8Array);
  t.same([a.sequence, a.trackId, a.samples[0].duration, a.samples[0].flags], [1, 2, 1024, 0x02000000]);
  t.same([v.sequence, v.trackId], [2, 1]);
});
