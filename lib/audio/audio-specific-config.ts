/**
 * MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) for the AAC object types cameras send:
 * Main, LC, SSR, LTP (GASpecificConfig), with SBR/PS signalled either hierarchically (object
 * type 5 or 29 first) or backward compatibly (sync extension 0x2b7 after the core config, as in
 * `config=119056E500`). Parse, serialize and the timing facts a depacketizer needs.
 */
import { BitReader, BitWriter } from './bits.js';
import { AudioConfigError } from './errors.js';

/** Sampling frequencies by samplingFrequencyIndex 0..12 (13 and 14 are reserved, 15 = explicit). */
export const AAC_SAMPLING_FREQUENCIES: readonly number[] = Object.freeze([
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
]);

/** samplingFrequencyIndex meaning "a 24-bit frequency follows". */
export const EXPLICIT_FREQUENCY_INDEX = 15;

export const AacObjectType = Object.freeze({ Main: 1, LC: 2, SSR: 3, LTP: 4, SBR: 5, PS: 29 });

export interface AudioConfigOptions {
  /** Lowest explicit (24-bit) sampling frequency accepted. */
  minSampleRate?: number;
  /** Highest explicit sampling frequency accepted. */
  maxSampleRate?: number;
}

export const AUDIO_CONFIG_DEFAULTS: Readonly<Required<AudioConfigOptions>> = Object.freeze({
  // the bounds of the frequency table: anything outside is a broken config, not audio
  minSampleRate: 7350,
  maxSampleRate: 96000,
});

/** Explicit SBR (HE-AAC) / PS (HE-AACv2) signalling. */
export interface SbrPsSignalling {
  /** `hierarchical`: object type 5 or 29 before the core type; `sync-extension`: 0x2b7 after the core config. */
  signalling: 'hierarchical' | 'sync-extension';
  sbrPresent: boolean;
  /** Undefined when the config does not say (hierarchical SBR, or no 0x548 extension). */
  psPresent?: boolean;
  /** SBR output frequency; present when sbrPresent. */
  samplingFrequencyIndex?: number;
  sampleRate?: number;
}

export interface AudioSpecificConfig {
  /** Core coder object type: 1 Main, 2 LC, 3 SSR, 4 LTP. */
  objectType: number;
  /** 0..12, or 15 when `sampleRate` is written out in 24 bits. */
  samplingFrequencyIndex: number;
  /** Core sampling frequency (half the output rate when SBR is present). */
  sampleRate: number;
  /** 1..7 (7 means 8 channels). */
  channelConfiguration: number;
  channels: number;
  /** 960-sample frames instead of 1024. */
  frameLengthFlag: boolean;
  /** Present when dependsOnCoreCoder is set (14 bits). */
  coreCoderDelay?: number;
  /** Present when GASpecificConfig's extensionFlag is set. */
  extensionFlag3?: boolean;
  sbrPs?: SbrPsSignalling;
}

const truncated = () => new AudioConfigError('AUDIO_CONFIG_TRUNCATED', 'AudioSpecificConfig ends early');
const SYNC_EXTENSION_SBR = 0x2b7;
const SYNC_EXTENSION_PS = 0x548;

function readObjectType(r: BitReader): number {
  const t = r.readBits(5);
  return t === 31 ? 32 + r.readBits(6) : t;
}

function readFrequency(r: BitReader, index: number, o: Required<AudioConfigOptions>): number {
  if (index <= 12) return AAC_SAMPLING_FREQUENCIES[index];
  if (index !== EXPLICIT_FREQUENCY_INDEX) throw new AudioConfigError('AUDIO_CONFIG_BAD_SAMPLE_RATE', `reserved sampling frequency index ${index}`);
  const rate = r.readBits(24);
  if (rate < o.minSampleRate || rate > o.maxSampleRate) {
    throw new AudioConfigError('AUDIO_CONFIG_BAD_SAMPLE_RATE', `sampling frequency ${rate} Hz outside ${o.minSampleRate}..${o.maxSampleRate}`);
  }
  return rate;
}

