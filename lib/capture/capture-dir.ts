/**
 * The capture directory's byte budget, shared by every stream's capture: it knows each
 * `.pcapng` file's size (those found at start included) and deletes the oldest finished ones
 * when the total passes `maxBytesTotal`. The files being written are never deleted.
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

interface FileEntry {
  path: string;
  bytes: number;
  open: boolean;
}

export class CaptureDirectory {
  private readonly files: FileEntry[] = [];

  constructor(readonly dir: string, private readonly maxBytesTotal: number) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.pcapng'));
    } catch {
      // Made by the first capture that opens a file (and reported there if it cannot be).
    }
    const found: (FileEntry & { mtime: number })[] = [];
    for (const n of names) {
      try {
        const st = statSync(join(dir, n));
        if (st.isFile()) found.push({ path: join(dir, n), bytes: st.size, open: false, mtime: st.mtimeMs });
      } catch {
        // vanished meanwhile
      }
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) this.files.push({ path: f.path, bytes: f.bytes, open: false });
  }

  get totalBytes(): number {
    let n = 0;
    for (const f of this.files) n += f.bytes;
    return n;
  }

  /** A file begins (newest last). */
  opened(path: string): void {
    this.files.push({ path, bytes: 0, open: true });
  }

  grew(path: string, bytes: number): void {
    const f = this.files.find((x) => x.path === path);
    if (f) f.bytes += bytes;
    this.enforce();
  }

  closed(path: string): void {
    const f = this.files.find((x) => x.path === path);
    if (f) f.open = false;
    this.enforce();
  }

  private enforce(): void {
    let total = this.totalBytes;
    while (total > this.maxBytesTotal) {
      const i = this.files.findIndex((f) => !f.open);
      if (i < 0) return;
      const [victim] = this.files.splice(i, 1);
      total -= victim.bytes;
      // Called from the file writer, never the packet path; synchronous so the budget holds when a write returns.
      try {
        unlinkSync(victim.path);
      } catch {
        // already gone
      }
    }
  }
}
