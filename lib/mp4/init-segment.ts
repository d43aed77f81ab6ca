/**
 * The initialization segment: `ftyp` + `moov` declaring every track with an empty sample table
 * (the samples come in `moof` fragments) and `mvex/trex` announcing those fragments.
 */
import { BoxWriter, fourcc } from './box-writer.js';
import { Mp4MuxError } from './errors.js';
import { writeAvc1Entry } from './avc-entry.js';
import { writeMp4aEntry, writeOpusEntry, checkOpusTrack } from './audio-entries.js';
import { aacFrameSamples, parseAudioSpecificConfig, type AudioSpecificConfig } from '../audio/audio-specific-config.js';
import { AudioConfigError } from '../audio/errors.js';
import { OPUS_PACKET_SAMPLES, OPUS_TIMESCALE, VIDEO_TIMESCALE, type Mp4AacTrack, type Mp4OpusTrack } from './tracks.js';
import { parseSps } from '../h264/sps.js';
import { H264Error } from '../h264/errors.js';

const B = {
  ftyp: fourcc('ftyp'), iso5: fourcc('iso5'), iso6: fourcc('iso6'), mp41: fourcc('mp41'),
  moov: fourcc('moov'), mvhd: fourcc('mvhd'), trak: fourcc('trak'), tkhd: fourcc('tkhd'),
  mdia: fourcc('mdia'), mdhd: fourcc('mdhd'), hdlr: fourcc('hdlr'), minf: fourcc('minf'),
  vmhd: fourcc('vmhd'), smhd: fourcc('smhd'), dinf: fourcc('dinf'), dref: fourcc('dref'),
  url: fourcc('url '), stbl: fourcc('stbl'), stsd: fourcc('stsd'), stts: fourcc('stts'),
  stsc: fourcc('stsc'), stsz: fourcc('stsz'), stco: fourcc('stco'), mvex: fourcc('mvex'),
  trex: fourcc('trex'), vide: fourcc('vide'), soun: fourcc('soun'),
};

/** What the init segment says of one track. */
export interface TrackHeader {
  id: number;
  kind: 'video' | 'audio';
  timescale: number;
  /** Picture size in pixels (0 for audio). */
  width: number;
  height: number;
  /** Upper bound of the sample entry's bytes. */
  entryBound: number;
  writeEntry(w: BoxWriter): void;
}

export interface AudioTrackHeader extends TrackHeader {
  /** Ticks of one frame (AAC: 1024 samples; Opus: a 20 ms packet), for a duration nothing else tells. */
  frameDuration: number;
}

/** A 16-bit length field bounds every parameter set in avcC. Throws MP4_BAD_SPS. */
export function h264TrackHeader(id: number, sps: Uint8Array, pps: Uint8Array): TrackHeader {
  if (sps.length > 0xffff || pps.length > 0xffff || pps.length === 0) {
    throw new Mp4MuxError('MP4_BAD_SPS', `parameter sets of ${sps.length} and ${pps.length} bytes do not fit avcC`);
  }
  let info;
  try {
    info = parseSps(sps);
  } catch (err) {
    if (err instanceof H264Error) throw new Mp4MuxError('MP4_BAD_SPS', err.message);
    throw err;
  }
  if (info.width > 0xffff || info.height > 0xffff) throw new Mp4MuxError('MP4_BAD_SPS', `a ${info.width}x${info.height} picture does not fit the sample entry`);
  return {
    id, kind: 'video', timescale: VIDEO_TIMESCALE, width: info.width, height: info.height,
    entryBound: 128 + sps.length + pps.length,
    writeEntry: (w) => writeAvc1Entry(w, sps, pps, info),
  };
}

/** lib/audio's parser, its typed error carried over as the muxer's own. */
function aacConfig(asc: Uint8Array): AudioSpecificConfig {
  try {
    return parseAudioSpecificConfig(asc);
  } catch (e) {
    if (e instanceof AudioConfigError) throw new Mp4MuxError('MP4_BAD_AUDIO_CONFIG', e.message);
    throw e;
  }
}

/** Throws MP4_BAD_AUDIO_CONFIG. */
export function aacTrackHeader(id: number, track: Mp4AacTrack): AudioTrackHeader {
  const info = aacConfig(track.audioSpecificConfig);
  const timescale = track.clockRate ?? info.sampleRate;
  if (!Number.isInteger(timescale) || timescale < 1 || timescale > 0xffffffff) {
    throw new Mp4MuxError('MP4_BAD_AUDIO_CONFIG', `clock rate ${timescale} is not a positive 32-bit integer`);
  }
  return {
    id, kind: 'audio', timescale, width: 0, height: 0, frameDuration: (aacFrameSamples(info) * timescale) / info.sampleRate,
    entryBound: 128 + track.audioSpecificConfig.length,
    writeEntry: (w) => writeMp4aEntry(w, track, info, id),
  };
}

