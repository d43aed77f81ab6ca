/** opusPacketSamples48k: every TOC configuration and frame-count code (RFC 6716 3.1). */
import t from 'tap';
import fc from 'fast-check';
import { opusPacketSamples48k, OPUS_MAX_PACKET_SAMPLES_48K } from '../../lib/audio/opus-toc.js';
import { opusPacketSamples } from '../support/ogg-opus.js';

t.test('what libopus makes for WebRTC: CELT/SILK/hybrid 20 ms, one frame', async (t) => {
  t.equal(opusPacketSamples48k(Uint8Array.of(0xfc, 0xff)), 960, 'CELT FB 20 ms, code 0');
  t.equal(opusPacketSamples48k(Uint8Array.of(0x78)), 960, 'hybrid FB 20 ms');
  t.equal(opusPacketSamples48k(Uint8Array.of(0x08)), 960, 'SILK NB 20 ms');
  t.equal(opusPacketSamples48k(Uint8Array.of(0xfd)), 1920, 'two frames (code 1)');
  t.equal(opusPacketSamples48k(Uint8Array.of(0xe3, 0x03)), 360, 'code 3: three 2.5 ms frames');
});

t.test('unreadable: empty, code 3 without its count byte, over 120 ms', async (t) => {
  t.equal(opusPacketSamples48k(new Uint8Array(0)), 0);
  t.equal(opusPacketSamples48k(Uint8Array.of(0xfb)), 0);
  t.equal(opusPacketSamples48k(Uint8Array.of(0x1b, 0x03)), 0, '3 x 60 ms');
  t.equal(opusPacketSamples48k(Uint8Array.of(0x1b, 0x02)), OPUS_MAX_PACKET_SAMPLES_48K, '2 x 60 ms');
});

t.test('agrees with an independent table wherever the packet is legal', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (toc, count) => {
    const p = Uint8Array.of(toc, count);
    const expected = opusPacketSamples(p);
    t.equal(opusPacketSamples48k(p), expected <= OPUS_MAX_PACKET_SAMPLES_48K ? expected : 0);
  }), { numRuns: 2000 });
});
