/**
 * From an SDP audio format (lib/sdp's TrackFormat: rtpmap + fmtp) to what camwire needs to
 * depacketize it: codec, RTP clock, sampling rate, channels, and for AAC the AU-header layout
 * and the parsed AudioSpecificConfig / StreamMuxConfig. Lives beside the audio payload formats,
 * not in lib/sdp, because it parses their configs and lib/sdp must not import codec layers.
 *
 * Camera quirks handled (corpus QUIRKS.md H): mixed-case keys (`SizeLength`, Ubiquiti),
 * trailing `;` and stray keys (`profile=1;`, Reolink), MPEG4-GENERIC on static payload type 0
 * with only `config=` (Anpviz), rtpmap channels contradicting the config (the config wins).
 */
import type { TrackFormat, SdpTrack } from '../sdp/tracks.js';
import { AAC_HBR_LAYOUT, AAC_LBR_LAYOUT, EMPTY_LAYOUT, type AuHeaderLayout } from './au-headers.js';
import { aacFrameSamples, aacFrameTicks, aacOutputSampleRate, parseAudioSpecificConfig, type AudioSpecificConfig } from './audio-specific-config.js';
import { AudioConfigError, AudioFormatError } from './errors.js';
import { parseStreamMuxConfig, type StreamMuxConfig } from './stream-mux-config.js';

export type AudioCodec = 'aac-hbr' | 'aac-lbr' | 'aac-generic' | 'aac-latm' | 'pcmu' | 'pcma' | 'g722' | 'opus' | 'l16';

export interface Mpeg4GenericFormat {
  /** As announced; `AAC-hbr` also when no mode and no lengths were given (see modeAssumed). */
  mode: 'AAC-hbr' | 'AAC-lbr' | 'generic';
  /** No mode and no AU-header lengths in the fmtp: AAC-hbr assumed (Anpviz, a Hikvision OEM; Hikvision's own SDPs say AAC-hbr 13/3/3). */
  modeAssumed: boolean;
  layout: AuHeaderLayout;
  /** `config=` as sent (hex) and parsed. */
  configHex: string;
  audioSpecificConfig: AudioSpecificConfig;
  /** `constantduration=`, ticks per AU, when given. */
  constantDuration?: number;
  /** One AU's duration in RTP ticks: constantDuration, else 1024 (960) core samples on the RTP clock. */
  frameTicks: number;
}

export interface LatmFormat {
  /** cpresent (RFC 6416 default 1): StreamMuxConfig carried in band. */
  muxConfigPresent: boolean;
  configHex?: string;
  streamMuxConfig?: StreamMuxConfig;
}

export interface OpusFormat {
  /** `sprop-stereo=1`: the sender may send stereo. */
  spropStereo: boolean;
  /** `useinbandfec=1` */
  inbandFec: boolean;
  /** `usedtx=1` */
  dtx: boolean;
}

export interface AudioTrackDescription {
  payloadType: number;
  codec: AudioCodec;
  /** RTP clock rate; G.722 keeps 8000 for 16 kHz audio (RFC 3551 4.5.2). */
  clockRate: number;
  /** Audio sampling rate: the AAC decoder's output rate from its config, 16000 for G.722, 48000 for Opus. */
  sampleRate: number;
  channels: number;
  mpeg4Generic?: Mpeg4GenericFormat;
  latm?: LatmFormat;
  opus?: OpusFormat;
}

export type AudioFormatInput = Pick<TrackFormat, 'payloadType' | 'codec' | 'clockRate' | 'channels' | 'fmtp'>;

function err(code: AudioFormatError['code'], message: string): AudioFormatError {
  return new AudioFormatError(code, message);
}

/** Unsigned decimal fmtp parameter in 0..max, or undefined when absent. */
function numberParam(fmtp: ReadonlyMap<string, string>, key: string, max: number): number | undefined {
  const v = fmtp.get(key);
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) > max) throw err('AUDIO_BAD_PARAMETER', `${key}=${v} is not a number in 0..${max}`);
  return Number(t);
}

