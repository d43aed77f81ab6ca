/**
 * ADTS (ISO/IEC 13818-7 6.2, 14496-3 1.A.2): the 7-byte header that makes raw AAC access
 * units a playable `.aac` stream (what FFmpeg reads), and the reader that finds ADTS headers
 * some cameras leave inside RTP access units.
 */
import { AAC_SAMPLING_FREQUENCIES, EXPLICIT_FREQUENCY_INDEX, type AudioSpecificConfig } from './audio-specific-config.js';
import { AudioPayloadError } from './errors.js';

/** Header bytes without CRC (protection_absent = 1), which is what the writer makes. */
export const ADTS_HEADER_SIZE = 7;
/** aac_frame_length is 13 bits and counts the header. */
export const ADTS_MAX_FRAME_LENGTH = 8191;

export interface AdtsHeader {
  /** ID bit: 1 = MPEG-2 AAC, 0 = MPEG-4. */
  mpeg2: boolean;
  /** profile_ObjectType + 1 (1 Main, 2 LC, 3 SSR, 4 LTP). */
  objectType: number;
  samplingFrequencyIndex: number;
  channelConfiguration: number;
  /** Header plus payload bytes. */
  frameLength: number;
  /** 7, or 9 with the CRC. */
  headerLength: number;
  bufferFullness: number;
  /** number_of_raw_data_blocks_in_frame + 1 */
  rawDataBlocks: number;
}

function unrepresentable(message: string): AudioPayloadError {
  return new AudioPayloadError('AUDIO_ADTS_UNREPRESENTABLE', message);
}

/** ADTS has no explicit frequency: an explicit one that is a table value still fits. */
function frequencyIndex(c: AudioSpecificConfig): number {
  if (c.samplingFrequencyIndex !== EXPLICIT_FREQUENCY_INDEX) return c.samplingFrequencyIndex;
  const i = AAC_SAMPLING_FREQUENCIES.indexOf(c.sampleRate);
  if (i < 0) throw unrepresentable(`${c.sampleRate} Hz is not in the ADTS frequency table`);
  return i;
}

/**
 * Writes the 7-byte header for an access unit of `auLength` bytes into `out` at `offset`.
 * HE-AAC is written as its core (LC at the core rate): decoders find the SBR data implicitly.
 */
export function writeAdtsHeader(c: AudioSpecificConfig, auLength: number, out: Uint8Array, offset = 0): void {
  if (c.objectType < 1 || c.objectType > 4) throw unrepresentable(`object type ${c.objectType} has no ADTS profile`);
  if (c.channelConfiguration < 1 || c.channelConfiguration > 7) throw unrepresentable(`channel configuration ${c.channelConfiguration}`);
  const frameLength = ADTS_HEADER_SIZE + auLength;
  if (!Number.isInteger(auLength) || auLength < 0 || frameLength > ADTS_MAX_FRAME_LENGTH) throw unrepresentable(`access unit of ${auLength} bytes`);
  if (out.length - offset < ADTS_HEADER_SIZE) throw unrepresentable(`no room for the header at ${offset} in ${out.length} bytes`);
  const sfi = frequencyIndex(c);
  out[offset] = 0xff;
  out[offset + 1] = 0xf1; // MPEG-4, layer 0, no CRC
  out[offset + 2] = ((c.objectType - 1) << 6) | (sfi << 2) | (c.channelConfiguration >> 2);
  out[offset + 3] = ((c.channelConfiguration & 3) << 6) | (frameLength >> 11);
  out[offset + 4] = (frameLength >> 3) & 0xff;
  // buffer fullness 0x7ff: variable bit rate
  out[offset + 5] = ((frameLength & 7) << 5) | 0x1f;
  out[offset + 6] = 0xfc; // one raw data block
}

/** A new buffer holding the header and `au`. */
export function adtsFrame(c: AudioSpecificConfig, au: Uint8Array): Uint8Array {
  const out = new Uint8Array(ADTS_HEADER_SIZE + au.length);
  writeAdtsHeader(c, au.length, out);
  out.set(au, ADTS_HEADER_SIZE);
  return out;
}

function badHeader(message: string): AudioPayloadError {
  return new AudioPayloadError('AUDIO_ADTS_BAD_HEADER', message);
}

export function parseAdtsHeader(buf: Uint8Array, offset = 0): AdtsHeader {
  if (buf.length - offset < ADTS_HEADER_SIZE) throw badHeader(`${buf.length - offset} bytes, an ADTS header needs 7`);
  const b1 = buf[offset + 1];
  if (buf[offset] !== 0xff || (b1 & 0xf0) !== 0xf0) throw badHeader('no ADTS sync word');
  if ((b1 & 0x06) !== 0) throw badHeader('ADTS layer is not 0');
  const headerLength = b1 & 1 ? ADTS_HEADER_SIZE : ADTS_HEADER_SIZE + 2;
  const b2 = buf[offset + 2];
  const b3 = buf[offset + 3];
  const frameLength = ((b3 & 3) << 11) | (buf[offset + 4] << 3) | (buf[offset + 5] >> 5);
  if (frameLength < headerLength) throw badHeader(`frame length ${frameLength} shorter than its header`);
  return {
    mpeg2: (b1 & 0x08) !== 0,
    objectType: (b2 >> 6) + 1,
    samplingFrequencyIndex: (b2 >> 2) & 0x0f,
    channelConfiguration: ((b2 & 1) << 2) | (b3 >> 6),
    frameLength,
    headerLength,
    bufferFullness: ((buf[offset + 5] & 0x1f) << 6) | (buf[offset + 6] >> 2),
    rawDataBlocks: (buf[offset + 6] & 3) + 1,
  };
}

/**
 * Header bytes to strip when `au` is exactly one ADTS frame of one raw data block (cameras that
 * put ADTS inside RFC 3640, gortsplib decoder_generic.go); 0 for a raw access unit. A raw AAC
 * unit never starts with 0xFFF: that would be an END element first.
 */
export function adtsWrappedHeaderLength(au: Uint8Array): number {
  if (au.length < ADTS_HEADER_SIZE || au[0] !== 0xff || (au[1] & 0xf6) !== 0xf0) return 0;
  const headerLength = au[1] & 1 ? ADTS_HEADER_SIZE : ADTS_HEADER_SIZE + 2;
  const frameLength = ((au[3] & 3) << 11) | (au[4] << 3) | (au[5] >> 5);
  const oneBlock = (au[6] & 3) === 0;
  return frameLength === au.length && frameLength > headerLength && oneBlock ? headerLength : 0;
}
