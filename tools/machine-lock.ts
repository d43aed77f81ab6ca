/**
 * A machine-wide lock between test processes, so two Chromium-driven runs never overlap: on two
 * cores, four decoding viewers plus a camera encoder in each of two parallel spec files starve
 * each other, and Chromium then reports freezes that are the test machine's, not camwire's.
 * Re-entrant within one process; a lock left by a process that died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const held = new Map<string, number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    } catch {
      // being created or removed right now: try again shortly
      return false;
    }
    if (Number.isInteger(owner) && !alive(owner)) rmSync(dir, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  return true;
}

/** Waits (polling, at most `timeoutMs`) until this process holds `name`; returns the release function. */
export async function machineLock(name: string, timeoutMs = 300_000): Promise<() => void> {
  const dir = join(tmpdir(), `camwire-lock-${name}`);
  const count = held.get(name) ?? 0;
  if (count === 0) {
    const deadline = Date.now() + timeoutMs;
    while (!tryTake(dir)) {
      if (Date.now() > deadline) throw new Error(`machine lock ${name} not free after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  held.set(name, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(name) ?? 1) - 1;
    held.set(name, left);
    if (left === 0) rmSync(dir, { recursive: true, force: true });
  };
}
