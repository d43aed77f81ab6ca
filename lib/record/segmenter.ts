/**
 * Access units (and audio frames) to segments of fragmented MP4, pure (no I/O, no timers):
 * each segment is a file of its own (ftyp + moov, then moof + mdat fragments), begins on a
 * keyframe carrying its SPS and PPS, and is cut at the first keyframe `segmentSeconds` after
 * its start, or at once when the SPS/PPS change (a new init). Samples go out as a fragment
 * every `fragmentSeconds` (what a crash loses at most). Media time is the video's RTP clock,
 * so a segment's length is what its frames span, whatever the wall clock did.
 *
 * Audio joins when the stream's codec fits the muxer (AAC, Opus): its own track, decode time
 * 0 at its first frame after the segment's keyframe (so it lags the picture by at most that
 * arrival gap, well under one audio frame plus the camera's interleaving).
 */
import { Mp4MuxError } from '../mp4/errors.js';
import { Mp4Muxer, type Mp4VideoSample } from '../mp4/muxer.js';
import { MP4_MAX_SAMPLES_PER_FRAGMENT } from '../mp4/options.js';
import type { Mp4AudioTrack } from '../mp4/tracks.js';
import { NalType } from '../h264/nal.js';
import { tsDistance } from '../rtp/seq.js';

const VIDEO = 0;
const AUDIO = 1;
const TICKS_PER_SECOND = 90_000;

/** What a closed segment held, for the index. */
export interface SegmentInfo {
  /** UTC start (the wall clock when its first keyframe arrived), ms since the epoch. */
  startMs: number;
  /** Media time its frames span (the last one's duration included), ms. */
  durationMs: number;
  frames: number;
  audioFrames: number;
  /** Ended early: a fragment could not be queued, or the muxer refused a unit. */
  cutShort: boolean;
}

/** Where segments go (the RecordQueue). */
export interface SegmentOutput {
  mark(op: { kind: 'open'; startMs: number } | { kind: 'close'; segment: SegmentInfo }): void;
  /** False when the bytes were refused. */
  data(bytes: Uint8Array): boolean;
}

export interface SegmenterOptions {
  segmentSeconds: number;
  fragmentSeconds: number;
  /** ms since the epoch: each segment's start for its name. */
  wallClock(): number;
}

export interface SegmenterStats {
  segments: number;
  segmentsCutShort: number;
  frames: number;
  audioFrames: number;
  fragments: number;
  bytes: number;
  /** Units before a segment's first keyframe (nothing could decode them). */
  unitsBeforeKeyframe: number;
  /** Keyframes that could not begin a segment: no SPS/PPS with them. */
  keyframesWithoutParameterSets: number;
  /** Units or audio frames the muxer refused (over its fragment bound). */
  samplesRefused: number;
}

interface Segment {
  muxer: Mp4Muxer;
  info: SegmentInfo;
  hasAudio: boolean;
  sps: Uint8Array;
  pps: Uint8Array;
  lastTs: number;
  /** Ticks from the first frame to the newest. */
  elapsed: number;
  lastStep: number;
  fragmentStart: number;
}

export class Segmenter {
  readonly stats: SegmenterStats = {
    segments: 0, segmentsCutShort: 0, frames: 0, audioFrames: 0, fragments: 0, bytes: 0,
    unitsBeforeKeyframe: 0, keyframesWithoutParameterSets: 0, samplesRefused: 0,
  };
  /** The audio track the next segment carries (the stream's camera audio, when the muxer can). */
  audio: Mp4AudioTrack | undefined;
  private seg: Segment | undefined;
  private readonly segmentTicks: number;
  private readonly fragmentTicks: number;

  constructor(private readonly out: SegmentOutput, private readonly o: SegmenterOptions) {
    this.segmentTicks = Math.round(o.segmentSeconds * TICKS_PER_SECOND);
    this.fragmentTicks = Math.round(o.fragmentSeconds * TICKS_PER_SECOND);
  }

  /** A segment is open. */
  get recording(): boolean {
    return this.seg !== undefined;
  }

  /** One whole access unit (views may be transient). False when the segment had to end: wait for a keyframe. */
  pushVideo(au: Mp4VideoSample): boolean {
    let seg = this.seg;
    if (seg) {
      const step = Math.max(0, tsDistance(seg.lastTs, au.timestamp));
      const elapsed = seg.elapsed + step;
      if (au.keyframe && (elapsed >= this.segmentTicks || parameterSetsChanged(seg, au.nalus))) {
        this.end();
        seg = undefined;
      } else {
        seg.lastTs = au.timestamp;
        seg.elapsed = elapsed;
        if (step > 0) seg.lastStep = step;
        if (elapsed - seg.fragmentStart >= this.fragmentTicks && !this.flush(seg, elapsed)) return false;
      }
    }
    if (!seg) {
      seg = this.begin(au);
      if (!seg) return true;
    }
    let fragment: Uint8Array | undefined;
    try {
      fragment = seg.muxer.pushVideo(VIDEO, au);
    } catch (err) {
      return this.refused(err);
    }
    if (seg.info.frames === 0 && !this.write(seg.muxer.initSegment(), false)) return false;
    if (fragment && !this.write(fragment)) return false;
    seg.info.frames++;
    this.stats.frames++;
    return true;
  }

