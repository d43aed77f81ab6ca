/**
 * The recording setting made real: the config's `record` block (every recorded stream's
 * defaults) and a StreamRecorder per stream whose `record` asks for one. It also answers the
 * HTTP listing and download: every stream directory under the recording directories known
 * (the config's `record.dir`, and each stream's own), so a stream removed keeps its segments
 * listed until retention or an operator deletes them.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Stream } from '../gateway/stream.js';
import type { Logger } from '../log/logger.js';
import { RecordError, resolveRecordSettings, type RecordSettings, type ResolvedRecordSettings, type StreamRecordSetting } from './options.js';
import { segmentStart } from './segment-name.js';
import { listSegments, StreamRecorder, type RecordingStats, type SegmentEntry } from './stream-recorder.js';

const STREAM_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export class Recordings {
  private readonly recorders = new Map<string, { recorder: StreamRecorder; setting: string }>();
  /** Directories that hold streams' recordings (`record.dir` of the config and of streams seen). */
  private readonly roots = new Set<string>();
  private readonly lengths = new Map<string, Map<string, { bytes: number; durationMs: number; frames: number }>>();

  constructor(private readonly base: RecordSettings | undefined, private readonly clock: Clock, private readonly log?: Logger) {
    if (base?.dir) this.roots.add(base.dir);
  }

  /** What stream `name`'s `record` means here; undefined: not recorded. Throws RecordError (no dir, bad value) naming the key. */
  settingsFor(name: string, own: StreamRecordSetting | undefined): ResolvedRecordSettings | undefined {
    try {
      return resolveRecordSettings(this.base, own);
    } catch (err) {
      if (err instanceof RecordError) throw new RecordError(err.code, `streams.${name}.${err.message}`);
      throw err;
    }
  }

  /** Records `stream` as `own` says (stops a recording it had with other settings). */
  async apply(name: string, stream: Stream, own: StreamRecordSetting | undefined): Promise<void> {
    const settings = this.settingsFor(name, own);
    const key = JSON.stringify(settings ?? null);
    const had = this.recorders.get(name);
    if (had?.setting === key) return;
    if (had) await this.stop(name);
    if (!settings) return;
    const recorder = new StreamRecorder({ stream: name, settings, clock: this.clock, log: this.log });
    this.roots.add(settings.dir);
    this.recorders.set(name, { recorder, setting: key });
    recorder.attach(stream);
  }

  async stop(name: string): Promise<void> {
    const had = this.recorders.get(name);
    if (!had) return;
    this.recorders.delete(name);
    await had.recorder.detach();
  }

  async close(): Promise<void> {
    await Promise.all([...this.recorders.keys()].map((n) => this.stop(n)));
  }

  stats(name: string): RecordingStats | undefined {
    return this.recorders.get(name)?.recorder.stats();
  }

  /** Streams with a recording directory, by name (recording now or not). */
  async streams(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const root of this.roots) {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory() && STREAM_NAME.test(e.name) && !out.has(e.name)) out.set(e.name, join(root, e.name));
    }
    for (const [name, { recorder }] of this.recorders) out.set(name, recorder.dir);
    return out;
  }

  /** A stream's segments, oldest first; undefined when it has no recordings. */
  async segments(name: string): Promise<SegmentEntry[] | undefined> {
    const rec = this.recorders.get(name)?.recorder;
    if (rec) return rec.segments();
    const dir = (await this.streams()).get(name);
    if (!dir) return undefined;
    let known = this.lengths.get(dir);
    if (!known) this.lengths.set(dir, (known = new Map()));
    return listSegments(dir, known);
  }

  /** The path of a segment file to serve, or undefined (only names that are a segment's are served). */
  async file(name: string, file: string): Promise<string | undefined> {
    if (segmentStart(file) === undefined) return undefined;
    const dir = (await this.streams()).get(name);
    return dir ? join(dir, file) : undefined;
  }
}
