/** ADTS header writer and reader, and the detector of ADTS-wrapped access units. */
import t from 'tap';
import fc from 'fast-check';
import { adtsFrame, adtsWrappedHeaderLength, parseAdtsHeader, writeAdtsHeader, ADTS_HEADER_SIZE } from '../../lib/audio/adts.js';
import { parseAudioSpecificConfig } from '../../lib/audio/audio-specific-config.js';
import { AudioPayloadError } from '../../lib/audio/errors.js';
import { ascArb, hex, toHex } from './arbitraries.js';

t.test('AAC-LC 44.1 kHz stereo, 200-byte unit: the header FFmpeg writes', async (t) => {
  const frame = adtsFrame(parseAudioSpecificConfig(hex('1210')), new Uint8Array(200));
  t.equal(toHex(frame.subarray(0, 7)), 'fff15080 19fffc'.replace(/\s/g, ''));
  t.equal(frame.length, 207);
  t.same(parseAdtsHeader(frame), {
    mpeg2: false, objectType: 2, samplingFrequencyIndex: 4, channelConfiguration: 2, frameLength: 207, headerLength: 7, bufferFullness: 0x7ff, rawDataBlocks: 1,
  });
});

t.test('HE-AAC is written as its LC core; an explicit frequency in the table is indexed', async (t) => {
  const he = parseAudioSpecificConfig(hex('2b118800'));
  t.same(parseAdtsHeader(adtsFrame(he, new Uint8Array(10))), { mpeg2: false, objectType: 2, samplingFrequencyIndex: 6, channelConfiguration: 2, frameLength: 17, headerLength: 7, bufferFullness: 0x7ff, rawDataBlocks: 1 });
  const explicit = { ...parseAudioSpecificConfig(hex('1408')), samplingFrequencyIndex: 15 };
  t.equal(parseAdtsHeader(adtsFrame(explicit, new Uint8Array(1))).samplingFrequencyIndex, 8);
});

t.test('what ADTS cannot say is a typed error', async (t) => {
  const c = parseAudioSpecificConfig(hex('1408'));
  t.throws(() => adtsFrame(c, new Uint8Array(8185)), { code: 'AUDIO_ADTS_UNREPRESENTABLE' });
  t.throws(() => adtsFrame({ ...c, samplingFrequencyIndex: 15, sampleRate: 16001 }, new Uint8Array(1)), { code: 'AUDIO_ADTS_UNREPRESENTABLE' });
  t.throws(() => writeAdtsHeader(c, 10, new Uint8Array(6)), { code: 'AUDIO_ADTS_UNREPRESENTABLE' });
  t.throws(() => parseAdtsHeader(hex('fff150')), { code: 'AUDIO_ADTS_BAD_HEADER' });
  t.throws(() => parseAdtsHeader(hex('fef15080 19fffc')), { code: 'AUDIO_ADTS_BAD_HEADER' });
  t.throws(() => parseAdtsHeader(hex('fff35080 19fffc')), { code: 'AUDIO_ADTS_BAD_HEADER' }, 'layer 1');
  t.throws(() => parseAdtsHeader(hex('fff15080 001ffc')), { code: 'AUDIO_ADTS_BAD_HEADER' }, 'frame shorter than its header');
});

t.test('an access unit that is exactly one ADTS frame is recognised; raw units are not', async (t) => {
  const c = parseAudioSpecificConfig(hex('1408'));
  const au = Uint8Array.from([0x21, 0x10, 0x05, 0x00]);
  t.equal(adtsWrappedHeaderLength(adtsFrame(c, au)), ADTS_HEADER_SIZE);
  t.equal(adtsWrappedHeaderLength(au), 0);
  const two = new Uint8Array([...adtsFrame(c, au), 0]);
  t.equal(adtsWrappedHeaderLength(two), 0, 'a length that disagrees');
  const crc = adtsFrame(c, new Uint8Array(4));
  crc[1] &= 0xfe;
  t.equal(adtsWrappedHeaderLength(crc), ADTS_HEADER_SIZE + 2, 'with CRC the header is 9 bytes');
});

t.test('property: written headers read back; arbitrary bytes read or throw the typed error', async () => {
  fc.assert(fc.property(ascArb, fc.integer({ min: 0, max: 8184 }), (c, n) => {
    let h;
    try {
      const out = new Uint8Array(ADTS_HEADER_SIZE);
      writeAdtsHeader(c, n, out);
      h = parseAdtsHeader(out);
    } catch (e) {
      // only an explicit frequency outside the table is unrepresentable for these configs
      if (e instanceof AudioPayloadError && e.code === 'AUDIO_ADTS_UNREPRESENTABLE' && c.samplingFrequencyIndex === 15) return;
      throw e;
    }
    if (h.objectType !== c.objectType || h.channelConfiguration !== c.channelConfiguration || h.frameLength !== n + 7) throw new Error('header changed');
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
    try {
      parseAdtsHeader(b);
    } catch (e) {
      if (!(e instanceof AudioPayloadError)) throw e;
    }
    adtsWrappedHeaderLength(b);
  }), { numRuns: 2000 });
});
