/**
 * SDP audio formats -> track descriptions. Vectors written by hand after the cameras in the
 * corpus (QUIRKS.md H), each test named after the device; corpus-camera.test.ts reads the real files.
 */
import t from 'tap';
import fc from 'fast-check';
import { chooseAudioFormat, describeAudioFormat, type AudioFormatInput } from '../../lib/audio/audio-fmtp.js';
import { AAC_HBR_LAYOUT, AAC_LBR_LAYOUT, EMPTY_LAYOUT } from '../../lib/audio/au-headers.js';
import { AudioFormatError } from '../../lib/audio/errors.js';
import { describeTracks, parseFmtp, parseSdp } from '../../lib/sdp/index.js';

function format(pt: number, codec: string | undefined, clockRate: number | undefined, channels: number | undefined, fmtp = ''): AudioFormatInput {
  const f: AudioFormatInput = { payloadType: pt, fmtp: parseFmtp(`${pt} ${fmtp}`)?.parameters ?? new Map() };
  if (codec !== undefined) f.codec = codec;
  if (clockRate !== undefined) f.clockRate = clockRate;
  if (channels !== undefined) f.channels = channels;
  return f;
}

const audioTracks = (sdp: string) => describeTracks(parseSdp(sdp)).filter((tr) => tr.mediaType === 'audio');

t.test('Axis / GStreamer rtpmp4gpay: AAC-hbr 16 kHz mono', async (t) => {
  const d = describeAudioFormat(format(97, 'MPEG4-GENERIC', 16000, 1, 'streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3'));
  t.match(d, { payloadType: 97, codec: 'aac-hbr', clockRate: 16000, sampleRate: 16000, channels: 1 });
  t.same(d.mpeg4Generic?.layout, AAC_HBR_LAYOUT);
  t.equal(d.mpeg4Generic?.frameTicks, 1024);
  t.equal(d.mpeg4Generic?.configHex, '1408');
  t.equal(d.mpeg4Generic?.modeAssumed, false);
});

t.test('Ubiquiti UniFi: mixed-case keys with spaces; AAC and Opus on the same PT 96 in two sections', async (t) => {
  const tracks = audioTracks([
    'v=0', 's=x', 't=0 0',
    'm=audio 0 RTP/AVP 96', 'a=rtpmap:96 mpeg4-generic/48000/1',
    'a=fmtp:96 streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1188; SizeLength=13; IndexLength=3; IndexDeltaLength=3;',
    'm=audio 0 RTP/AVP 96', 'a=rtpmap:96 opus/48000/2', 'a=fmtp:96', '',
  ].join('\r\n'));
  const aac = chooseAudioFormat(tracks[0]);
  t.match(aac, { codec: 'aac-hbr', sampleRate: 48000, channels: 1 });
  t.same(aac.mpeg4Generic?.layout, AAC_HBR_LAYOUT);
  t.match(chooseAudioFormat(tracks[1]), { codec: 'opus', clockRate: 48000, sampleRate: 48000, channels: 2, opus: { spropStereo: false, inbandFec: false, dtx: false } });
});

t.test('Reolink: trailing "profile=1;" after config, profile-level-id=15', async (t) => {
  const d = describeAudioFormat(format(97, 'MPEG4-GENERIC', 16000, 1, 'streamtype=5;profile-level-id=15;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408; profile=1;'));
  t.match(d, { codec: 'aac-hbr', sampleRate: 16000, channels: 1 });
});

t.test('Anpviz: MPEG4-GENERIC on static PT 0 with only config=; rtpmap says 2 channels, the config 1', async (t) => {
  const [track] = audioTracks('v=0\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 MPEG4-GENERIC/16000/2\r\na=fmtp:0 config=1408\r\n');
  const d = chooseAudioFormat(track);
  t.match(d, { payloadType: 0, codec: 'aac-hbr', clockRate: 16000, channels: 1 }, 'the config is what the decoder uses');
  t.equal(d.mpeg4Generic?.modeAssumed, true, 'no mode: AAC-hbr assumed, as Hikvision (whose OEM Anpviz is) announces elsewhere');
  t.same(d.mpeg4Generic?.layout, AAC_HBR_LAYOUT);
});