/** Parses a config from SDP (`config=` hex) or an MP4 esds. Trailing bits it does not know are ignored. */
export function parseAudioSpecificConfig(bytes: Uint8Array, options: AudioConfigOptions = {}): AudioSpecificConfig {
  return readAudioSpecificConfig(new BitReader(truncated).reset(bytes), true, options);
}

/**
 * Reads a config at the reader's position (StreamMuxConfig embeds one). `syncExtension`: look
 * for the backward-compatible SBR/PS extension in the bits left, which only makes sense when the
 * config's end is known (its own bytes, or a LATM ascLen); FFmpeg does the same.
 */
export function readAudioSpecificConfig(r: BitReader, syncExtension: boolean, options: AudioConfigOptions = {}): AudioSpecificConfig {
  const o = {
    minSampleRate: options.minSampleRate ?? AUDIO_CONFIG_DEFAULTS.minSampleRate,
    maxSampleRate: options.maxSampleRate ?? AUDIO_CONFIG_DEFAULTS.maxSampleRate,
  };
  let objectType = readObjectType(r);
  const samplingFrequencyIndex = r.readBits(4);
  const sampleRate = readFrequency(r, samplingFrequencyIndex, o);
  const channelConfiguration = r.readBits(4);
  let sbrPs: SbrPsSignalling | undefined;
  if (objectType === AacObjectType.SBR || objectType === AacObjectType.PS) {
    const index = r.readBits(4);
    sbrPs = { signalling: 'hierarchical', sbrPresent: true, samplingFrequencyIndex: index, sampleRate: readFrequency(r, index, o) };
    if (objectType === AacObjectType.PS) sbrPs.psPresent = true;
    objectType = readObjectType(r);
  }
  if (objectType < AacObjectType.Main || objectType > AacObjectType.LTP) {
    throw new AudioConfigError('AUDIO_CONFIG_UNSUPPORTED', `audio object type ${objectType} is not AAC Main/LC/SSR/LTP`);
  }
  if (channelConfiguration === 0) throw new AudioConfigError('AUDIO_CONFIG_UNSUPPORTED', 'channel configuration 0 (program_config_element) is not read');
  if (channelConfiguration > 7) throw new AudioConfigError('AUDIO_CONFIG_BAD_CHANNELS', `reserved channel configuration ${channelConfiguration}`);
  const config: AudioSpecificConfig = {
    objectType,
    samplingFrequencyIndex,
    sampleRate,
    channelConfiguration,
    channels: channelConfiguration === 7 ? 8 : channelConfiguration,
    frameLengthFlag: r.readBit(),
  };
  if (r.readBit()) config.coreCoderDelay = r.readBits(14);
  // extensionFlag: for object types 1..4 only extensionFlag3 follows
  if (r.readBit()) config.extensionFlag3 = r.readBit();
  if (sbrPs) config.sbrPs = sbrPs;
  else if (syncExtension && r.bitsLeft >= 16) readSyncExtension(r, config, o);
  return config;
}

function readSyncExtension(r: BitReader, config: AudioSpecificConfig, o: Required<AudioConfigOptions>): void {
  if (r.readBits(11) !== SYNC_EXTENSION_SBR) return;
  if (readObjectType(r) !== AacObjectType.SBR) return;
  const sbrPs: SbrPsSignalling = { signalling: 'sync-extension', sbrPresent: r.readBit() };
  if (sbrPs.sbrPresent) {
    const index = r.readBits(4);
    sbrPs.samplingFrequencyIndex = index;
    sbrPs.sampleRate = readFrequency(r, index, o);
    if (r.bitsLeft >= 12 && r.readBits(11) === SYNC_EXTENSION_PS) sbrPs.psPresent = r.readBit();
  }
  config.sbrPs = sbrPs;
}

function badField(message: string): AudioConfigError {
  return new AudioConfigError('AUDIO_CONFIG_BAD_FIELD', message);
}

function writeFrequency(w: BitWriter, index: number | undefined, rate: number | undefined, what: string): void {
  if (index === undefined || rate === undefined) throw badField(`${what}: frequency index and rate are both required`);
  w.writeBits(index, 4);
  if (index === EXPLICIT_FREQUENCY_INDEX) {
    if (!Number.isInteger(rate) || rate < 0 || rate > 0xffffff) throw badField(`${what}: ${rate} Hz does not fit 24 bits`);
    w.writeBits(rate, 24);
  } else if (AAC_SAMPLING_FREQUENCIES[index] !== rate) {
    throw badField(`${what}: index ${index} does not mean ${rate} Hz`);
  }
}