/** Throws MP4_BAD_AUDIO_CONFIG. */
export function opusTrackHeader(id: number, track: Mp4OpusTrack): AudioTrackHeader {
  checkOpusTrack(track);
  return {
    id, kind: 'audio', timescale: OPUS_TIMESCALE, width: 0, height: 0, frameDuration: OPUS_PACKET_SAMPLES,
    entryBound: 128 + track.channelCount,
    writeEntry: (w) => writeOpusEntry(w, track),
  };
}

/** Bytes of everything but the sample entries, per track and once: generous, the result is trimmed. */
const FIXED_BOUND = 256;
const TRACK_BOUND = 512;

export function buildInitSegment(tracks: readonly TrackHeader[]): Uint8Array {
  let bound = FIXED_BOUND;
  for (const t of tracks) bound += TRACK_BOUND + t.entryBound;
  const w = new BoxWriter(new Uint8Array(bound));
  const ftyp = w.begin(B.ftyp);
  w.u32(B.iso5); // major brand: fragments with default-base-is-moof
  w.u32(512); // minor version
  w.u32(B.iso5); w.u32(B.iso6); w.u32(B.mp41);
  w.end(ftyp);
  const moov = w.begin(B.moov);
  writeMvhd(w, tracks.length + 1);
  for (const t of tracks) writeTrak(w, t);
  const mvex = w.begin(B.mvex);
  for (const t of tracks) {
    const trex = w.beginFull(B.trex, 0, 0);
    w.u32(t.id);
    w.u32(1); // default_sample_description_index
    w.u32(0); // default_sample_duration
    w.u32(0); // default_sample_size
    w.u32(0); // default_sample_flags: every trun carries its own
    w.end(trex);
  }
  w.end(mvex);
  w.end(moov);
  return w.buf.slice(0, w.pos);
}

function writeMvhd(w: BoxWriter, nextTrackId: number): void {
  const mvhd = w.beginFull(B.mvhd, 0, 0);
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(1000); // timescale
  w.u32(0); // duration: unknown, the fragments say
  w.u32(0x0001_0000); // rate 1.0
  w.u16(0x0100); // volume 1.0
  w.zeros(10); // reserved
  w.unityMatrix();
  w.zeros(24); // pre_defined
  w.u32(nextTrackId);
  w.end(mvhd);
}

function writeTrak(w: BoxWriter, t: TrackHeader): void {
  const video = t.kind === 'video';
  const trak = w.begin(B.trak);
  const tkhd = w.beginFull(B.tkhd, 0, 0x000003); // track_enabled | track_in_movie
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(t.id);
  w.u32(0); // reserved
  w.u32(0); // duration
  w.zeros(8); // reserved
  w.u16(0); // layer
  w.u16(0); // alternate_group
  w.u16(video ? 0 : 0x0100); // volume
  w.u16(0); // reserved
  w.unityMatrix();
  w.u32(t.width * 0x1_0000);
  w.u32(t.height * 0x1_0000);
  w.end(tkhd);
  const mdia = w.begin(B.mdia);
  const mdhd = w.beginFull(B.mdhd, 0, 0);
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(t.timescale);
  w.u32(0); // duration
  w.u16(0x55c4); // language 'und' (packed ISO-639-2/T)
  w.u16(0); // pre_defined
  w.end(mdhd);
  const hdlr = w.beginFull(B.hdlr, 0, 0);
  w.u32(0); // pre_defined
  w.u32(video ? B.vide : B.soun);
  w.zeros(12); // reserved
  w.bytes(video ? VIDEO_HANDLER_NAME : SOUND_HANDLER_NAME);
  w.end(hdlr);
  const minf = w.begin(B.minf);
  if (video) {
    const vmhd = w.beginFull(B.vmhd, 0, 1);
    w.zeros(8); // graphicsmode, opcolor
    w.end(vmhd);
  } else {
    const smhd = w.beginFull(B.smhd, 0, 0);
    w.zeros(4); // balance, reserved
    w.end(smhd);
  }
  const dinf = w.begin(B.dinf);
  const dref = w.beginFull(B.dref, 0, 0);
  w.u32(1); // entry_count
  const url = w.beginFull(B.url, 0, 1); // self-contained: the media is in this file
  w.end(url);
  w.end(dref);
  w.end(dinf);
  const stbl = w.begin(B.stbl);
  const stsd = w.beginFull(B.stsd, 0, 0);
  w.u32(1); // entry_count
  t.writeEntry(w);
  w.end(stsd);
  emptyTable(w, B.stts);
  emptyTable(w, B.stsc);
  const stsz = w.beginFull(B.stsz, 0, 0);
  w.u32(0); // sample_size
  w.u32(0); // sample_count
  w.end(stsz);
  emptyTable(w, B.stco);
  w.end(stbl);
  w.end(minf);
  w.end(mdia);
  w.end(trak);
}

function emptyTable(w: BoxWriter, type: number): void {
  const box = w.beginFull(type, 0, 0);
  w.u32(0); // entry_count
  w.end(box);
}

const VIDEO_HANDLER_NAME = new TextEncoder().encode('VideoHandler\0');
const SOUND_HANDLER_NAME = new TextEncoder().encode('SoundHandler\0');
