/**
 * RTSP header fields in arrival order. Names keep their original spelling (cameras send
 * `Cseq`, `Content-length`); lookups are case-insensitive.
 */
export class RtspHeaders {
  private readonly list: [name: string, value: string][] = [];

  constructor(init?: Iterable<readonly [string, string]> | Record<string, string | number>) {
    if (!init) return;
    if (Symbol.iterator in Object(init)) {
      for (const [n, v] of init as Iterable<readonly [string, string]>) this.append(n, v);
    } else {
      for (const [n, v] of Object.entries(init as Record<string, string | number>)) this.append(n, String(v));
    }
  }

  get size(): number {
    return this.list.length;
  }

  /** First value of `name`, or undefined. */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    for (const [n, v] of this.list) if (n.toLowerCase() === key) return v;
    return undefined;
  }

  /** Every value of `name` in order (WWW-Authenticate may repeat). */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (const [n, v] of this.list) if (n.toLowerCase() === key) out.push(v);
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  append(name: string, value: string): this {
    this.list.push([name, value]);
    return this;
  }

  /** Replaces every field called `name` with one (kept at the first one's position). */
  set(name: string, value: string): this {
    const key = name.toLowerCase();
    const at = this.list.findIndex(([n]) => n.toLowerCase() === key);
    this.delete(name);
    if (at < 0 || at > this.list.length) this.list.push([name, value]);
    else this.list.splice(at, 0, [name, value]);
    return this;
  }

  delete(name: string): this {
    const key = name.toLowerCase();
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i][0].toLowerCase() === key) this.list.splice(i, 1);
    return this;
  }

  entries(): readonly (readonly [string, string])[] {
    return this.list;
  }

  [Symbol.iterator](): Iterator<readonly [string, string]> {
    return this.list[Symbol.iterator]();
  }

  clone(): RtspHeaders {
    return new RtspHeaders(this.list);
  }
}