t.test('missing_content_type camera: config=119056E500 (SBR signalled absent) on 48 kHz stereo', async (t) => {
  const d = describeAudioFormat(format(97, 'MPEG4-GENERIC', 48000, 2, 'profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=119056E500'));
  t.match(d, { codec: 'aac-hbr', sampleRate: 48000, channels: 2 });
  t.match(d.mpeg4Generic?.audioSpecificConfig.sbrPs, { signalling: 'sync-extension', sbrPresent: false });
});

t.test('go2rtc test camera: CTSDeltaLength=0; DTSDeltaLength=0 are read, 8 kHz', async (t) => {
  const d = describeAudioFormat(format(127, 'mpeg4-generic', 8000, 1, 'streamtype=5; profile-level-id=15; mode=AAC-hbr; sizeLength=13; indexLength=3; indexDeltalength=3; config=1588; CTSDeltaLength=0; DTSDeltaLength=0;'));
  t.match(d, { codec: 'aac-hbr', sampleRate: 8000 });
  t.same(d.mpeg4Generic?.layout, AAC_HBR_LAYOUT);
});

t.test('HE-AAC on a 48 kHz clock, AAC-lbr, generic mode, constantduration', async (t) => {
  const he = describeAudioFormat(format(96, 'mpeg4-generic', 48000, 2, 'mode=AAC-hbr;config=2B118800'));
  t.match(he, { sampleRate: 48000, channels: 2 });
  t.equal(he.mpeg4Generic?.frameTicks, 2048, '1024 samples at the 24 kHz core');
  t.same(he.mpeg4Generic?.layout, AAC_HBR_LAYOUT, 'lengths the mode fixes filled in');
  const lbr = describeAudioFormat(format(96, 'mpeg4-generic', 16000, 1, 'mode=AAC-lbr;config=1408;constantduration=960'));
  t.match(lbr, { codec: 'aac-lbr' });
  t.same(lbr.mpeg4Generic?.layout, AAC_LBR_LAYOUT);
  t.equal(lbr.mpeg4Generic?.frameTicks, 960);
  const generic = describeAudioFormat(format(96, 'mpeg4-generic', 16000, 1, 'mode=generic;config=1408'));
  t.same(generic.mpeg4Generic?.layout, EMPTY_LAYOUT, 'generic with no lengths: no AU-header section');
  t.equal(generic.codec, 'aac-generic');
});

t.test('G.711, G.722 (8000 clock for 16 kHz), L16, MP4A-LATM', async (t) => {
  t.match(describeAudioFormat(format(0, 'PCMU', 8000, 1)), { codec: 'pcmu', clockRate: 8000, sampleRate: 8000, channels: 1 });
  t.match(describeAudioFormat(format(8, 'pcma', 8000, undefined)), { codec: 'pcma', channels: 1 });
  t.match(describeAudioFormat(format(9, 'G722', 8000, 1)), { codec: 'g722', clockRate: 8000, sampleRate: 16000 });
  t.match(describeAudioFormat(format(10, 'L16', 44100, 2)), { codec: 'l16', sampleRate: 44100, channels: 2 });
  t.match(describeAudioFormat(format(111, 'opus', 48000, 2, 'minptime=10;useinbandfec=1;sprop-stereo=1')), { opus: { inbandFec: true, spropStereo: true } });
  const latm = describeAudioFormat(format(96, 'MP4A-LATM', 16000, 1, 'cpresent=0;config=40002810'));
  t.match(latm, { codec: 'aac-latm', sampleRate: 16000, channels: 1, latm: { muxConfigPresent: false, configHex: '40002810' } });
  t.match(describeAudioFormat(format(96, 'MP4A-LATM', 44100, 2, '')), { codec: 'aac-latm', sampleRate: 44100, channels: 2, latm: { muxConfigPresent: true } }, 'cpresent defaults to 1');
});

