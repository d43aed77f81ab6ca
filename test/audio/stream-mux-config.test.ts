/** LATM StreamMuxConfig: RFC 6416's example, GStreamer's short form, typed errors, round trip. */
import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { parseStreamMuxConfig, serializeStreamMuxConfig, type StreamMuxConfig } from '../../lib/audio/stream-mux-config.js';
import { AudioConfigError } from '../../lib/audio/errors.js';
import { hex, streamMuxConfigArb, toHex } from './arbitraries.js';

t.test("RFC 6416 7.3's example config=400026203fc0: AAC-LC 24 kHz stereo", async (t) => {
  const c = parseStreamMuxConfig(hex('400026203fc0'));
  t.same(c, {
    audioMuxVersion: 0, numSubFrames: 0, latmBufferFullness: 0xff,
    audioSpecificConfig: { objectType: 2, samplingFrequencyIndex: 6, sampleRate: 24000, channelConfiguration: 2, channels: 2, frameLengthFlag: false },
  });
  t.equal(toHex(serializeStreamMuxConfig(c)), '400026203fc0');
});

t.test('GStreamer rtpmp4apay: config=40002810 stops after the AudioSpecificConfig', async (t) => {
  const c = parseStreamMuxConfig(hex('40002810'));
  t.equal(c.abbreviated, true);
  t.equal(c.audioSpecificConfig.sampleRate, 16000);
  t.equal(c.audioSpecificConfig.channels, 1);
  t.equal(c.latmBufferFullness, 0xff);
  t.equal(toHex(serializeStreamMuxConfig(c)), '40002810', 'written back in the same short form');
});

t.test('version 1: taraBufferFullness, ascLen with fill bits, SBR sync extension inside', async (t) => {
  const c: StreamMuxConfig = {
    audioMuxVersion: 1, numSubFrames: 1, latmBufferFullness: 0x80, taraBufferFullness: 70000, otherDataLenBits: 16, crcCheckSum: 0x5a,
    audioSpecificConfig: {
      objectType: 2, samplingFrequencyIndex: 6, sampleRate: 24000, channelConfiguration: 2, channels: 2, frameLengthFlag: false,
      sbrPs: { signalling: 'sync-extension', sbrPresent: true, samplingFrequencyIndex: 3, sampleRate: 48000, psPresent: false },
    },
  };
  t.same(parseStreamMuxConfig(serializeStreamMuxConfig(c)), c);
});

t.test('typed errors', async (t) => {
  const code = (h: string) => {
    try {
      parseStreamMuxConfig(hex(h));
      return 'parsed';
    } catch (e) {
      t.ok(e instanceof AudioConfigError);
      return (e as AudioConfigError).code;
    }
  };
  t.equal(code(''), 'AUDIO_CONFIG_TRUNCATED');
  t.equal(code('c0'), 'AUDIO_CONFIG_UNSUPPORTED', 'audioMuxVersionA 1');
  t.equal(code('00002810'), 'AUDIO_CONFIG_UNSUPPORTED', 'own time framing per stream');
  t.equal(code('40102810'), 'AUDIO_CONFIG_UNSUPPORTED', 'two programs');
  t.equal(code('40022810'), 'AUDIO_CONFIG_UNSUPPORTED', 'two layers');
  t.equal(code('4000262020'), 'parsed', 'short form again');
  t.equal(code('400026207fc0'), 'AUDIO_CONFIG_UNSUPPORTED', 'frameLengthType 1 (fixed lengths)');
  t.equal(code('40001600'), 'AUDIO_CONFIG_UNSUPPORTED', 'ASC with channel configuration 0');
  t.throws(() => serializeStreamMuxConfig({ ...parseStreamMuxConfig(hex('400026203fc0')), numSubFrames: 64 }), { code: 'AUDIO_CONFIG_BAD_FIELD' });
  t.throws(() => serializeStreamMuxConfig({ ...parseStreamMuxConfig(hex('40002810')), crcCheckSum: 1 }), { code: 'AUDIO_CONFIG_BAD_FIELD' });
});

t.test('property: serialize then parse is the identity', async () => {
  fc.assert(fc.property(streamMuxConfigArb, (c) => {
    const back = parseStreamMuxConfig(serializeStreamMuxConfig(c));
    if (!isDeepStrictEqual(back, c)) throw new Error(`${JSON.stringify(c)} came back as ${JSON.stringify(back)}`);
  }), { numRuns: 1000 });
});

t.test('property: arbitrary bytes parse or throw AudioConfigError, and what parses is stable', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
    let c: StreamMuxConfig;
    try {
      c = parseStreamMuxConfig(b);
    } catch (e) {
      if (e instanceof AudioConfigError) return;
      throw e;
    }
    const again = parseStreamMuxConfig(serializeStreamMuxConfig(c));
    if (!isDeepStrictEqual(again, c)) throw new Error(`not stable: ${toHex(b)}`);
  }), { numRuns: 3000 });
});
