/**
 * Fragmented MP4 from depacketized media: an init segment for the tracks, then one fragment
 * (moof + mdat) per access unit or small group, per track. Pure: no I/O, no timers.
 *
 * A sample's duration is the distance to the next sample's decode time, so each sample is held
 * until its successor arrives: a push returns the fragment that the new sample closed (one frame
 * of latency at `samplesPerFragment` 1), and `flush` hands out the last one at the end.
 */
import { VIDEO_TIMESCALE, type Mp4H264Track, type Mp4Track } from './tracks.js';
import { MP4_DEFAULTS, MP4_MAX_SAMPLES_PER_FRAGMENT, type Mp4MuxerOptions } from './options.js';
import { Mp4MuxError } from './errors.js';
import { DecodeTimeline } from './timeline.js';
import { FragmentStage, avccSize, fragmentSize } from './fragment.js';
import { aacTrackHeader, buildInitSegment, h264TrackHeader, opusTrackHeader, type AudioTrackHeader } from './init-segment.js';
import { ParameterSets } from '../h264/parameter-sets.js';
import { NalType, isVcl } from '../h264/nal.js';

/** What the muxer needs of an access unit: lib/h264's AccessUnit is one. */
export interface Mp4VideoSample {
  /** NAL units without start codes; views may be transient (they are copied at once). */
  readonly nalus: readonly Uint8Array[];
  /** RTP timestamp (90 kHz). */
  readonly timestamp: number;
  /** An IDR slice is present. */
  readonly keyframe: boolean;
}

export interface Mp4MuxerStats {
  fragments: number;
  samples: number;
  /** Bytes of the fragments handed out. */
  bytes: number;
  /** Video units before the track's first keyframe: nothing could decode them. */
  samplesBeforeKeyframe: number;
  /** Video units holding no coded slice (parameter sets alone): learnt from, not stored. */
  unitsWithoutPicture: number;
  /** Decode timelines rebased (camera restart, timestamp jump or step back). */
  timelineRebases: number;
}

interface VideoState {
  /** The parameter sets seen last (in-band or configured). */
  incoming: ParameterSets;
  /** Those the init segment describes: replaced at the picture after a change. */
  sps: Uint8Array | undefined;
  pps: Uint8Array | undefined;
  started: boolean;
}

interface TrackState {
  id: number;
  kind: 'video' | 'audio';
  timeline: DecodeTimeline;
  stage: FragmentStage;
  lastDecodeTime: number;
  video: VideoState | undefined;
  /** Audio: built (and checked) at construction. */
  header: AudioTrackHeader | undefined;
}

export class Mp4Muxer {
  readonly stats: Mp4MuxerStats = { fragments: 0, samples: 0, bytes: 0, samplesBeforeKeyframe: 0, unitsWithoutPicture: 0, timelineRebases: 0 };
  /**
   * Changes whenever what initSegment() returns changes (a video track's SPS or PPS learnt or
   * replaced in-band). A consumer sends the fragment a push returned first, then, when this
   * changed, a new init segment: that fragment still belongs to the old one.
   */
  initVersion = 0;
  private readonly tracks: TrackState[];
  private readonly maxFragmentBytes: number;
  private sequenceNumber = 0;