t.test('typed errors: what cannot be depacketized says why', async (t) => {
  const code = (f: AudioFormatInput) => {
    try {
      describeAudioFormat(f);
      return 'described';
    } catch (e) {
      t.ok(e instanceof AudioFormatError);
      return (e as AudioFormatError).code;
    }
  };
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;sizelength=13')), 'AUDIO_MISSING_CONFIG');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;config=14 08')), 'AUDIO_BAD_CONFIG');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;config=140')), 'AUDIO_BAD_CONFIG', 'odd hex');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;config=1400')), 'AUDIO_BAD_CONFIG', 'channel configuration 0');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=CELP-cbr;config=1408')), 'AUDIO_UNSUPPORTED_CODEC');
  t.equal(code(format(97, 'MPEG4-GENERIC', 90000, 1, 'streamtype=4;mode=generic;config=1408')), 'AUDIO_UNSUPPORTED_CODEC');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;config=1408;sizelength=x')), 'AUDIO_BAD_PARAMETER');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;config=1408;sizelength=33')), 'AUDIO_BAD_PARAMETER');
  t.equal(code(format(97, 'MPEG4-GENERIC', 16000, 1, 'mode=AAC-hbr;config=1408;constantduration=0')), 'AUDIO_BAD_PARAMETER');
  t.equal(code(format(96, 'MP4A-LATM', 16000, 1, 'cpresent=0')), 'AUDIO_MISSING_CONFIG');
  t.equal(code(format(96, 'MP4A-LATM', 16000, 1, 'cpresent=0;config=c0')), 'AUDIO_BAD_CONFIG');
  t.equal(code(format(97, 'G726-32', 8000, 1)), 'AUDIO_UNSUPPORTED_CODEC', 'H264DVR-era G.726');
  t.equal(code(format(14, 'MPA', 90000, undefined)), 'AUDIO_UNSUPPORTED_CODEC');
  t.equal(code(format(98, undefined, undefined, undefined)), 'AUDIO_UNSUPPORTED_CODEC', 'dynamic PT without rtpmap');
  t.equal(code(format(98, 'PCMU', 0, 1)), 'AUDIO_BAD_CLOCK_RATE');
  t.equal(code(format(97, 'MPEG4-GENERIC', 1, 1, 'mode=AAC-hbr;config=1408')), 'AUDIO_BAD_CLOCK_RATE', 'a 1 Hz clock cannot stamp 64 ms frames apart');
  t.equal(code(format(96, 'MP4A-LATM', 1, 1, 'cpresent=0;config=40002810')), 'AUDIO_BAD_CLOCK_RATE');
});

t.test('chooseAudioFormat: the first usable format in the camera\'s order, else the first error', async (t) => {
  const [track] = audioTracks('v=0\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 97 0\r\na=rtpmap:97 G726-32/8000\r\n');
  t.match(chooseAudioFormat(track), { codec: 'pcmu', payloadType: 0 });
  const [bad] = audioTracks('v=0\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 G726-32/8000\r\n');
  t.throws(() => chooseAudioFormat(bad), { code: 'AUDIO_UNSUPPORTED_CODEC' });
  t.throws(() => chooseAudioFormat({ formats: [] }), { code: 'AUDIO_UNSUPPORTED_CODEC' });
});

t.test('property: arbitrary fmtp text describes or throws AudioFormatError, for every codec', async (t) => {
  const piece = fc.oneof(fc.constantFrom('mode=AAC-hbr', 'mode=generic', 'config=1408', 'config=40002810', 'cpresent=0', 'sizelength=13', 'indexlength=3',
    'constantduration=1024', 'auxiliarydatasizelength=8', 'streamtype=5', ' ', ';'), fc.string({ maxLength: 12 }));
  fc.assert(fc.property(fc.array(piece, { maxLength: 8 }), fc.constantFrom('mpeg4-generic', 'MP4A-LATM', 'opus', 'PCMU', 'G722', 'x'), fc.integer({ min: 0, max: 200000 }), (pieces, codec, clock) => {
    try {
      const d = describeAudioFormat(format(96, codec, clock, 1, pieces.join(';')));
      if (!(d.sampleRate > 0) || !(d.channels > 0)) throw new Error(`described ${JSON.stringify(d)}`);
      if (d.mpeg4Generic && !(d.mpeg4Generic.frameTicks > 0)) throw new Error('no frame duration');
    } catch (e) {
      if (!(e instanceof AudioFormatError)) throw e;
    }
  }), { numRuns: 2000 });
  t.pass();
});
