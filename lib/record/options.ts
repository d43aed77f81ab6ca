/** Recording settings (the config's `record` block and each stream's `record`), their defaults, declared once. */
import { CamwireError } from '../errors.js';

export interface RecordSettings {
  /** Directory of the recordings: each stream's segments in `<dir>/<stream>/`. No default: required. */
  dir?: string;
  /** A segment is cut at the first keyframe this long after its start (seconds). Default 60. */
  segmentSeconds?: number;
  /** Samples are written as a fragment this often (seconds): what a crash loses at most. Default 1. */
  fragmentSeconds?: number;
  /** Segments older than this are deleted (hours). Default 24. */
  retainHours?: number;
  /** A stream's segments together; the oldest are deleted above it (bytes). Default 10 GiB. */
  retainBytes?: number;
  /** Fragments waiting for the disk, per stream (bytes); more are dropped and counted, never the media. Default 16 MiB. */
  queueBytes?: number;
}

/** A stream's `record`: true for the config's `record` settings, an object to override some, false (default) for none. */
export type StreamRecordSetting = boolean | RecordSettings;

export const RECORD_DEFAULTS = Object.freeze({
  segmentSeconds: 60,
  fragmentSeconds: 1,
  retainHours: 24,
  retainBytes: 10 * 1024 * 1024 * 1024,
  queueBytes: 16 * 1024 * 1024,
} as const satisfies Required<Omit<RecordSettings, 'dir'>>);

/** Bounds of each setting, shared by the config's check and `resolveRecordSettings`. */
export const RECORD_LIMITS = Object.freeze({
  segmentSeconds: [1, 86_400],
  fragmentSeconds: [0.1, 60],
  retainHours: [0.001, 1e6],
  retainBytes: [1024 * 1024, 2 ** 53],
  queueBytes: [256 * 1024, 1 << 30],
} as const);

export type RecordErrorCode = 'RECORD_NO_DIR' | 'RECORD_BAD_OPTION';

export class RecordError extends CamwireError {
  declare readonly code: RecordErrorCode;
  constructor(code: RecordErrorCode, message: string) {
    super(code, message);
  }
}

export type ResolvedRecordSettings = Required<RecordSettings>;

/**
 * What a stream records with: its own keys over the config's over RECORD_DEFAULTS; undefined
 * when it does not record. Throws RECORD_NO_DIR (no dir anywhere), RECORD_BAD_OPTION.
 */
export function resolveRecordSettings(base: RecordSettings | undefined, own: StreamRecordSetting | undefined): ResolvedRecordSettings | undefined {
  if (own === undefined || own === false) return undefined;
  const merged = { ...RECORD_DEFAULTS, ...base, ...(own === true ? {} : own) };
  if (typeof merged.dir !== 'string' || merged.dir.length === 0) throw new RecordError('RECORD_NO_DIR', 'record needs a dir (in the stream\'s record or the config\'s record.dir)');
  for (const [key, [min, max]] of Object.entries(RECORD_LIMITS)) {
    const v = merged[key as keyof typeof RECORD_LIMITS];
    if (typeof v !== 'number' || !(v >= min && v <= max)) throw new RecordError('RECORD_BAD_OPTION', `record.${key} must be a number from ${min} to ${max}`);
  }
  if (merged.fragmentSeconds > merged.segmentSeconds) throw new RecordError('RECORD_BAD_OPTION', 'record.fragmentSeconds must not be above segmentSeconds');
  return merged as ResolvedRecordSettings;
}