/** The config's bytes (last byte padded with zero bits). Throws AUDIO_CONFIG_BAD_FIELD for what the syntax cannot hold. */
export function serializeAudioSpecificConfig(c: AudioSpecificConfig): Uint8Array {
  const w = new BitWriter();
  writeAudioSpecificConfig(w, c);
  return w.toBytes();
}

/** Writes the config's bits at the writer's position (StreamMuxConfig embeds one). */
export function writeAudioSpecificConfig(w: BitWriter, c: AudioSpecificConfig): void {
  if (!Number.isInteger(c.objectType) || c.objectType < AacObjectType.Main || c.objectType > AacObjectType.LTP) throw badField(`object type ${c.objectType}`);
  if (!Number.isInteger(c.channelConfiguration) || c.channelConfiguration < 1 || c.channelConfiguration > 7) throw badField(`channel configuration ${c.channelConfiguration}`);
  if (c.coreCoderDelay !== undefined && (!Number.isInteger(c.coreCoderDelay) || c.coreCoderDelay < 0 || c.coreCoderDelay > 0x3fff)) throw badField(`core coder delay ${c.coreCoderDelay}`);
  const sbr = c.sbrPs;
  if (sbr?.signalling === 'hierarchical') {
    if (!sbr.sbrPresent || sbr.psPresent === false) throw badField('hierarchical signalling always means SBR, and PS only as present');
    w.writeBits(sbr.psPresent ? AacObjectType.PS : AacObjectType.SBR, 5);
  } else {
    w.writeBits(c.objectType, 5);
  }
  writeFrequency(w, c.samplingFrequencyIndex, c.sampleRate, 'core');
  w.writeBits(c.channelConfiguration, 4);
  if (sbr?.signalling === 'hierarchical') {
    writeFrequency(w, sbr.samplingFrequencyIndex, sbr.sampleRate, 'SBR');
    w.writeBits(c.objectType, 5);
  }
  w.writeBit(c.frameLengthFlag);
  w.writeBit(c.coreCoderDelay !== undefined);
  if (c.coreCoderDelay !== undefined) w.writeBits(c.coreCoderDelay, 14);
  w.writeBit(c.extensionFlag3 !== undefined);
  if (c.extensionFlag3 !== undefined) w.writeBit(c.extensionFlag3);
  if (sbr?.signalling === 'sync-extension') {
    w.writeBits(SYNC_EXTENSION_SBR, 11);
    w.writeBits(AacObjectType.SBR, 5);
    w.writeBit(sbr.sbrPresent);
    if (sbr.sbrPresent) {
      writeFrequency(w, sbr.samplingFrequencyIndex, sbr.sampleRate, 'SBR');
      if (sbr.psPresent !== undefined) {
        w.writeBits(SYNC_EXTENSION_PS, 11);
        w.writeBit(sbr.psPresent);
      }
    } else if (sbr.psPresent !== undefined || sbr.samplingFrequencyIndex !== undefined) {
      throw badField('SBR absent, yet an SBR frequency or PS flag given');
    }
  }
}

/** Samples per channel in one access unit at the core rate. */
export function aacFrameSamples(c: AudioSpecificConfig): number {
  return c.frameLengthFlag ? 960 : 1024;
}

/** The decoder's output rate: the SBR rate when SBR is signalled present, else the core rate. */
export function aacOutputSampleRate(c: AudioSpecificConfig): number {
  return c.sbrPs?.sbrPresent && c.sbrPs.sampleRate !== undefined ? c.sbrPs.sampleRate : c.sampleRate;
}

/**
 * Duration of one access unit in ticks of an RTP clock of `clockRate` Hz: 1024 (or 960) core
 * samples, scaled when the camera's clock is not the core rate (HE-AAC on a 48 kHz clock with a
 * 24 kHz core: 2048 ticks).
 */
export function aacFrameTicks(c: AudioSpecificConfig, clockRate: number): number {
  return Math.round((aacFrameSamples(c) * clockRate) / c.sampleRate);
}
