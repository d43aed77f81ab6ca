/**
 * A segment file's length, read from its boxes (for segments this process did not write, or
 * wrote before a restart): the video track's timescale from the moov, then each moof's tfdt
 * plus its trun's sample durations; mdat payloads are skipped, never read. A file cut short
 * (a crash mid-fragment) counts up to its last fragment whose mdat is whole.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface ScannedSegment {
  durationMs: number;
  frames: number;
}

/** Largest moov or moof read (bytes); a larger one ends the scan there. */
const MAX_BOX_READ = 4 * 1024 * 1024;

const type4 = (b: Uint8Array, o: number): string => String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);

/** Child boxes of the content `b[start, end)`: [type, content start, content end]. */
function* boxes(b: Uint8Array, start: number, end: number): Generator<[string, number, number]> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = start;
  while (o + 8 <= end) {
    const size = v.getUint32(o);
    if (size < 8 || o + size > end) return;
    yield [type4(b, o + 4), o + 8, o + size];
    o += size;
  }
}

function find(b: Uint8Array, start: number, end: number, type: string): [number, number] | undefined {
  for (const [t, s, e] of boxes(b, start, end)) if (t === type) return [s, e];
  return undefined;
}

/** The video track's id and timescale from a moov's content. */
function videoTrack(b: Uint8Array, start: number, end: number): { id: number; timescale: number } | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const [t, s, e] of boxes(b, start, end)) {
    if (t !== 'trak') continue;
    const tkhd = find(b, s, e, 'tkhd');
    const mdia = find(b, s, e, 'mdia');
    if (!tkhd || !mdia) continue;
    const mdhd = find(b, mdia[0], mdia[1], 'mdhd');
    const hdlr = find(b, mdia[0], mdia[1], 'hdlr');
    if (!mdhd || !hdlr || type4(b, hdlr[0] + 8) !== 'vide') continue;
    const id = v.getUint32(tkhd[0] + (b[tkhd[0]] === 1 ? 20 : 12));
    const timescale = v.getUint32(mdhd[0] + (b[mdhd[0]] === 1 ? 20 : 12));
    return { id, timescale };
  }
  return undefined;
}

/** End (decode time) and sample count of the video track's run in a moof's content. */
function moofEnd(b: Uint8Array, start: number, end: number, trackId: number): { end: number; frames: number } | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const [t, s, e] of boxes(b, start, end)) {
    if (t !== 'traf') continue;
    const tfhd = find(b, s, e, 'tfhd');
    const tfdt = find(b, s, e, 'tfdt');
    const trun = find(b, s, e, 'trun');
    if (!tfhd || !tfdt || !trun || v.getUint32(tfhd[0] + 4) !== trackId) continue;
    const base = b[tfdt[0]] === 1 ? v.getUint32(tfdt[0] + 4) * 2 ** 32 + v.getUint32(tfdt[0] + 8) : v.getUint32(tfdt[0] + 4);
    const flags = v.getUint32(trun[0]) & 0xffffff;
    const count = v.getUint32(trun[0] + 4);
    let o = trun[0] + 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
    const perSample = (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0);
    let duration = 0;
    if (flags & 0x100) {
      for (let i = 0; i < count && o + 4 <= trun[1]; i++, o += perSample) duration += v.getUint32(o);
    } else {
      const tfFlags = v.getUint32(tfhd[0]) & 0xffffff;
      const at = tfhd[0] + 8 + (tfFlags & 0x1 ? 8 : 0) + (tfFlags & 0x2 ? 4 : 0);
      duration = tfFlags & 0x8 ? v.getUint32(at) * count : 0;
    }
    return { end: base + duration, frames: count };
  }
  return undefined;
}

async function readBox(fh: FileHandle, at: number, size: number): Promise<Uint8Array | undefined> {
  if (size > MAX_BOX_READ) return undefined;
  const buf = new Uint8Array(size);
  const { bytesRead } = await fh.read(buf, 0, size, at);
  return bytesRead === size ? buf : undefined;
}

/** Reads a segment's length; zero for a file with no whole fragment. */
export async function scanSegment(path: string): Promise<ScannedSegment> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = new Uint8Array(8);
    let track: { id: number; timescale: number } | undefined;
    let endTicks = 0;
    let frames = 0;
    /** The last moof's run: counted once its mdat is there whole. */
    let pending: { end: number; frames: number } | undefined;
    for (let at = 0; at + 8 <= size;) {
      await fh.read(head, 0, 8, at);
      const boxSize = new DataView(head.buffer).getUint32(0);
      const type = type4(head, 4);
      if (boxSize < 8 || at + boxSize > size) break;
      if (type === 'mdat' && pending) {
        endTicks = Math.max(endTicks, pending.end);
        frames += pending.frames;
      }
      pending = undefined;
      if (type === 'moov' || (type === 'moof' && track)) {
        const box = await readBox(fh, at, boxSize);
        if (!box) break;
        if (type === 'moov') track = videoTrack(box, 8, box.length);
        else pending = moofEnd(box, 8, box.length, track!.id);
      }
      at += boxSize;
    }
    return { durationMs: track && track.timescale > 0 ? Math.round((endTicks * 1000) / track.timescale) : 0, frames };
  } finally {
    await fh.close();
  }
}
