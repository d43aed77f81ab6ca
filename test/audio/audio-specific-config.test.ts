/** AudioSpecificConfig: camera configs, SBR/PS signalling, typed errors, round trip, arbitrary bytes. */
import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  aacFrameTicks, aacOutputSampleRate, parseAudioSpecificConfig, serializeAudioSpecificConfig, type AudioSpecificConfig,
} from '../../lib/audio/audio-specific-config.js';
import { AudioConfigError } from '../../lib/audio/errors.js';
import { ascArb, hex, toHex } from './arbitraries.js';

const lc = (sfi: number, rate: number, ch: number): AudioSpecificConfig => ({
  objectType: 2, samplingFrequencyIndex: sfi, sampleRate: rate, channelConfiguration: ch, channels: ch, frameLengthFlag: false,
});

t.test('configs cameras announce', async (t) => {
  t.same(parseAudioSpecificConfig(hex('1408')), lc(8, 16000, 1), 'Reolink / Anpviz 1408: AAC-LC 16 kHz mono');
  t.same(parseAudioSpecificConfig(hex('1188')), lc(3, 48000, 1), 'Dahua / Ubiquiti 1188: AAC-LC 48 kHz mono');
  t.same(parseAudioSpecificConfig(hex('1190')), lc(3, 48000, 2), '1190: 48 kHz stereo');
  t.same(parseAudioSpecificConfig(hex('1490')), lc(9, 12000, 2), 'Big Buck Bunny (Wowza) 1490: 12 kHz stereo');
  t.same(parseAudioSpecificConfig(hex('1588')), lc(11, 8000, 1), 'go2rtc test camera 1588: 8 kHz mono');
  t.same(parseAudioSpecificConfig(hex('1388')), lc(7, 22050, 1), '1388: 22.05 kHz mono');
});

t.test('backward-compatible SBR signalling after the core config (missing_content_type camera: 119056E500)', async (t) => {
  const c = parseAudioSpecificConfig(hex('119056E500'));
  t.same(c, { ...lc(3, 48000, 2), sbrPs: { signalling: 'sync-extension', sbrPresent: false } });
  t.equal(aacOutputSampleRate(c), 48000, 'SBR signalled absent: the core rate');
  t.equal(toHex(serializeAudioSpecificConfig(c)), '119056e500', 'written back bit for bit');
  const sbr = parseAudioSpecificConfig(hex('2b118800'));
  t.same(sbr.sbrPs, { signalling: 'hierarchical', sbrPresent: true, samplingFrequencyIndex: 3, sampleRate: 48000 }, 'HE-AAC hierarchical: 24 kHz core, 48 kHz SBR');
  t.equal(sbr.objectType, 2);
  t.equal(sbr.sampleRate, 24000);
  t.equal(aacOutputSampleRate(sbr), 48000);
  t.equal(aacFrameTicks(sbr, 48000), 2048, 'a 1024-sample core frame lasts 2048 ticks of a 48 kHz clock');
  t.equal(aacFrameTicks(sbr, 24000), 1024);
  const ps = { ...sbr, sbrPs: { ...sbr.sbrPs!, psPresent: true } };
  t.same(parseAudioSpecificConfig(serializeAudioSpecificConfig(ps)), ps, 'PS (object type 29) first');
});

t.test('explicit frequency, 960-sample frames, core coder delay', async (t) => {
  const c: AudioSpecificConfig = { ...lc(15, 32001, 2), frameLengthFlag: true, coreCoderDelay: 1234 };
  const back = parseAudioSpecificConfig(serializeAudioSpecificConfig(c));
  t.same(back, c);
  t.equal(aacFrameTicks(back, 32001), 960);
});

t.test('typed errors for configs that cannot be audio or are not read', async (t) => {
  const code = (h: string) => {
    try {
      parseAudioSpecificConfig(hex(h));
      return 'parsed';
    } catch (e) {
      t.ok(e instanceof AudioConfigError, `${h}: typed`);
      return (e as AudioConfigError).code;
    }
  };
  t.equal(code(''), 'AUDIO_CONFIG_TRUNCATED');
  t.equal(code('12'), 'AUDIO_CONFIG_TRUNCATED');
  t.equal(code('16 88'), 'AUDIO_CONFIG_BAD_SAMPLE_RATE', 'reserved index 13');
  t.equal(code('17 80 00 00 88'), 'AUDIO_CONFIG_BAD_SAMPLE_RATE', 'explicit 1 Hz');
  t.equal(code('17 ff ff ff 88'), 'AUDIO_CONFIG_BAD_SAMPLE_RATE', 'explicit 16.7 MHz');
  t.equal(code('14 00'), 'AUDIO_CONFIG_UNSUPPORTED', 'channel configuration 0 needs a program_config_element');
  t.equal(code('14 40'), 'AUDIO_CONFIG_BAD_CHANNELS', 'reserved channel configuration 8');
  t.equal(code('14 78'), 'AUDIO_CONFIG_BAD_CHANNELS', 'channel configuration 15');
  t.equal(code('f8 e0 88 00'), 'AUDIO_CONFIG_UNSUPPORTED', 'escaped object type 39 (ER AAC ELD)');
  t.match(String((() => { try { parseAudioSpecificConfig(hex('f8e08800')); } catch (e) { return (e as Error).message; } })()), /39/);
  t.equal(code('3c 10'), 'AUDIO_CONFIG_UNSUPPORTED', 'object type 7 (TwinVQ)');
  t.throws(() => serializeAudioSpecificConfig({ ...lc(8, 16000, 1), objectType: 5 }), { code: 'AUDIO_CONFIG_BAD_FIELD' });
  t.throws(() => serializeAudioSpecificConfig({ ...lc(8, 44100, 1) }), { code: 'AUDIO_CONFIG_BAD_FIELD' }, 'index and rate disagree');
  t.throws(() => serializeAudioSpecificConfig({ ...lc(8, 16000, 8) }), { code: 'AUDIO_CONFIG_BAD_FIELD' });
  t.throws(() => serializeAudioSpecificConfig({ ...lc(8, 16000, 1), sbrPs: { signalling: 'sync-extension', sbrPresent: false, psPresent: true } }), { code: 'AUDIO_CONFIG_BAD_FIELD' });
  t.equal(code('12 10 00'), 'parsed', 'trailing zero bits are tolerated');
});

t.test('limits are options', async (t) => {
  const c = serializeAudioSpecificConfig(lc(15, 100, 1));
  t.throws(() => parseAudioSpecificConfig(c), { code: 'AUDIO_CONFIG_BAD_SAMPLE_RATE' });
  t.equal(parseAudioSpecificConfig(c, { minSampleRate: 50 }).sampleRate, 100);
});

t.test('property: serialize then parse is the identity', async () => {
  fc.assert(fc.property(ascArb, (c) => {
    const back = parseAudioSpecificConfig(serializeAudioSpecificConfig(c));
    if (!isDeepStrictEqual(back, c)) throw new Error(`${JSON.stringify(c)} came back as ${JSON.stringify(back)}`);
  }), { numRuns: 1000 });
});

t.test('property: arbitrary bytes parse or throw AudioConfigError; what parses serializes to the same config', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
    let c: AudioSpecificConfig;
    try {
      c = parseAudioSpecificConfig(b);
    } catch (e) {
      if (e instanceof AudioConfigError) return;
      throw e;
    }
    const again = parseAudioSpecificConfig(serializeAudioSpecificConfig(c));
    if (!isDeepStrictEqual(again, c)) throw new Error(`not stable: ${toHex(b)}`);
  }), { numRuns: 3000 });
});
