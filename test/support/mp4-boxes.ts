/**
 * A tiny ISO BMFF reader for tests, written apart from lib/mp4: walks the box tree, checks that
 * every box's size fits its parent and that a container's children fill it exactly.
 */

export interface Box {
  type: string;
  /** Offset of the box in the whole buffer. */
  start: number;
  size: number;
  /** The box's content after its 8-byte header (views into the input). */
  body: Uint8Array;
  children: Box[];
}

/** Boxes holding only boxes. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'dinf', 'stbl', 'mvex', 'moof', 'traf']);
/** Boxes holding fields, then boxes: how many bytes of fields come first. */
const FIELDS_THEN_BOXES: Record<string, number> = { stsd: 8, dref: 8, avc1: 78, mp4a: 28, Opus: 28 };

export function readBoxes(buf: Uint8Array, start = 0, end = buf.length, where = ''): Box[] {
  const out: Box[] = [];
  let i = start;
  while (i < end) {
    if (i + 8 > end) throw new Error(`${where}: ${end - i} stray bytes at ${i}`);
    const size = ((buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3]) >>> 0;
    const type = String.fromCharCode(buf[i + 4], buf[i + 5], buf[i + 6], buf[i + 7]);
    if (size < 8 || i + size > end) throw new Error(`${where}/${type}: size ${size} at ${i} does not fit its parent (ends at ${end})`);
    const box: Box = { type, start: i, size, body: buf.subarray(i + 8, i + size), children: [] };
    const skip = CONTAINERS.has(type) ? 0 : FIELDS_THEN_BOXES[type];
    if (skip !== undefined) {
      if (8 + skip > size) throw new Error(`${where}/${type}: ${size} bytes cannot hold its ${skip} bytes of fields`);
      box.children = readBoxes(buf, i + 8 + skip, i + size, `${where}/${type}`);
    }
    out.push(box);
    i += size;
  }
  return out;
}

/** The types of a box list, children in brackets: "moov[mvhd trak[...]]". */
export function outline(boxes: readonly Box[]): string {
  return boxes.map((b) => (b.children.length ? `${b.type}[${outline(b.children)}]` : b.type)).join(' ');
}

/** The first box at a path of types ("moov/trak/mdia/mdhd"), or throws. */
export function find(boxes: readonly Box[], path: string): Box {
  const [head, ...rest] = path.split('/');
  const box = boxes.find((b) => b.type === head);
  if (!box) throw new Error(`no ${head} box (have ${boxes.map((b) => b.type).join(' ')})`);
  return rest.length ? find(box.children, rest.join('/')) : box;
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export interface TrunSample { duration: number; size: number; flags: number; compositionOffset: number }

/** A fragment's fields: mfhd sequence, tfhd track, tfdt decode time, trun data offset and samples, mdat payload. */
export function readFragment(buf: Uint8Array): { sequence: number; trackId: number; baseDecodeTime: number; dataOffset: number; samples: TrunSample[]; moofSize: number; mdat: Box } {
  const boxes = readBoxes(buf);
  const moof = find(boxes, 'moof');
  const tfhd = find(boxes, 'moof/traf/tfhd').body;
  const tfdt = find(boxes, 'moof/traf/tfdt').body;
  const trun = find(boxes, 'moof/traf/trun').body;
  const flags = u32(trun, 0) & 0xffffff;
  if (flags !== 0xf01) throw new Error(`trun flags ${flags.toString(16)}`);
  const count = u32(trun, 4);
  const samples: TrunSample[] = [];
  for (let k = 0; k < count; k++) {
    const o = 12 + 16 * k;
    samples.push({ duration: u32(trun, o), size: u32(trun, o + 4), flags: u32(trun, o + 8), compositionOffset: u32(trun, o + 12) });
  }
  if (12 + 16 * count !== trun.length) throw new Error('trun length does not match its sample count');
  if (tfdt[0] !== 1) throw new Error('tfdt is not version 1');
  return {
    sequence: u32(find(boxes, 'moof/mfhd').body, 4),
    trackId: u32(tfhd, 4),
    baseDecodeTime: u32(tfdt, 4) * 2 ** 32 + u32(tfdt, 8),
    dataOffset: u32(trun, 8),
    samples,
    moofSize: moof.size,
    mdat: find(boxes, 'mdat'),
  };
}
