/**
 * Generic NACK (RFC 4585 6.2.1, RTPFB FMT 1) and the conversion between lost sequence
 * numbers and PID+BLP items: PID names one lost packet, bit i of BLP the packet PID+i+1.
 */
import { readU32, writeU32 } from '../rtp/packet.js';
import { seqAdd } from '../rtp/seq.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { FMT_NACK, PT_RTPFB, RTCP_HEADER_SIZE, checkPacketSize, writeHeader } from './header.js';
import { FEEDBACK_COMMON_SIZE, checkFeedbackBody } from './feedback.js';

export interface NackItem {
  /** Packet ID: a lost sequence number. */
  pid: number;
  /** Bitmask of following lost packets: bit i set = PID + i + 1 lost. */
  blp: number;
}

export interface RtcpNack {
  type: 'nack';
  senderSsrc: number;
  mediaSsrc: number;
  items: NackItem[];
}

export function parseNack(buf: Uint8Array, start: number, end: number): RtcpNack {
  checkFeedbackBody(start, end, 'NACK');
  const n = (end - start - FEEDBACK_COMMON_SIZE) >> 2;
  if (start + FEEDBACK_COMMON_SIZE + n * 4 !== end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', 'NACK FCI is not whole 4-byte items');
  const items: NackItem[] = new Array(n);
  for (let k = 0, o = start + FEEDBACK_COMMON_SIZE; k < n; k++, o += 4) {
    items[k] = { pid: (buf[o] << 8) | buf[o + 1], blp: (buf[o + 2] << 8) | buf[o + 3] };
  }
  return { type: 'nack', senderSsrc: readU32(buf, start), mediaSsrc: readU32(buf, start + 4), items };
}

export function nackSize(p: RtcpNack): number {
  return checkPacketSize(RTCP_HEADER_SIZE + FEEDBACK_COMMON_SIZE + p.items.length * 4, 'NACK');
}

export function writeNack(p: RtcpNack, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, FMT_NACK, PT_RTPFB, size);
  writeU32(buf, o + 4, p.senderSsrc);
  writeU32(buf, o + 8, p.mediaSsrc);
  let i = o + 12;
  for (const it of p.items) {
    if ((it.pid | it.blp) >>> 16 !== 0) throw new RtcpSerializeError('RTCP_BAD_FIELD', `NACK item pid ${it.pid} blp ${it.blp} is not 16-bit`);
    buf[i] = it.pid >> 8;
    buf[i + 1] = it.pid & 0xff;
    buf[i + 2] = it.blp >> 8;
    buf[i + 3] = it.blp & 0xff;
    i += 4;
  }
  return o + size;
}

/**
 * The fewest PID+BLP items naming exactly the given sequence numbers (duplicates ignored,
 * values taken mod 2^16). The numbers are ordered around the 16-bit circle starting after
 * the largest gap, so a loss run across 65535 -> 0 stays one run; a greedy pass then opens
 * a new item only when a number is more than 16 past the current PID, which is optimal on
 * that order. (Only when no gap anywhere exceeds 16, i.e. thousands of numbers spread over
 * the whole circle, can the result exceed the optimum, by at most one item.)
 */
export function seqsToNackItems(seqs: Iterable<number>): NackItem[] {
  const n = collectSorted(seqs);
  if (n === 0) return [];
  const sorted = scratch;
  // start after the widest gap between neighbours on the circle
  let first = 0;
  let widest = (sorted[0] - sorted[n - 1]) & 0xffff;
  for (let i = 1; i < n; i++) {
    const gap = (sorted[i] - sorted[i - 1]) & 0xffff;
    if (gap > widest) { widest = gap; first = i; }
  }
  const items: NackItem[] = [];
  let pid = sorted[first];
  let blp = 0;
  for (let k = 1, i = first + 1; k < n; k++, i++) {
    if (i === n) i = 0;
    const d = (sorted[i] - pid) & 0xffff;
    if (d === 0) continue; // duplicate
    if (d <= 16) {
      blp |= 1 << (d - 1);
    } else {
      items.push({ pid, blp });
      pid = sorted[i];
      blp = 0;
    }
  }
  items.push({ pid, blp });
  return items;
}

/** Reused across calls (NACK generation runs per packet gap): numbers mod 2^16 in circular order. */
let scratch = new Uint16Array(64);

function collectSorted(seqs: Iterable<number>): number {
  let n = 0;
  if (Array.isArray(seqs)) {
    const a = seqs as readonly number[];
    if (a.length > scratch.length) scratch = new Uint16Array(a.length * 2);
    for (; n < a.length; n++) scratch[n] = a[n];
  } else {
    for (const s of seqs) {
      if (n === scratch.length) { const bigger = new Uint16Array(n * 2); bigger.set(scratch); scratch = bigger; }
      scratch[n++] = s;
    }
  }
  let descents = 0;
  for (let i = 1; i < n; i++) if (scratch[i] < scratch[i - 1]) descents++;
  // NACK generators pass numbers in order, often wrapping once past 65535: already in
  // circular order, which is all the caller needs
  if (descents === 0 || (descents === 1 && scratch[n - 1] <= scratch[0])) return n;
  if (n <= 32) {
    // insertion sort: no native call or view for the usual handful of losses
    for (let i = 1; i < n; i++) {
      const v = scratch[i];
      let j = i - 1;
      while (j >= 0 && scratch[j] > v) { scratch[j + 1] = scratch[j]; j--; }
      scratch[j + 1] = v;
    }
  } else {
    scratch.subarray(0, n).sort();
  }
  return n;
}

/** Every sequence number the items name, in item order, each once (items may overlap). */
export function nackItemsToSeqs(items: readonly NackItem[]): number[] {
  const out: number[] = [];
  // items in ascending order, each more than 16 past the previous and all within one turn
  // of the circle (what senders write), cannot repeat a number: skip the Set
  let overlap = false;
  for (let k = 1, span = 16; k < items.length && !overlap; k++) {
    const d = (items[k].pid - items[k - 1].pid) & 0xffff;
    span += d;
    overlap = d <= 16 || d >= 32768 || span >= 65536;
  }
  const seen = overlap ? new Set<number>() : undefined;
  for (const it of items) {
    const pid = it.pid & 0xffff;
    if (!seen || !seen.has(pid)) { out.push(pid); seen?.add(pid); }
    for (let b = it.blp & 0xffff, i = 1; b !== 0; b >>>= 1, i++) {
      if ((b & 1) === 0) continue;
      const s = seqAdd(pid, i);
      if (!seen || !seen.has(s)) { out.push(s); seen?.add(s); }
    }
  }
  return out;
}
