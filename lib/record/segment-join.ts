/**
 * Several consecutive segments as one fragmented MP4 (the `?start=&duration=` download): the
 * first segment's ftyp + moov, then every segment's fragments in order, each fragment's tfdt
 * moved on by the media time of the segments before it (the video's length, in each track's
 * timescale, so the tracks stay together) and its sequence number made continuous. Segments
 * must share one codec setup (the same moov): JOIN_MIXED otherwise, checked before anything
 * is written. Files are read one at a time (memory: one segment); boxes after a segment's last
 * whole fragment (a crash) are left out.
 */
import { readFile } from 'node:fs/promises';
import { CamwireError } from '../errors.js';

export class JoinError extends CamwireError {
  declare readonly code: 'JOIN_MIXED' | 'JOIN_BAD_FILE';
  constructor(code: 'JOIN_MIXED' | 'JOIN_BAD_FILE', message: string) {
    super(code, message);
  }
}

interface Box {
  type: string;
  start: number;
  end: number;
}

const type4 = (b: Uint8Array, o: number): string => String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);

function children(b: Uint8Array, start: number, end: number): Box[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Box[] = [];
  for (let o = start; o + 8 <= end;) {
    const size = v.getUint32(o);
    if (size < 8 || o + size > end) break;
    out.push({ type: type4(b, o + 4), start: o, end: o + size });
    o += size;
  }
  return out;
}

/** Track id -> timescale, and the video track's id, from a moov box. */
function trackTimescales(b: Uint8Array, moov: Box): { timescales: Map<number, number>; video: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const timescales = new Map<number, number>();
  let video = 0;
  for (const trak of children(b, moov.start + 8, moov.end)) {
    if (trak.type !== 'trak') continue;
    const tkhd = children(b, trak.start + 8, trak.end).find((x) => x.type === 'tkhd');
    const mdia = children(b, trak.start + 8, trak.end).find((x) => x.type === 'mdia');
    const mdhd = mdia && children(b, mdia.start + 8, mdia.end).find((x) => x.type === 'mdhd');
    const hdlr = mdia && children(b, mdia.start + 8, mdia.end).find((x) => x.type === 'hdlr');
    if (!tkhd || !mdhd || !hdlr) continue;
    const id = v.getUint32(tkhd.start + 8 + (b[tkhd.start + 8] === 1 ? 20 : 12));
    timescales.set(id, v.getUint32(mdhd.start + 8 + (b[mdhd.start + 8] === 1 ? 20 : 12)));
    if (type4(b, hdlr.start + 16) === 'vide') video = id;
  }
  return { timescales, video };
}

/** Moves a moof's tfdt on by `offsetSeconds` and sets its sequence number; returns the video run's end (ticks) or -1. */
function patchMoof(b: Uint8Array, moof: Box, offsetSeconds: number, timescales: Map<number, number>, video: number, seq: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let videoEnd = -1;
  for (const box of children(b, moof.start + 8, moof.end)) {
    if (box.type === 'mfhd') v.setUint32(box.start + 12, seq);
    if (box.type !== 'traf') continue;
    const parts = children(b, box.start + 8, box.end);
    const tfhd = parts.find((x) => x.type === 'tfhd');
    const tfdt = parts.find((x) => x.type === 'tfdt');
    const trun = parts.find((x) => x.type === 'trun');
    if (!tfhd || !tfdt) continue;
    const id = v.getUint32(tfhd.start + 12);
    const at = tfdt.start + 12;
    const wide = b[tfdt.start + 8] === 1;
    const base = wide ? v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4) : v.getUint32(at);
    const moved = base + Math.round(offsetSeconds * (timescales.get(id) ?? 0));
    if (wide) {
      v.setUint32(at, Math.floor(moved / 2 ** 32));
      v.setUint32(at + 4, moved >>> 0);
    } else if (moved <= 0xffffffff) {
      v.setUint32(at, moved);
    } else {
      throw new JoinError('JOIN_BAD_FILE', 'a 32-bit tfdt cannot hold the joined time');
    }
    if (id === video && trun) videoEnd = base + runDuration(b, trun);
  }
  return videoEnd;
}

/** Sum of a trun's sample durations (0 when it carries none). */
function runDuration(b: Uint8Array, trun: Box): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = v.getUint32(trun.start + 8) & 0xffffff;
  if (!(flags & 0x100)) return 0;
  const count = v.getUint32(trun.start + 12);
  const per = (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0);
  let o = trun.start + 16 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
  let d = 0;
  for (let i = 0; i < count && o + 4 <= trun.end; i++, o += per) d += v.getUint32(o);
  return d;
}

/** The ftyp + moov bytes of a segment file (what must match for a join). */
async function initOf(path: string): Promise<Uint8Array> {
  const b = await readFile(path);
  const top = children(b, 0, b.length);
  const moov = top.find((x) => x.type === 'moov');
  if (!moov) throw new JoinError('JOIN_BAD_FILE', `${path} has no moov`);
  return b.subarray(0, moov.end);
}

/** Checks that `paths` can be joined (JOIN_MIXED, JOIN_BAD_FILE). Call before the answer starts. */
export async function checkJoin(paths: readonly string[]): Promise<void> {
  let first: Uint8Array | undefined;
  for (const p of paths) {
    const init = await initOf(p);
    first ??= init;
    if (Buffer.compare(first, init) !== 0) throw new JoinError('JOIN_MIXED', 'the segments differ in their codec setup (a camera change): download them one by one');
  }
}

/** Writes the joined file through `write` (awaited: back-pressure), one segment read at a time. */
export async function joinSegments(paths: readonly string[], write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  let offsetSeconds = 0;
  let seq = 1;
  for (let i = 0; i < paths.length; i++) {
    const b = await readFile(paths[i]);
    const top = children(b, 0, b.length);
    const moov = top.find((x) => x.type === 'moov');
    if (!moov) throw new JoinError('JOIN_BAD_FILE', `${paths[i]} has no moov`);
    const { timescales, video } = trackTimescales(b, moov);
    if (i === 0) await write(b.subarray(0, moov.end));
    let videoEnd = 0;
    for (let k = 0; k < top.length; k++) {
      const box = top[k];
      if (box.type !== 'moof' || top[k + 1]?.type !== 'mdat') continue;
      const end = patchMoof(b, box, offsetSeconds, timescales, video, seq++);
      videoEnd = Math.max(videoEnd, end);
      await write(b.subarray(box.start, top[k + 1].end));
    }
    offsetSeconds += videoEnd / (timescales.get(video) || 1);
  }
}