  /** Tracks are addressed by their index in `tracks`; their MP4 track IDs are index + 1. Throws MP4_BAD_OPTION, MP4_BAD_AUDIO_CONFIG. */
  constructor(tracks: readonly Mp4Track[], options: Mp4MuxerOptions = {}) {
    const maxFragmentBytes = options.maxFragmentBytes ?? MP4_DEFAULTS.maxFragmentBytes;
    const perFragment = options.samplesPerFragment ?? MP4_DEFAULTS.samplesPerFragment;
    const jumpMs = options.timestampJumpMs ?? MP4_DEFAULTS.timestampJumpMs;
    const frameRate = options.fallbackFrameRate ?? MP4_DEFAULTS.fallbackFrameRate;
    if (!Number.isInteger(maxFragmentBytes) || maxFragmentBytes < 4096 || maxFragmentBytes > 0x8000_0000) {
      throw new Mp4MuxError('MP4_BAD_OPTION', `maxFragmentBytes ${maxFragmentBytes} is not an integer in 4096..2^31`);
    }
    if (!Number.isInteger(perFragment) || perFragment < 1 || perFragment > MP4_MAX_SAMPLES_PER_FRAGMENT) {
      throw new Mp4MuxError('MP4_BAD_OPTION', `samplesPerFragment ${perFragment} is not an integer in 1..${MP4_MAX_SAMPLES_PER_FRAGMENT}`);
    }
    if (!(jumpMs > 0 && jumpMs <= 3_600_000)) throw new Mp4MuxError('MP4_BAD_OPTION', `timestampJumpMs ${jumpMs} is not in (0, 3600000]`);
    if (!(frameRate >= 1 && frameRate <= 1000)) throw new Mp4MuxError('MP4_BAD_OPTION', `fallbackFrameRate ${frameRate} is not in [1, 1000]`);
    if (tracks.length === 0) throw new Mp4MuxError('MP4_BAD_OPTION', 'a muxer needs at least one track');
    this.maxFragmentBytes = maxFragmentBytes;
    const stageBytes = maxFragmentBytes - fragmentSize(1, 0);
    this.tracks = tracks.map((track, index) => {
      const id = index + 1;
      const header = track.kind === 'video' ? undefined : track.codec === 'aac' ? aacTrackHeader(id, track) : opusTrackHeader(id, track);
      const timescale = header ? header.timescale : VIDEO_TIMESCALE;
      const frameDuration = header ? header.frameDuration : VIDEO_TIMESCALE / frameRate;
      return {
        id, kind: track.kind, header, lastDecodeTime: 0,
        timeline: new DecodeTimeline(Math.min(0x7fff_ffff, Math.round((jumpMs * timescale) / 1000)), Math.max(1, Math.round(frameDuration))),
        stage: new FragmentStage(perFragment, stageBytes),
        video: track.kind === 'video' ? videoState(track) : undefined,
      };
    });
  }

  /** ftyp + moov for every track. Throws MP4_NO_PARAMETER_SETS before a video track has its SPS and PPS, MP4_BAD_SPS. */
  initSegment(): Uint8Array {
    return buildInitSegment(this.tracks.map((t) => {
      if (t.header) return t.header;
      const v = t.video as VideoState;
      if (!v.sps || !v.pps) throw new Mp4MuxError('MP4_NO_PARAMETER_SETS', `video track ${t.id} has no ${v.sps ? 'PPS' : 'SPS'} yet`);
      return h264TrackHeader(t.id, v.sps, v.pps);
    }));
  }

  /** Track timescale (ticks per second of its decode times): 90000 for video, the clock rate for audio. */
  timescale(track: number): number {
    const t = this.track(track);
    return t.header ? t.header.timescale : VIDEO_TIMESCALE;
  }

  /**
   * Adds an access unit (NAL units without start codes, written length-prefixed). Returns the
   * fragment it closed, if any. Units before the first keyframe are dropped and counted.
   * Throws MP4_UNKNOWN_TRACK, MP4_SAMPLE_TOO_LARGE (nothing changes then).
   */
  pushVideo(track: number, au: Mp4VideoSample): Uint8Array | undefined {
    const t = this.track(track);
    const v = t.video;
    if (!v) throw new Mp4MuxError('MP4_UNKNOWN_TRACK', `track ${track} is not a video track`);
    const size = avccSize(au.nalus);
    this.checkSize(size);
    let picture = false;
    for (let i = 0; i < au.nalus.length; i++) {
      const nal = au.nalus[i];
      if (nal.length === 0) continue;
      const type = nal[0] & 0x1f;
      if (type === NalType.Sps || type === NalType.Pps) v.incoming.learn(nal);
      else if (isVcl(type)) picture = true;
    }
    if (!picture) {
      this.stats.unitsWithoutPicture++;
      return undefined;
    }
    if (!v.started && !au.keyframe) {
      this.stats.samplesBeforeKeyframe++;
      return undefined;
    }
    v.started = true;
    const changed = v.incoming.sps !== v.sps || v.incoming.pps !== v.pps;
    const out = this.close(t, this.decodeTime(t, au.timestamp), size, au.keyframe || changed);
    if (changed) {
      v.sps = v.incoming.sps;
      v.pps = v.incoming.pps;
      this.initVersion++;
    }
    t.stage.addNalus(au.nalus, size, au.keyframe, t.lastDecodeTime);
    return out;
  }

