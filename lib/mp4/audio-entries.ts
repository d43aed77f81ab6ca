/**
 * Audio sample entries: `mp4a` with an `esds` (ISO/IEC 14496-14) for AAC, `Opus` with a
 * `dOps` ("Encapsulation of Opus in ISO Base Media File Format").
 */
import { BoxWriter, fourcc } from './box-writer.js';
import { Mp4MuxError } from './errors.js';
import { MP4_DEFAULTS } from './options.js';
import type { Mp4AacTrack, Mp4OpusTrack } from './tracks.js';
import type { AudioSpecificConfig } from '../audio/audio-specific-config.js';

const MP4A = fourcc('mp4a');
const ESDS = fourcc('esds');
const OPUS = fourcc('Opus');
const DOPS = fourcc('dOps');

/** channelcount of the sample entry: informative for AAC (the decoder reads the config); 2 when a PCE decides. */
function aacChannelCount(config: number): number {
  return [2, 1, 2, 3, 4, 5, 6, 8, 2, 2, 2, 3, 8, 24, 8][config] ?? 2;
}

/** Fields of SampleEntry + AudioSampleEntry (14496-12 12.2.3) up to and including samplerate. */
function audioSampleEntryHead(w: BoxWriter, channelCount: number, sampleRate: number): void {
  w.zeros(6); // reserved
  w.u16(1); // data_reference_index
  w.zeros(8); // reserved
  w.u16(channelCount);
  w.u16(16); // samplesize
  w.zeros(4); // pre_defined, reserved
  // 16.16 fixed point: a rate above 65535 does not fit, and the decoder configuration carries it anyway
  w.u32(sampleRate <= 0xffff ? sampleRate * 0x1_0000 : 0);
}

/** An MPEG-4 descriptor tag with its length in the 4-byte form (14496-1 8.3.3), as muxers commonly write it. */
function descriptor(w: BoxWriter, tag: number, length: number): void {
  w.u8(tag);
  w.u8(0x80 | ((length >>> 21) & 0x7f));
  w.u8(0x80 | ((length >>> 14) & 0x7f));
  w.u8(0x80 | ((length >>> 7) & 0x7f));
  w.u8(length & 0x7f);
}

export function writeMp4aEntry(w: BoxWriter, track: Mp4AacTrack, info: AudioSpecificConfig, trackId: number): void {
  const asc = track.audioSpecificConfig;
  const entry = w.begin(MP4A);
  audioSampleEntryHead(w, aacChannelCount(info.channelConfiguration), info.sampleRate);
  const esds = w.beginFull(ESDS, 0, 0);
  const decoderSpecific = 5 + asc.length;
  const decoderConfig = 13 + decoderSpecific;
  descriptor(w, 0x03, 3 + 5 + decoderConfig + 5 + 1); // ES_Descriptor
  w.u16(trackId); // ES_ID
  w.u8(0); // no dependency, URL or OCR stream
  descriptor(w, 0x04, decoderConfig); // DecoderConfigDescriptor
  w.u8(0x40); // objectTypeIndication: Audio ISO/IEC 14496-3
  w.u8((0x05 << 2) | 1); // streamType audio, upStream 0, reserved 1
  w.u24(0); // bufferSizeDB
  w.u32(0); // maxBitrate
  w.u32(0); // avgBitrate: unknown (variable)
  descriptor(w, 0x05, asc.length); // DecoderSpecificInfo
  w.bytes(asc);
  descriptor(w, 0x06, 1); // SLConfigDescriptor
  w.u8(0x02); // predefined: MP4 file
  w.end(esds);
  w.end(entry);
}

/** Checks an Opus track's setup. Throws MP4_BAD_AUDIO_CONFIG. */
export function checkOpusTrack(track: Mp4OpusTrack): void {
  const { channelCount, mapping } = track;
  if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > 255) {
    throw new Mp4MuxError('MP4_BAD_AUDIO_CONFIG', `Opus channel count ${channelCount} is not 1..255`);
  }
  if (!mapping) {
    if (channelCount > 2) throw new Mp4MuxError('MP4_BAD_AUDIO_CONFIG', `${channelCount} Opus channels need a channel mapping`);
  } else if (mapping.family === 0 || mapping.channelMapping.length !== channelCount || mapping.coupledCount > mapping.streamCount
    || mapping.streamCount + mapping.coupledCount > 255) {
    throw new Mp4MuxError('MP4_BAD_AUDIO_CONFIG', 'Opus channel mapping does not fit its channel count');
  }
  const preSkip = track.preSkip ?? 0;
  const gain = track.outputGain ?? 0;
  const rate = track.inputSampleRate ?? 0;
  if (!isInt(preSkip, 0, 0xffff) || !isInt(gain, -0x8000, 0x7fff) || !isInt(rate, 0, 0xffffffff)) {
    throw new Mp4MuxError('MP4_BAD_AUDIO_CONFIG', 'Opus pre-skip, output gain or input sample rate out of range');
  }
}

function isInt(v: number, min: number, max: number): boolean {
  return Number.isInteger(v) && v >= min && v <= max;
}

export function writeOpusEntry(w: BoxWriter, track: Mp4OpusTrack): void {
  const entry = w.begin(OPUS);
  audioSampleEntryHead(w, track.channelCount, 48_000);
  const dops = w.begin(DOPS);
  w.u8(0); // Version
  w.u8(track.channelCount);
  w.u16(track.preSkip ?? MP4_DEFAULTS.opusPreSkip);
  w.u32(track.inputSampleRate ?? MP4_DEFAULTS.opusInputSampleRate);
  w.u16((track.outputGain ?? 0) & 0xffff);
  const mapping = track.mapping;
  w.u8(mapping ? mapping.family : 0);
  if (mapping) {
    w.u8(mapping.streamCount);
    w.u8(mapping.coupledCount);
    w.bytes(mapping.channelMapping);
  }
  w.end(dops);
  w.end(entry);
}
