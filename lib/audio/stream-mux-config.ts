/**
 * MPEG-4 LATM StreamMuxConfig (ISO/IEC 14496-3 1.7.3.1), what MP4A-LATM's `config=` holds
 * (RFC 6416 6.1) and what cpresent=1 streams repeat in band. camwire reads the single-program,
 * single-layer form with frameLengthType 0 (byte lengths), which is what AAC encoders write;
 * anything else is AUDIO_CONFIG_UNSUPPORTED.
 */
import { readAudioSpecificConfig, writeAudioSpecificConfig, type AudioConfigOptions, type AudioSpecificConfig } from './audio-specific-config.js';
import { BitReader, BitWriter } from './bits.js';
import { AudioConfigError } from './errors.js';

export interface StreamMuxConfig {
  audioMuxVersion: 0 | 1;
  /** Each AudioMuxElement carries numSubFrames + 1 frames (0..63). */
  numSubFrames: number;
  audioSpecificConfig: AudioSpecificConfig;
  latmBufferFullness: number;
  /** audioMuxVersion 1 only. */
  taraBufferFullness?: number;
  /** Present when otherDataPresent: bits of other data after the payloads, skipped. */
  otherDataLenBits?: number;
  /** Present when crcCheckPresent. */
  crcCheckSum?: number;
  /**
   * The config stops right after the AudioSpecificConfig, as GStreamer's rtpmp4apay writes it
   * (`config=40002810`); read as FFmpeg does: byte lengths, buffer fullness 0xFF, nothing else.
   */
  abbreviated?: true;
}

/** Bits after the AudioSpecificConfig in the shortest full form: frameLengthType, fullness, two flags. */
const TAIL_BITS = 3 + 8 + 1 + 1;
const FULLNESS_UNKNOWN = 0xff;

const truncated = () => new AudioConfigError('AUDIO_CONFIG_TRUNCATED', 'StreamMuxConfig ends early');
const unsupported = (what: string) => new AudioConfigError('AUDIO_CONFIG_UNSUPPORTED', `StreamMuxConfig: ${what}`);

/** LatmGetValue(): 2 bits of byte count - 1, then that many bytes. */
export function readLatmValue(r: BitReader): number {
  const bytes = r.readBits(2) + 1;
  return r.readBits(bytes * 8);
}

function writeLatmValue(w: BitWriter, v: number): void {
  const bytes = v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
  w.writeBits(bytes - 1, 2);
  w.writeBits(v, bytes * 8);
}

export function parseStreamMuxConfig(bytes: Uint8Array, options: AudioConfigOptions = {}): StreamMuxConfig {
  return readStreamMuxConfig(new BitReader(truncated).reset(bytes), options);
}

/** Reads a StreamMuxConfig at the reader's position (in band: inside an AudioMuxElement). */
export function readStreamMuxConfig(r: BitReader, options: AudioConfigOptions = {}): StreamMuxConfig {
  const audioMuxVersion = r.readBit() ? 1 : 0;
  if (audioMuxVersion === 1 && r.readBit()) throw unsupported('audioMuxVersionA 1 is reserved');
  let taraBufferFullness: number | undefined;
  if (audioMuxVersion === 1) taraBufferFullness = readLatmValue(r);
  if (!r.readBit()) throw unsupported('streams with their own time framing');
  const numSubFrames = r.readBits(6);
  if (r.readBits(4) !== 0) throw unsupported('more than one program');
  if (r.readBits(3) !== 0) throw unsupported('more than one layer');
  let asc: AudioSpecificConfig;
  if (audioMuxVersion === 0) {
    asc = readAudioSpecificConfig(r, false, options);
  } else {
    const ascLen = readLatmValue(r);
    const start = r.position;
    if (ascLen > r.bitsLeft) throw truncated();
    const end = r.setEnd(start + ascLen);
    asc = readAudioSpecificConfig(r, true, options);
    r.setEnd(end);
    r.skip(start + ascLen - r.position); // fillBits
  }
  if (audioMuxVersion === 0 && r.bitsLeft < TAIL_BITS) {
    const short: StreamMuxConfig = { audioMuxVersion, numSubFrames, audioSpecificConfig: asc, latmBufferFullness: FULLNESS_UNKNOWN, abbreviated: true };
    r.skip(r.bitsLeft);
    return short;
  }
  const frameLengthType = r.readBits(3);
  if (frameLengthType !== 0) throw unsupported(`frameLengthType ${frameLengthType} (only byte lengths are read)`);
  const config: StreamMuxConfig = { audioMuxVersion, numSubFrames, audioSpecificConfig: asc, latmBufferFullness: r.readBits(8) };
  if (taraBufferFullness !== undefined) config.taraBufferFullness = taraBufferFullness;
  if (r.readBit()) {
    if (audioMuxVersion === 1) {
      config.otherDataLenBits = readLatmValue(r);
    } else {
      let bits = 0;
      let escape = true;
      for (let i = 0; escape; i++) {
        if (i === 4) throw unsupported('otherDataLenBits longer than 32 bits');
        escape = r.readBit();
        bits = bits * 256 + r.readBits(8);
      }
      config.otherDataLenBits = bits;
    }
  }
  if (r.readBit()) config.crcCheckSum = r.readBits(8);
  return config;
}

