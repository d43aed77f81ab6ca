/**
 * Which of a stream's segments go: the oldest first, while any is older than `retainMs` or
 * the segments together pass `retainBytes`. The segment being written is never deleted (nor
 * counted as deletable), so a stream always keeps what it is recording.
 */
export interface SegmentFile {
  name: string;
  /** UTC start, ms since the epoch. */
  startMs: number;
  bytes: number;
}

export interface RetentionRule {
  retainMs: number;
  retainBytes: number;
}

/** Names to delete, oldest first. `segments` in any order; `writing`: the open segment's name. */
export function segmentsToDelete(segments: readonly SegmentFile[], nowMs: number, rule: RetentionRule, writing?: string): string[] {
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs || (a.name < b.name ? -1 : 1));
  let total = 0;
  for (const s of sorted) total += s.bytes;
  const out: string[] = [];
  for (const s of sorted) {
    if (s.name === writing) continue;
    const old = nowMs - s.startMs > rule.retainMs;
    if (!old && total <= rule.retainBytes) break;
    out.push(s.name);
    total -= s.bytes;
  }
  return out;
}