function hexParam(fmtp: ReadonlyMap<string, string>): { hex: string; bytes: Uint8Array } | undefined {
  const v = fmtp.get('config');
  if (v === undefined) return undefined;
  const hex = v.trim();
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) throw err('AUDIO_BAD_CONFIG', `config=${v} is not hex bytes`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { hex: hex.toLowerCase(), bytes };
}

function badConfig(e: unknown, what: string): never {
  if (e instanceof AudioConfigError) throw err('AUDIO_BAD_CONFIG', `${what}: ${e.code}: ${e.message}`);
  throw e;
}

const MAX_FIELD_BITS = 32;

function layoutOf(fmtp: ReadonlyMap<string, string>, base: Readonly<AuHeaderLayout>): AuHeaderLayout {
  const n = (key: string, fallback: number) => numberParam(fmtp, key, MAX_FIELD_BITS) ?? fallback;
  return {
    sizeLength: n('sizelength', base.sizeLength),
    indexLength: n('indexlength', base.indexLength),
    indexDeltaLength: n('indexdeltalength', base.indexDeltaLength),
    ctsDeltaLength: n('ctsdeltalength', 0),
    dtsDeltaLength: n('dtsdeltalength', 0),
    randomAccessIndication: numberParam(fmtp, 'randomaccessindication', 1) === 1,
    streamStateIndication: n('streamstateindication', 0),
    auxiliaryDataSizeLength: n('auxiliarydatasizelength', 0),
  };
}

function mpeg4Generic(f: AudioFormatInput, clockRate: number): AudioTrackDescription {
  const fmtp = f.fmtp;
  const streamType = numberParam(fmtp, 'streamtype', 255);
  if (streamType !== undefined && streamType !== 5) throw err('AUDIO_UNSUPPORTED_CODEC', `mpeg4-generic streamtype ${streamType} is not audio`);
  const modeText = fmtp.get('mode')?.trim().toLowerCase();
  const lengthsGiven = fmtp.has('sizelength') || fmtp.has('indexlength') || fmtp.has('indexdeltalength');
  let mode: Mpeg4GenericFormat['mode'];
  if (modeText === 'aac-hbr' || (modeText === undefined && !lengthsGiven)) mode = 'AAC-hbr';
  else if (modeText === 'aac-lbr') mode = 'AAC-lbr';
  else if (modeText === 'generic' || modeText === undefined) mode = 'generic';
  else throw err('AUDIO_UNSUPPORTED_CODEC', `mpeg4-generic mode=${fmtp.get('mode')} is not AAC`);
  const config = hexParam(fmtp);
  if (!config) throw err('AUDIO_MISSING_CONFIG', 'mpeg4-generic without config=: the AudioSpecificConfig is needed to decode');
  let asc: AudioSpecificConfig;
  try {
    asc = parseAudioSpecificConfig(config.bytes);
  } catch (e) {
    badConfig(e, 'AudioSpecificConfig');
  }
  const constantDuration = numberParam(fmtp, 'constantduration', 0xffffff);
  if (constantDuration === 0) throw err('AUDIO_BAD_PARAMETER', 'constantduration=0');
  // AAC-hbr and -lbr fix their lengths (RFC 3640 3.3.5-6); cameras that leave them out mean those
  const base = mode === 'AAC-lbr' ? AAC_LBR_LAYOUT : mode === 'AAC-hbr' ? AAC_HBR_LAYOUT : EMPTY_LAYOUT;
  const frameTicks = constantDuration ?? aacFrameTicks(asc, clockRate);
  // a clock so slow that a frame rounds to no tick cannot stamp frames apart
  if (frameTicks < 1) throw err('AUDIO_BAD_CLOCK_RATE', `a ${aacFrameSamples(asc)}-sample frame at ${asc.sampleRate} Hz is no tick of a ${clockRate} Hz clock`);
  const format: Mpeg4GenericFormat = {
    mode,
    modeAssumed: modeText === undefined && mode === 'AAC-hbr',
    layout: layoutOf(fmtp, base),
    configHex: config.hex,
    audioSpecificConfig: asc,
    frameTicks,
  };
  if (constantDuration !== undefined) format.constantDuration = constantDuration;
  const codec: AudioCodec = mode === 'AAC-hbr' ? 'aac-hbr' : mode === 'AAC-lbr' ? 'aac-lbr' : 'aac-generic';
  return { payloadType: f.payloadType, codec, clockRate, sampleRate: aacOutputSampleRate(asc), channels: aacChannels(asc), mpeg4Generic: format };
}

