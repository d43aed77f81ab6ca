/**
 * One stream's recording: an output of its video track (the egress packets every viewer gets,
 * back into access units by the WebSocket fallback's sink), the camera's audio frames through
 * the stream's tap, the Segmenter cutting them into fMP4 segments, the bounded RecordQueue,
 * and the SegmentWriter draining it to `<dir>/<stream>/`. The stream keeps its source running
 * for it (an on-demand stream that records stays pulled). Nothing here waits for the disk: a
 * full queue drops the fragment (counted), ends the segment, and the next keyframe begins a
 * new one. A camera restart or loss ends the segment; its return begins the next.
 */
import { join } from 'node:path';
import { readdir, stat, unlink } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import type { AudioFrame } from '../audio/frame.js';
import type { AudioTrackDescription } from '../audio/audio-fmtp.js';
import { serializeAudioSpecificConfig } from '../audio/audio-specific-config.js';
import type { SourceInfo, SourceState, StreamTap } from '../gateway/source.js';
import type { Stream } from '../gateway/stream.js';
import { Fmp4VideoSink, type Fmp4UnitTarget } from '../http/fmp4-video-sink.js';
import type { Logger } from '../log/logger.js';
import type { Mp4VideoSample } from '../mp4/muxer.js';
import type { Mp4AudioTrack } from '../mp4/tracks.js';
import type { ResolvedRecordSettings } from './options.js';
import { RecordQueue } from './record-queue.js';
import { segmentsToDelete, type SegmentFile } from './retention.js';
import { segmentStart } from './segment-name.js';
import { scanSegment } from './segment-scan.js';
import { Segmenter, type SegmenterStats, type SegmentInfo } from './segmenter.js';
import { SegmentWriter, type RecordState } from './segment-writer.js';

/** How often retention runs besides after each segment (ms). */
export const RETENTION_CHECK_MS = 60_000;

export interface RecordingStats extends SegmenterStats {
  /** 'recording', 'failed' (disk full, directory not writable: `error` says), 'stopped', or 'unsupported' (an H.265 camera: the muxer writes H.264). */
  state: RecordState | 'unsupported';
  dir: string;
  /** The segment being written, '' between segments. */
  currentSegment: string;
  /** What the recording's audio is: 'aac', 'opus', 'none' (no audio), or the camera's codec the muxer cannot carry. */
  audio: string;
  filesWritten: number;
  bytesWritten: number;
  /** Fragments the queue could not take (the disk fell behind): each ended its segment early. */
  fragmentsDropped: number;
  queueBytes: number;
  queuePeakBytes: number;
  segmentsDeleted: number;
  error?: string;
}

/** A segment on disk, for the listing. */
export interface SegmentEntry {
  name: string;
  start: string;
  durationMs: number;
  bytes: number;
  frames: number;
}

export interface StreamRecorderOptions {
  stream: string;
  settings: ResolvedRecordSettings;
  clock: Clock;
  log?: Logger;
}

export class StreamRecorder implements StreamTap, Fmp4UnitTarget {
  readonly sink = new Fmp4VideoSink(this);
  readonly dir: string;
  private readonly queue: RecordQueue;
  private readonly segmenter: Segmenter;
  private readonly writer: SegmentWriter;
  /** Lengths of segments known (written here or scanned), by name and size. */
  private readonly lengths = new Map<string, { bytes: number; durationMs: number; frames: number }>();
  private stream: Stream | undefined;
  private codecSupported = true;
  private audioKind = 'none';
  private lastRetention = -Infinity;
  private retaining: Promise<void> | undefined;
  private deleted = 0;

  constructor(private readonly o: StreamRecorderOptions) {
    const s = o.settings;
    this.dir = join(s.dir, o.stream);
    this.queue = new RecordQueue(s.queueBytes);
    this.segmenter = new Segmenter(this.queue, { segmentSeconds: s.segmentSeconds, fragmentSeconds: s.fragmentSeconds, wallClock: () => o.clock.wallClock() });
    this.writer = new SegmentWriter({
      dir: this.dir, queue: this.queue,
      closed: (name, info, bytes) => this.segmentClosed(name, info, bytes),
      log: (f) => o.log?.error('record.failed', { stream: o.stream, dir: this.dir, ...f }),
    });
  }

  /** Starts recording `stream`: it runs its source for the recording and tells it its state. */
  attach(stream: Stream): void {
    this.stream = stream;
    stream.setTap(this);
    stream.addOutput(this.sink);
    this.o.log?.info('record.started', { stream: this.o.stream, dir: this.dir, segmentSeconds: this.o.settings.segmentSeconds });
  }