function badField(message: string): AudioConfigError {
  return new AudioConfigError('AUDIO_CONFIG_BAD_FIELD', message);
}

function checkRange(name: string, v: number | undefined, max: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > max)) throw badField(`${name} ${v} outside 0..${max}`);
}

export function serializeStreamMuxConfig(c: StreamMuxConfig): Uint8Array {
  const w = new BitWriter();
  writeStreamMuxConfig(w, c);
  return w.toBytes();
}

export function writeStreamMuxConfig(w: BitWriter, c: StreamMuxConfig): void {
  checkRange('numSubFrames', c.numSubFrames, 63);
  checkRange('latmBufferFullness', c.latmBufferFullness, 255);
  checkRange('taraBufferFullness', c.taraBufferFullness, 0xffffffff);
  checkRange('otherDataLenBits', c.otherDataLenBits, 0xffffffff);
  checkRange('crcCheckSum', c.crcCheckSum, 255);
  if (c.audioMuxVersion === 0 && c.taraBufferFullness !== undefined) throw badField('taraBufferFullness needs audioMuxVersion 1');
  // version 0 has no ASC length, so nothing may follow the core config (ISO 14496-3 1.7.3.1)
  if (c.audioMuxVersion === 0 && c.audioSpecificConfig.sbrPs?.signalling === 'sync-extension') throw badField('a sync extension needs audioMuxVersion 1');
  w.writeBit(c.audioMuxVersion === 1);
  if (c.audioMuxVersion === 1) {
    w.writeBit(false);
    writeLatmValue(w, c.taraBufferFullness ?? 0);
  }
  w.writeBit(true); // allStreamsSameTimeFraming
  w.writeBits(c.numSubFrames, 6);
  w.writeBits(0, 4); // numProgram
  w.writeBits(0, 3); // numLayer
  if (c.audioMuxVersion === 0) {
    writeAudioSpecificConfig(w, c.audioSpecificConfig);
  } else {
    const probe = new BitWriter();
    writeAudioSpecificConfig(probe, c.audioSpecificConfig);
    writeLatmValue(w, probe.bitLength);
    w.appendBits(probe.toBytes(), probe.bitLength);
  }
  if (c.abbreviated) {
    if (c.audioMuxVersion !== 0 || c.latmBufferFullness !== FULLNESS_UNKNOWN || c.otherDataLenBits !== undefined || c.crcCheckSum !== undefined) {
      throw badField('the abbreviated form is version 0 with nothing after the AudioSpecificConfig');
    }
    return;
  }
  w.writeBits(0, 3); // frameLengthType
  w.writeBits(c.latmBufferFullness, 8);
  w.writeBit(c.otherDataLenBits !== undefined);
  if (c.otherDataLenBits !== undefined) {
    if (c.audioMuxVersion === 1) {
      writeLatmValue(w, c.otherDataLenBits);
    } else {
      const bytes = c.otherDataLenBits < 0x100 ? 1 : c.otherDataLenBits < 0x10000 ? 2 : c.otherDataLenBits < 0x1000000 ? 3 : 4;
      for (let i = bytes - 1; i >= 0; i--) {
        w.writeBit(i > 0);
        w.writeBits(Math.floor(c.otherDataLenBits / 256 ** i) % 256, 8);
      }
    }
  }
  w.writeBit(c.crcCheckSum !== undefined);
  if (c.crcCheckSum !== undefined) w.writeBits(c.crcCheckSum, 8);
}
