/**
 * Writing the stream API's changes back to the --config file (persistApi): the file is read,
 * its `streams` replaced, and the result written to a temporary file beside it and renamed
 * over it, so a crash or a full disk leaves the old file or the new one, never half of one.
 * Writes are queued: two API calls never interleave their writes.
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { StreamConfig } from '../gateway/gateway.js';
import type { PersistStreams } from './stream-manager.js';

export function configFileWriter(file: string): PersistStreams {
  let queue: Promise<unknown> = Promise.resolve();
  return (streams) => {
    const write = queue.then(() => rewriteStreams(file, streams));
    queue = write.catch(() => undefined);
    return write;
  };
}

async function rewriteStreams(file: string, streams: Record<string, StreamConfig>): Promise<void> {
  const current = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify({ ...current, streams }, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