  /** One audio frame of the segment's audio track (dropped when no segment is open or it has none). */
  pushAudio(frame: Uint8Array, timestamp: number): void {
    const seg = this.seg;
    if (!seg?.hasAudio) return;
    let fragment: Uint8Array | undefined;
    try {
      fragment = seg.muxer.pushAudio(AUDIO, frame, timestamp);
    } catch (err) {
      this.refused(err);
      return;
    }
    if (fragment && !this.write(fragment)) return;
    seg.info.audioFrames++;
    this.stats.audioFrames++;
  }

  /** Ends the open segment (its held samples written): the source went, or the recording stops. */
  end(): void {
    const seg = this.seg;
    if (!seg) return;
    this.flush(seg, seg.elapsed);
    this.close(seg);
  }

  private begin(au: Mp4VideoSample): Segment | undefined {
    if (!au.keyframe) {
      this.stats.unitsBeforeKeyframe++;
      return undefined;
    }
    const ps = parameterSets(au.nalus);
    if (!ps) {
      this.stats.keyframesWithoutParameterSets++;
      return undefined;
    }
    const audio = this.audio;
    let muxer: Mp4Muxer;
    try {
      muxer = new Mp4Muxer(audio ? [{ kind: 'video', codec: 'h264' }, audio] : [{ kind: 'video', codec: 'h264' }], { samplesPerFragment: MP4_MAX_SAMPLES_PER_FRAGMENT });
    } catch (err) {
      // an audio config the muxer cannot describe: record the picture alone
      if (!(err instanceof Mp4MuxError) || !audio) throw err;
      this.audio = undefined;
      return this.begin(au);
    }
    const startMs = this.o.wallClock();
    const seg: Segment = {
      muxer, hasAudio: audio !== undefined, sps: ps.sps, pps: ps.pps, lastTs: au.timestamp, elapsed: 0, lastStep: 0, fragmentStart: 0,
      info: { startMs, durationMs: 0, frames: 0, audioFrames: 0, cutShort: false },
    };
    this.seg = seg;
    this.stats.segments++;
    this.out.mark({ kind: 'open', startMs });
    return seg;
  }

  /** Writes every track's held samples; false when a fragment was refused (the segment ended). */
  private flush(seg: Segment, elapsed: number): boolean {
    seg.fragmentStart = elapsed;
    for (let track = 0; track < (seg.hasAudio ? 2 : 1); track++) {
      const fragment = seg.muxer.flush(track);
      if (fragment && !this.write(fragment)) return false;
    }
    return true;
  }

  private write(bytes: Uint8Array, fragment = true): boolean {
    const seg = this.seg!;
    if (this.out.data(bytes)) {
      this.stats.bytes += bytes.length;
      if (fragment) this.stats.fragments++;
      return true;
    }
    seg.info.cutShort = true;
    this.stats.segmentsCutShort++;
    this.close(seg);
    return false;
  }

  private refused(err: unknown): false {
    if (!(err instanceof Mp4MuxError)) throw err;
    this.stats.samplesRefused++;
    const seg = this.seg!;
    seg.info.cutShort = true;
    this.stats.segmentsCutShort++;
    this.flush(seg, seg.elapsed);
    if (this.seg === seg) this.close(seg);
    return false;
  }

  private close(seg: Segment): void {
    if (this.seg !== seg) return;
    this.seg = undefined;
    const ticks = seg.info.frames > 0 ? seg.elapsed + seg.lastStep : 0;
    seg.info.durationMs = Math.round((ticks * 1000) / TICKS_PER_SECOND);
    this.out.mark({ kind: 'close', segment: seg.info });
  }
}

function parameterSets(nalus: readonly Uint8Array[]): { sps: Uint8Array; pps: Uint8Array } | undefined {
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  for (const n of nalus) {
    if (n.length === 0) continue;
    const type = n[0] & 0x1f;
    if (type === NalType.Sps) sps = n;
    else if (type === NalType.Pps) pps = n;
  }
  return sps && pps ? { sps: sps.slice(), pps: pps.slice() } : undefined;
}

/** A keyframe whose in-band SPS or PPS differ from the segment's (one without them changes nothing). */
function parameterSetsChanged(seg: Segment, nalus: readonly Uint8Array[]): boolean {
  for (const n of nalus) {
    if (n.length === 0) continue;
    const type = n[0] & 0x1f;
    if ((type === NalType.Sps && !sameBytes(n, seg.sps)) || (type === NalType.Pps && !sameBytes(n, seg.pps))) return true;
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
