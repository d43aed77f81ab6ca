/**
 * camwire's operator log: one line per event, as text for people or one JSON object per line
 * for log shippers. Levels error|warn|info|debug. Repeated identical warnings and errors (same
 * event and fields) within `foldWindowMs` print once, then "... N more in 60 s" when the window
 * closes, so a camera that stays down or a client that keeps guessing tokens cannot flood the
 * log. Every field goes through redactFields: no password in a URL, no token, ever.
 * Time comes from the injected Clock (wall clock for the timestamp, timers for the folding).
 */
import type { Clock, TimerHandle } from '../clock.js';
import { redactFields, type LogFields } from './redact.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';
export type { LogFields } from './redact.js';

export interface Logger {
  error(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  debug(event: string, fields?: LogFields): void;
  /** True when `level` would be written (to skip building fields nobody reads). */
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Lowest level written (default 'info'). */
  level?: LogLevel;
  /** 'text' (default) or 'json'. */
  format?: LogFormat;
  /** Repeats of one warning or error inside this window are folded into one count (default 60000 ms). */
  foldWindowMs?: number;
  /** Distinct warnings/errors folded at once (default 256); beyond, an event's further lines fold together whatever their fields. */
  maxFoldKeys?: number;
}

export const LOGGER_DEFAULTS = Object.freeze({
  level: 'info',
  format: 'text',
  foldWindowMs: 60_000,
  maxFoldKeys: 256,
} as const satisfies Required<LoggerOptions>);

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
export const LOG_LEVELS = Object.freeze(Object.keys(RANK) as LogLevel[]);
export const LOG_FORMATS: readonly LogFormat[] = Object.freeze(['text', 'json'] as LogFormat[]);

interface Fold {
  level: LogLevel;
  event: string;
  fields: LogFields;
  more: number;
  timer: TimerHandle;
}

/** A logger that writes nothing (the default of every component that takes one). */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  enabled: () => false,
};

/** A logger that can be closed: close() prints the pending "... N more" counts and cancels their timers. */
export interface ClosableLogger extends Logger {
  close(): void;
}

export function createLogger(clock: Clock, write: (line: string) => void, o: LoggerOptions = {}): ClosableLogger {
  const max = RANK[o.level ?? LOGGER_DEFAULTS.level];
  const format = o.format ?? LOGGER_DEFAULTS.format;
  const windowMs = o.foldWindowMs ?? LOGGER_DEFAULTS.foldWindowMs;
  const maxFolds = o.maxFoldKeys ?? LOGGER_DEFAULTS.maxFoldKeys;
  const folds = new Map<string, Fold>();

  const emit = (level: LogLevel, event: string, fields: LogFields): void => {
    write(format === 'json' ? jsonLine(clock.wallClock(), level, event, fields) : textLine(clock.wallClock(), level, event, fields));
  };
  const closeFold = (key: string): void => {
    const f = folds.get(key);
    if (!f) return;
    folds.delete(key);
    if (f.more > 0) emit(f.level, f.event, { ...f.fields, repeated: f.more, windowS: Math.round(windowMs / 1000) });
  };
  const log = (level: LogLevel, event: string, raw: LogFields = {}): void => {
    if (RANK[level] > max) return;
    const fields = redactFields(raw);
    if (level === 'error' || level === 'warn') {
      let key = `${level} ${event} ${JSON.stringify(fields)}`;
      let fold = folds.get(key);
      // Table full (a flood of distinct lines): repeats of the event fold together, whatever their fields.
      const overflow = !fold && folds.size >= maxFolds;
      if (overflow) {
        key = `${level} ${event} *`;
        fold = folds.get(key);
      }
      if (fold) return void fold.more++;
      const folded = overflow ? { similar: true } : fields;
      folds.set(key, { level, event, fields: folded, more: 0, timer: clock.setTimer(windowMs, () => closeFold(key)) });
    }
    emit(level, event, fields);
  };
  return {
    error: (e, f) => log('error', e, f),
    warn: (e, f) => log('warn', e, f),
    info: (e, f) => log('info', e, f),
    debug: (e, f) => log('debug', e, f),
    enabled: (level) => RANK[level] <= max,
    close: () => {
      for (const [key, f] of [...folds]) {
        f.timer.cancel();
        closeFold(key);
      }
    },
  };
}

function jsonLine(wallMs: number, level: LogLevel, event: string, fields: LogFields): string {
  return JSON.stringify({ time: new Date(wallMs).toISOString(), level, event, ...fields }) + '\n';
}

/** `2026-12-07T02:30:00.000Z WARN source.lost stream=cam code=RTSP_CONNECT_FAILED retryInS=2`; folded ones end in "... 12 more in 60 s". */
function textLine(wallMs: number, level: LogLevel, event: string, fields: LogFields): string {
  let line = `${new Date(wallMs).toISOString()} ${level.toUpperCase()} ${event}`;
  let folded = '';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (k === 'repeated') {
      folded = ` ... ${String(v)} more in ${String(fields.windowS)} s`;
      continue;
    }
    if (k === 'windowS' && fields.repeated !== undefined) continue;
    line += ` ${k}=${textValue(v)}`;
  }
  return line + folded + '\n';
}

function textValue(v: unknown): string {
  const s = typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(',')}]` : JSON.stringify(v);
  return /^[^\s"=]*$/.test(s) && s.length > 0 ? s : JSON.stringify(s);
}
