/**
 * SIGHUP: the --config file read again and the running streams made to match it (added,
 * removed, changed; unchanged ones untouched). A file with any error is refused as a whole
 * with one log line, and the running set stays. Signals arriving during a reload are folded
 * into one more reload after it (a SIGHUP storm costs at most two), so reloads never overlap.
 */
import type { CamwireConfig } from '../gateway/config.js';
import type { StreamConfig } from '../gateway/gateway.js';
import type { Logger } from '../log/logger.js';
import type { StreamManager } from './stream-manager.js';

/** Reads and validates the config again; throws (ConfigError, SyntaxError, I/O) when it cannot. */
export type ConfigReader = () => CamwireConfig;

export interface Reloader {
  /** Asks for a reload; settles when it (and any folded into it) is done. */
  request(): Promise<void>;
}

const keys = (o: object | undefined): string => JSON.stringify(o ?? {});

export function createReloader(read: ConfigReader, streams: StreamManager, running: CamwireConfig, log: Logger, extra: Record<string, StreamConfig> = {}): Reloader {
  let current: Promise<void> | undefined;
  let again = false;
  let last = running;
  const once = async (): Promise<void> => {
    let next: CamwireConfig;
    try {
      next = read();
    } catch (err) {
      log.error('config.reload-refused', { error: err instanceof Error ? err.message : String(err), kept: streams.names().length });
      return;
    }
    const r = await streams.reload({ ...extra, ...next.streams });
    const restartOnly = ['http', 'metrics', 'webrtc', 'recovery', 'rtspServer', 'log', 'streamDefaults', 'record']
      .filter((k) => keys(next[k as keyof CamwireConfig] as object) !== keys(last[k as keyof CamwireConfig] as object));
    last = next;
    log.info('config.reloaded', {
      added: r.added, removed: r.removed, changed: r.changed, unchanged: r.unchanged.length,
      ...(restartOnly.length > 0 ? { needsRestart: restartOnly } : {}),
    });
  };
  const run = async (): Promise<void> => {
    do {
      again = false;
      await once().catch((err: unknown) => log.error('config.reload-failed', { error: err instanceof Error ? err.message : String(err) }));
    } while (again);
    current = undefined;
  };
  return {
    request: () => {
      if (current) {
        again = true;
        return current;
      }
      current = run();
      return current;
    },
  };
}
