/** Where the repository, the shared corpus and external tools are, for tests. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'lib'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}

export const repoRoot = findRoot();

/** CI sets CAMWIRE_CI=1: there a missing tool or corpus is a failure, not a skip. */
export const inCI = process.env.CAMWIRE_CI === '1';

export const corpusDir = resolve(repoRoot, process.env.CAMWIRE_CORPUS ?? '../shared/corpus');

/** Path of a corpus file, or a skip reason when the corpus is absent (a failure in CI). */
export function corpusFile(name: string): { path?: string; skip?: string } {
  const path = join(corpusDir, name);
  if (existsSync(path)) return { path };
  if (inCI) throw new Error(`corpus file ${path} missing in CI`);
  return { skip: `corpus file ${path} not present` };
}

export function readCorpus(name: string): Buffer | undefined {
  const f = corpusFile(name);
  return f.path ? readFileSync(f.path) : undefined;
}

/** Skip reason when `cmd` is not on PATH (throws in CI, where .ci/run installs it). */
export function missingTool(cmd: string, versionArg = '-version'): string | false {
  const r = spawnSync(cmd, [versionArg], { stdio: 'ignore' });
  if (!r.error) return false;
  if (inCI) throw new Error(`${cmd} is required in CI but not installed`);
  return `${cmd} not installed`;
}

/** The `$`-framed payloads of an interleaved capture: channel and bytes (views). */
export function interleavedFrames(buf: Uint8Array): { channel: number; data: Uint8Array }[] {
  const out: { channel: number; data: Uint8Array }[] = [];
  let i = 0;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0x24) throw new Error(`no $ at offset ${i}`);
    const len = (buf[i + 2] << 8) | buf[i + 3];
    out.push({ channel: buf[i + 1], data: buf.subarray(i + 4, i + 4 + len) });
    i += 4 + len;
  }
  return out;
}
