/** fast-check arbitraries for the audio configs: only what the syntax can represent. */
import fc from 'fast-check';
import { AAC_SAMPLING_FREQUENCIES, type AudioSpecificConfig, type SbrPsSignalling } from '../../lib/audio/audio-specific-config.js';
import type { StreamMuxConfig } from '../../lib/audio/stream-mux-config.js';

const frequency = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((i) => ({ samplingFrequencyIndex: i, sampleRate: AAC_SAMPLING_FREQUENCIES[i] })),
  fc.integer({ min: 7350, max: 96000 }).map((r) => ({ samplingFrequencyIndex: 15, sampleRate: r })),
);

const sbrPs: fc.Arbitrary<SbrPsSignalling> = fc.oneof(
  fc.tuple(frequency, fc.boolean()).map(([f, ps]): SbrPsSignalling => ({ signalling: 'hierarchical', sbrPresent: true, ...(ps ? { psPresent: true } : {}), ...f })),
  fc.constant<SbrPsSignalling>({ signalling: 'sync-extension', sbrPresent: false }),
  fc.tuple(frequency, fc.constantFrom(undefined, true, false)).map(([f, ps]): SbrPsSignalling => ({
    signalling: 'sync-extension', sbrPresent: true, ...f, ...(ps === undefined ? {} : { psPresent: ps }),
  })),
);

export const ascArb: fc.Arbitrary<AudioSpecificConfig> = fc.record({
  objectType: fc.integer({ min: 1, max: 4 }),
  frequency,
  channelConfiguration: fc.integer({ min: 1, max: 7 }),
  frameLengthFlag: fc.boolean(),
  coreCoderDelay: fc.option(fc.integer({ min: 0, max: 0x3fff }), { nil: undefined }),
  extensionFlag3: fc.option(fc.boolean(), { nil: undefined }),
  sbrPs: fc.option(sbrPs, { nil: undefined }),
}).map((r) => {
  const c: AudioSpecificConfig = {
    objectType: r.objectType,
    ...r.frequency,
    channelConfiguration: r.channelConfiguration,
    channels: r.channelConfiguration === 7 ? 8 : r.channelConfiguration,
    frameLengthFlag: r.frameLengthFlag,
  };
  if (r.coreCoderDelay !== undefined) c.coreCoderDelay = r.coreCoderDelay;
  if (r.extensionFlag3 !== undefined) c.extensionFlag3 = r.extensionFlag3;
  if (r.sbrPs !== undefined) c.sbrPs = r.sbrPs;
  return c;
});

export const streamMuxConfigArb: fc.Arbitrary<StreamMuxConfig> = fc.record({
  audioMuxVersion: fc.constantFrom<0 | 1>(0, 1),
  numSubFrames: fc.integer({ min: 0, max: 63 }),
  asc: ascArb,
  latmBufferFullness: fc.integer({ min: 0, max: 255 }),
  tara: fc.integer({ min: 0, max: 0xffffffff }),
  otherDataLenBits: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  crcCheckSum: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  abbreviated: fc.boolean(),
}).map((r) => {
  // version 0 has no ASC length: nothing may follow the core config
  const asc = r.audioMuxVersion === 0 && r.asc.sbrPs?.signalling === 'sync-extension' ? { ...r.asc, sbrPs: undefined } : r.asc;
  if (asc.sbrPs === undefined) delete asc.sbrPs;
  const c: StreamMuxConfig = { audioMuxVersion: r.audioMuxVersion, numSubFrames: r.numSubFrames, audioSpecificConfig: asc, latmBufferFullness: r.latmBufferFullness };
  if (r.audioMuxVersion === 1) c.taraBufferFullness = r.tara;
  if (r.otherDataLenBits !== undefined) c.otherDataLenBits = r.otherDataLenBits;
  if (r.crcCheckSum !== undefined) c.crcCheckSum = r.crcCheckSum;
  // GStreamer's short form: version 0, nothing after the AudioSpecificConfig
  if (r.abbreviated && r.audioMuxVersion === 0) return { audioMuxVersion: 0, numSubFrames: r.numSubFrames, audioSpecificConfig: asc, latmBufferFullness: 0xff, abbreviated: true };
  return c;
});

/** Access units of 1..`max` random bytes, any length up to max (never starting 0xFF, which would read as ADTS). */
export const ausArb = (max = 3000, maxCount = 24): fc.Arbitrary<Uint8Array[]> =>
  fc.array(fc.uint8Array({ minLength: 1, maxLength: max, size: 'max' }).map((a) => { if (a[0] === 0xff) a[0] = 0x21; return a; }), { minLength: 1, maxLength: maxCount });

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
