/**
 * Wrap-safe arithmetic for 16-bit RTP sequence numbers and 32-bit RTP timestamps
 * (RFC 3550 / RFC 1982 serial number arithmetic). Every sequence comparison in camwire
 * goes through these helpers: a plain `a > b` stalls at 65535 -> 0.
 */

/** Signed distance from `a` to `b` in [-32768, 32767]: positive when `b` is newer. */
export function seqDistance(a: number, b: number): number {
  return (((b - a) & 0xffff) << 16) >> 16;
}

/** True when `a` comes strictly before `b`. */
export function seqLessThan(a: number, b: number): boolean {
  return seqDistance(a, b) > 0;
}

/** True when `a` comes strictly after `b`. */
export function seqGreaterThan(a: number, b: number): boolean {
  return seqDistance(a, b) < 0;
}

/** `seq + n` modulo 2^16 (n may be negative). */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) & 0xffff;
}

/** Signed distance from timestamp `a` to `b` in [-2^31, 2^31 - 1]. */
export function tsDistance(a: number, b: number): number {
  return (b - a) | 0;
}

export function tsLessThan(a: number, b: number): boolean {
  return tsDistance(a, b) > 0;
}

export function tsGreaterThan(a: number, b: number): boolean {
  return tsDistance(a, b) < 0;
}

/** `ts + n` modulo 2^32 (n may be negative). */
export function tsAdd(ts: number, n: number): number {
  return (ts + n) >>> 0;
}

/**
 * Turns 16-bit sequence numbers into extended, monotonic numbers (cycles * 65536 + seq).
 * A packet from before the newest one (reordered) maps to the cycle it belongs to,
 * so a late packet just after a wrap gets a smaller extended number, not a huge one.
 */
export class SeqUnwrapper {
  private highest = -1;

  /** Extended number for `seq`. The first packet seen gets 65536 + seq so late ones stay positive. */
  unwrap(seq: number): number {
    if (this.highest < 0) {
      this.highest = 65536 + seq;
      return this.highest;
    }
    const ext = this.highest + seqDistance(this.highest & 0xffff, seq);
    if (ext > this.highest) this.highest = ext;
    return ext;
  }

  /** Extended number of `seq` without recording it. */
  peek(seq: number): number {
    if (this.highest < 0) return 65536 + seq;
    return this.highest + seqDistance(this.highest & 0xffff, seq);
  }

  /** Highest extended number seen so far, or -1 before the first packet. */
  get highestExtended(): number {
    return this.highest;
  }

  reset(): void {
    this.highest = -1;
  }
}
