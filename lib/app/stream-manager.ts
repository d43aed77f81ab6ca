/**
 * The configured streams at run time: added, changed and removed through the stream API or a
 * SIGHUP reload, each change validated exactly as the config file is (parseStreamConfig),
 * applied to the gateway with the least disruption (Gateway.updateStream), logged, and, with
 * persistApi, written back to the --config file. One change per stream name at a time: a
 * second one while the first is applied gets STREAM_BUSY, so a POST racing a DELETE of the
 * same name never leaves half of each. A failed write undoes the change.
 */
import { CamwireError } from '../errors.js';
import { GatewayError } from '../gateway/errors.js';
import type { Gateway, StreamConfig } from '../gateway/gateway.js';
import { parseStreamConfig } from '../gateway/config.js';
import type { Logger } from '../log/logger.js';

/** Writes the streams back to where they came from (the --config file); rejects on failure. */
export type PersistStreams = (streams: Record<string, StreamConfig>) => Promise<void>;

export type StreamChange = 'added' | 'removed' | 'settings' | 'source' | 'rebuilt';

export interface ReloadResult {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export class StreamManager {
  /** Each stream's config as given (without streamDefaults merged in): what PATCH merges into and persistence writes. */
  private readonly given = new Map<string, StreamConfig>();
  private readonly busy = new Set<string>();

  constructor(
    private readonly gateway: Gateway,
    initial: Record<string, StreamConfig>,
    private readonly log: Logger,
    private readonly persist?: PersistStreams,
  ) {
    for (const [name, cfg] of Object.entries(initial)) this.given.set(name, cfg);
  }

  /** The configured streams, as given. */
  configs(): Record<string, StreamConfig> {
    return Object.fromEntries(this.given);
  }

  names(): string[] {
    return [...this.given.keys()];
  }

  async add(name: string, input: unknown, by: string): Promise<void> {
    const cfg = parseStreamConfig(name, input);
    await this.exclusive(name, async () => {
      if (this.given.has(name) || this.gateway.stream(name)) throw new GatewayError('STREAM_EXISTS', `stream ${name} already exists`);
      this.gateway.addStream(name, cfg);
      this.given.set(name, cfg);
      await this.save(async () => {
        this.given.delete(name);
        await this.gateway.removeStream(name);
      });
      this.log.info('stream.added', { stream: name, url: cfg.url, by });
    });
  }

  /** Merges `patch` into the stream's config (a key set to null goes back to its default) and applies it. */
  async patch(name: string, patch: unknown, by: string): Promise<StreamChange> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new CamwireError('CONFIG_INVALID', `streams.${name} must be an object`);
    return this.exclusive(name, async () => {
      const before = this.known(name);
      const merged: Record<string, unknown> = { ...before };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      const cfg = parseStreamConfig(name, merged);
      const change = await this.gateway.updateStream(name, cfg);
      this.given.set(name, cfg);
      await this.save(async () => {
        this.given.set(name, before);
        await this.gateway.updateStream(name, before);
      });
      this.log.info('stream.changed', { stream: name, keys: Object.keys(patch), applied: change, by });
      return change;
    });
  }

  async remove(name: string, by: string): Promise<void> {
    await this.exclusive(name, async () => {
      const before = this.known(name);
      this.given.delete(name);
      await this.gateway.removeStream(name);
      await this.save(async () => {
        this.given.set(name, before);
        this.gateway.addStream(name, before);
      });
      this.log.info('stream.removed', { stream: name, by });
    });
  }

  /**
   * Makes the running set equal `next` (a validated config's streams): new names added, gone
   * ones removed, changed ones updated; an unchanged stream is not touched at all. Not
   * persisted: the file is where `next` came from.
   */
  async reload(next: Record<string, StreamConfig>): Promise<ReloadResult> {
    const r: ReloadResult = { added: [], removed: [], changed: [], unchanged: [] };
    for (const name of [...this.given.keys()]) {
      if (Object.hasOwn(next, name)) continue;
      await this.exclusive(name, async () => {
        this.given.delete(name);
        await this.gateway.removeStream(name);
      });
      r.removed.push(name);
    }
    for (const [name, cfg] of Object.entries(next)) {
      const before = this.given.get(name);
      if (before && JSON.stringify(before) === JSON.stringify(cfg)) {
        r.unchanged.push(name);
        continue;
      }
      await this.exclusive(name, async () => {
        if (before) await this.gateway.updateStream(name, cfg);
        else this.gateway.addStream(name, cfg);
        this.given.set(name, cfg);
      });
      (before ? r.changed : r.added).push(name);
    }
    return r;
  }

  private known(name: string): StreamConfig {
    const cfg = this.given.get(name);
    if (!cfg) throw new GatewayError('STREAM_UNKNOWN', `no stream named ${name}`);
    return cfg;
  }

  private async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(name)) throw new GatewayError('STREAM_BUSY', `stream ${name} is being changed; try again`);
    this.busy.add(name);
    try {
      return await fn();
    } finally {
      this.busy.delete(name);
    }
  }

  /** Writes the streams when persisting; on failure undoes the change and rethrows. */
  private async save(undo: () => Promise<void>): Promise<void> {
    if (!this.persist) return;
    try {
      await this.persist(this.configs());
    } catch (err) {
      this.log.error('config.write-failed', { error: err instanceof Error ? err.message : String(err) });
      await undo();
      throw new CamwireError('PERSIST_FAILED', 'the config file could not be written; the change was undone');
    }
  }
}