  /**
   * Adds one audio frame (a raw AAC frame without ADTS header, or one Opus packet) with its RTP
   * timestamp. Returns the fragment it closed, if any. Throws MP4_UNKNOWN_TRACK, MP4_SAMPLE_TOO_LARGE.
   */
  pushAudio(track: number, frame: Uint8Array, timestamp: number): Uint8Array | undefined {
    const t = this.track(track);
    if (t.kind !== 'audio') throw new Mp4MuxError('MP4_UNKNOWN_TRACK', `track ${track} is not an audio track`);
    this.checkSize(frame.length);
    const out = this.close(t, this.decodeTime(t, timestamp), frame.length, false);
    t.stage.addFrame(frame, t.lastDecodeTime);
    return out;
  }

  /** The track's held samples as a fragment (end of stream), the last one as long as the one before; or undefined. */
  flush(track: number): Uint8Array | undefined {
    const t = this.track(track);
    if (t.stage.count === 0) return undefined;
    t.stage.setLastDuration(t.timeline.lastSampleDuration);
    return this.emit(t);
  }

  /**
   * A new sample at `decodeTime` ends the held one's duration; returns the held fragment when
   * the new sample cannot join it (group full, too big, or it must start a fragment).
   */
  private close(t: TrackState, decodeTime: number, size: number, startsFragment: boolean): Uint8Array | undefined {
    const stage = t.stage;
    let out: Uint8Array | undefined;
    if (stage.count > 0) {
      stage.setLastDuration(decodeTime - t.lastDecodeTime);
      if (startsFragment || stage.count === stage.capacity || fragmentSize(stage.count + 1, stage.bytes + size) > this.maxFragmentBytes) {
        out = this.emit(t);
      }
    }
    t.lastDecodeTime = decodeTime;
    return out;
  }

  private decodeTime(t: TrackState, timestamp: number): number {
    const rebases = t.timeline.rebases;
    const decodeTime = t.timeline.next(timestamp);
    if (t.timeline.rebases !== rebases) this.stats.timelineRebases++;
    return decodeTime;
  }

  private emit(t: TrackState): Uint8Array {
    const samples = t.stage.count;
    this.sequenceNumber = (this.sequenceNumber + 1) >>> 0;
    const fragment = t.stage.build(this.sequenceNumber, t.id);
    this.stats.fragments++;
    this.stats.samples += samples;
    this.stats.bytes += fragment.length;
    return fragment;
  }

  private checkSize(size: number): void {
    if (fragmentSize(1, size) > this.maxFragmentBytes) {
      throw new Mp4MuxError('MP4_SAMPLE_TOO_LARGE', `a sample of ${size} bytes makes a fragment over maxFragmentBytes ${this.maxFragmentBytes}`);
    }
  }

  private track(index: number): TrackState {
    const t = this.tracks[index];
    if (!t) throw new Mp4MuxError('MP4_UNKNOWN_TRACK', `no track ${index} (the muxer has ${this.tracks.length})`);
    return t;
  }
}

function videoState(track: Mp4H264Track): VideoState {
  const incoming = new ParameterSets();
  incoming.set([track.sps, track.pps].filter((x): x is Uint8Array => x !== undefined));
  return { incoming, sps: incoming.sps, pps: incoming.pps, started: false };
}