/** PS turns a mono core into stereo output. */
function aacChannels(asc: AudioSpecificConfig): number {
  return asc.sbrPs?.psPresent ? 2 : asc.channels;
}

function latm(f: AudioFormatInput, clockRate: number): AudioTrackDescription {
  const cpresent = numberParam(f.fmtp, 'cpresent', 1);
  const format: LatmFormat = { muxConfigPresent: cpresent !== 0 };
  const config = hexParam(f.fmtp);
  if (config) {
    format.configHex = config.hex;
    try {
      format.streamMuxConfig = parseStreamMuxConfig(config.bytes);
    } catch (e) {
      badConfig(e, 'StreamMuxConfig');
    }
  } else if (!format.muxConfigPresent) {
    throw err('AUDIO_MISSING_CONFIG', 'MP4A-LATM with cpresent=0 and no config=: the StreamMuxConfig is nowhere');
  }
  const asc = format.streamMuxConfig?.audioSpecificConfig;
  if (asc && aacFrameTicks(asc, clockRate) < 1) throw err('AUDIO_BAD_CLOCK_RATE', `a frame at ${asc.sampleRate} Hz is no tick of a ${clockRate} Hz clock`);
  return {
    payloadType: f.payloadType,
    codec: 'aac-latm',
    clockRate,
    sampleRate: asc ? aacOutputSampleRate(asc) : clockRate,
    channels: asc ? aacChannels(asc) : f.channels ?? 1,
    latm: format,
  };
}

const flag = (fmtp: ReadonlyMap<string, string>, key: string) => fmtp.get(key)?.trim() === '1';

/** The description of one format. Throws AudioFormatError (stable codes) for what camwire cannot depacketize. */
export function describeAudioFormat(f: AudioFormatInput): AudioTrackDescription {
  const name = f.codec?.toLowerCase();
  if (name === undefined) throw err('AUDIO_UNSUPPORTED_CODEC', `payload type ${f.payloadType} has no rtpmap`);
  const clockRate = f.clockRate ?? 0;
  if (!Number.isInteger(clockRate) || clockRate <= 0) throw err('AUDIO_BAD_CLOCK_RATE', `${f.codec}: clock rate ${f.clockRate}`);
  const base = { payloadType: f.payloadType, clockRate };
  switch (name) {
    case 'mpeg4-generic': return mpeg4Generic(f, clockRate);
    case 'mp4a-latm': return latm(f, clockRate);
    case 'pcmu': return { ...base, codec: 'pcmu', sampleRate: clockRate, channels: f.channels ?? 1 };
    case 'pcma': return { ...base, codec: 'pcma', sampleRate: clockRate, channels: f.channels ?? 1 };
    case 'g722': return { ...base, codec: 'g722', sampleRate: 16000, channels: f.channels ?? 1 };
    case 'l16': return { ...base, codec: 'l16', sampleRate: clockRate, channels: f.channels ?? 1 };
    case 'opus': return {
      ...base, codec: 'opus', sampleRate: 48000, channels: f.channels ?? 2,
      opus: { spropStereo: flag(f.fmtp, 'sprop-stereo'), inbandFec: flag(f.fmtp, 'useinbandfec'), dtx: flag(f.fmtp, 'usedtx') },
    };
    default: throw err('AUDIO_UNSUPPORTED_CODEC', `${f.codec} is not a format camwire depacketizes`);
  }
}

/** The first of a track's formats camwire can use (the camera's order); throws the first format's error when none. */
export function chooseAudioFormat(track: Pick<SdpTrack, 'formats'>): AudioTrackDescription {
  let first: unknown;
  for (const f of track.formats) {
    try {
      return describeAudioFormat(f);
    } catch (e) {
      if (!(e instanceof AudioFormatError)) throw e;
      first ??= e;
    }
  }
  throw first ?? err('AUDIO_UNSUPPORTED_CODEC', 'the track has no payload format');
}