  /** Stops: the open segment is finished and written, the stream let go. */
  async detach(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      stream.setTap(undefined);
      stream.removeOutput(this.sink);
    }
    this.segmenter.end();
    await this.writer.close();
    await this.retaining;
  }

  pushVideo(au: Mp4VideoSample): boolean {
    if (!this.codecSupported || this.writer.state !== 'recording') return true;
    const ok = this.segmenter.pushVideo(au);
    this.writer.kick();
    if (!ok) this.stream?.requestKeyframe();
    return ok;
  }

  canResume(): boolean {
    return this.queue.bytes <= this.queue.maxBytes / 2;
  }

  resumed(): void {}

  skipped(): void {}

  tick(): void {
    if (this.o.clock.now() - this.lastRetention >= RETENTION_CHECK_MS) this.retain();
  }

  sourceState(state: SourceState, info: SourceInfo): void {
    if (state === 'playing') {
      this.codecSupported = (info.codec ?? 'h264') === 'h264';
      const audio = recordableAudio(info.audio);
      this.segmenter.audio = typeof audio === 'string' ? undefined : audio;
      this.audioKind = typeof audio === 'string' ? audio : audio.codec;
      // a recording that begins now should not wait a whole GOP for its first keyframe
      if (!this.segmenter.recording) this.stream?.requestKeyframe();
    } else if (state !== 'starting') {
      this.segmenter.end();
      this.writer.kick();
    }
  }

  audioFrame(frame: AudioFrame): void {
    if (!this.codecSupported || this.writer.state !== 'recording') return;
    this.segmenter.pushAudio(frame.data, frame.timestamp);
    this.writer.kick();
  }

  stats(): RecordingStats {
    const w = this.writer;
    return {
      state: this.codecSupported ? w.state : 'unsupported', dir: this.dir, currentSegment: w.current, audio: this.audioKind,
      ...this.segmenter.stats,
      filesWritten: w.c.files, bytesWritten: w.c.bytesWritten, fragmentsDropped: this.queue.dropped,
      queueBytes: this.queue.bytes, queuePeakBytes: this.queue.peakBytes, segmentsDeleted: this.deleted,
      ...(w.error ? { error: `${w.errorCode}: ${w.error}` } : {}),
    };
  }

  /** The stream's segments on disk, oldest first (the one being written included, as far as written). */
  segments(): Promise<SegmentEntry[]> {
    return listSegments(this.dir, this.lengths);
  }

  private segmentClosed(name: string, info: SegmentInfo, bytes: number): void {
    this.lengths.set(name, { bytes, durationMs: info.durationMs, frames: info.frames });
    this.retain();
  }

  /** Deletes what the retention rule says (one run at a time; never the segment being written). */
  private retain(): void {
    if (this.retaining) return;
    this.lastRetention = this.o.clock.now();
    const s = this.o.settings;
    this.retaining = (async () => {
      const files = await segmentFiles(this.dir);
      const doomed = segmentsToDelete(files, this.o.clock.wallClock(), { retainMs: s.retainHours * 3_600_000, retainBytes: s.retainBytes }, this.writer.current);
      for (const name of doomed) {
        await unlink(join(this.dir, name)).then(() => this.deleted++, () => undefined);
        this.lengths.delete(name);
      }
      if (doomed.length > 0) this.o.log?.info('record.deleted', { stream: this.o.stream, segments: doomed.length, oldestLeft: files.find((f) => !doomed.includes(f.name))?.name });
    })().catch(() => undefined).finally(() => {
      this.retaining = undefined;
    });
  }
}

/** The muxer's audio track for the camera's audio, or why there is none. */
function recordableAudio(desc: AudioTrackDescription | undefined): Mp4AudioTrack | string {
  if (!desc) return 'none';
  if (desc.codec === 'opus') return { kind: 'audio', codec: 'opus', channelCount: Math.max(1, Math.min(2, desc.channels)) };
  const asc = desc.mpeg4Generic?.configHex ?? undefined;
  if (asc) return { kind: 'audio', codec: 'aac', audioSpecificConfig: Uint8Array.from(Buffer.from(asc, 'hex')), clockRate: desc.clockRate };
  const latm = desc.latm?.streamMuxConfig?.audioSpecificConfig;
  if (latm) return { kind: 'audio', codec: 'aac', audioSpecificConfig: serializeAudioSpecificConfig(latm), clockRate: desc.clockRate };
  return `${desc.codec} (not recorded: the muxer carries AAC and Opus)`;
}

/** Segment files in `dir` with their start and size; none when it does not exist yet. */
export async function segmentFiles(dir: string): Promise<SegmentFile[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: SegmentFile[] = [];
  for (const name of names) {
    const startMs = segmentStart(name);
    if (startMs === undefined) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) out.push({ name, startMs, bytes: st.size });
  }
  return out.sort((a, b) => a.startMs - b.startMs || (a.name < b.name ? -1 : 1));
}

/** The listing of a stream's directory; lengths from `known`, else read from the file (and remembered). */
export async function listSegments(dir: string, known: Map<string, { bytes: number; durationMs: number; frames: number }>): Promise<SegmentEntry[]> {
  const out: SegmentEntry[] = [];
  for (const f of await segmentFiles(dir)) {
    let len = known.get(f.name);
    if (!len || len.bytes !== f.bytes) {
      const scanned = await scanSegment(join(dir, f.name)).catch(() => ({ durationMs: 0, frames: 0 }));
      len = { bytes: f.bytes, ...scanned };
      known.set(f.name, len);
    }
    out.push({ name: f.name, start: new Date(f.startMs).toISOString(), durationMs: len.durationMs, bytes: f.bytes, frames: len.frames });
  }
  return out;
}
