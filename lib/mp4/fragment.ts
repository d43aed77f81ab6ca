/**
 * One track's next media segment: `moof` (mfhd, traf: tfhd, tfdt, trun) + `mdat`. Samples are
 * staged as they come (their bytes copied into one reused, bounded buffer: the caller's views
 * may be transient), then written into one buffer of exactly the fragment's size.
 */
import { BoxWriter, fourcc } from './box-writer.js';

const MOOF = fourcc('moof');
const MFHD = fourcc('mfhd');
const TRAF = fourcc('traf');
const TFHD = fourcc('tfhd');
const TFDT = fourcc('tfdt');
const TRUN = fourcc('trun');
const MDAT = fourcc('mdat');

/** tfhd: data offsets count from the start of the moof (no base_data_offset needed). */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x02_0000;
/** trun: data-offset, sample-duration, sample-size, sample-flags, sample-composition-time-offset present. */
const TRUN_FLAGS = 0x00_0001 | 0x00_0100 | 0x00_0200 | 0x00_0400 | 0x00_0800;
/** sample_depends_on = 2 (depends on no other sample). */
const SAMPLE_FLAGS_SYNC = 0x0200_0000;
/** sample_depends_on = 1 and sample_is_non_sync_sample. */
const SAMPLE_FLAGS_NON_SYNC = 0x0101_0000;

const MDAT_HEADER = 8;
/** Bytes of a NAL unit's length prefix in the samples (avcC lengthSizeMinusOne = 3). */
const NAL_LENGTH_SIZE = 4;

/** Bytes of a moof holding one traf of `samples` samples: moof 8, mfhd 16, traf 8, tfhd 16, tfdt 20, trun 20 + 16 a sample. */
function moofSize(samples: number): number {
  return 88 + 16 * samples;
}

/** Bytes of a whole fragment (moof + mdat) of `samples` samples carrying `payload` bytes. */
export function fragmentSize(samples: number, payload: number): number {
  return moofSize(samples) + MDAT_HEADER + payload;
}

/** Bytes an access unit takes in a sample: each non-empty NAL unit with its 4-byte length. */
export function avccSize(nalus: readonly Uint8Array[]): number {
  let size = 0;
  for (let i = 0; i < nalus.length; i++) if (nalus[i].length > 0) size += NAL_LENGTH_SIZE + nalus[i].length;
  return size;
}

const INITIAL_STAGE_BYTES = 64 * 1024;

export class FragmentStage {
  /** Samples staged. */
  count = 0;
  /** Payload bytes staged. */
  bytes = 0;
  /** Decode time of the first staged sample, in the track's timescale. */
  baseDecodeTime = 0;
  private readonly durations: Uint32Array;
  private readonly sizes: Uint32Array;
  private readonly flags: Uint32Array;
  private data: Uint8Array;

  /** `capacity` samples at most; `maxPayloadBytes` bounds the staging buffer. */
  constructor(capacity: number, private readonly maxPayloadBytes: number) {
    this.durations = new Uint32Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.flags = new Uint32Array(capacity);
    this.data = new Uint8Array(Math.min(INITIAL_STAGE_BYTES, maxPayloadBytes));
  }

  get capacity(): number {
    return this.durations.length;
  }

  /** Stages an access unit in AVCC form; `size` is its avccSize (checked by the caller against the bounds). */
  addNalus(nalus: readonly Uint8Array[], size: number, sync: boolean, decodeTime: number): void {
    let o = this.reserve(size, sync, decodeTime);
    const data = this.data;
    for (let i = 0; i < nalus.length; i++) {
      const n = nalus[i];
      if (n.length === 0) continue;
      data[o] = n.length >>> 24;
      data[o + 1] = n.length >>> 16;
      data[o + 2] = n.length >>> 8;
      data[o + 3] = n.length;
      data.set(n, o + NAL_LENGTH_SIZE);
      o += NAL_LENGTH_SIZE + n.length;
    }
  }

  /** Stages one audio frame as it is. */
  addFrame(frame: Uint8Array, decodeTime: number): void {
    this.data.set(frame, this.reserve(frame.length, true, decodeTime));
  }

  /** Sets the duration of the newest staged sample (known once the next one's decode time is). */
  setLastDuration(duration: number): void {
    this.durations[this.count - 1] = duration;
  }

  /** Writes the staged samples as one fragment and empties the stage. */
  build(sequenceNumber: number, trackId: number): Uint8Array {
    const n = this.count;
    const moof = moofSize(n);
    const w = new BoxWriter(new Uint8Array(moof + MDAT_HEADER + this.bytes));
    const moofStart = w.begin(MOOF);
    const mfhd = w.beginFull(MFHD, 0, 0);
    w.u32(sequenceNumber);
    w.end(mfhd);
    const traf = w.begin(TRAF);
    const tfhd = w.beginFull(TFHD, 0, TFHD_DEFAULT_BASE_IS_MOOF);
    w.u32(trackId);
    w.end(tfhd);
    const tfdt = w.beginFull(TFDT, 1, 0);
    w.u64(this.baseDecodeTime);
    w.end(tfdt);
    const trun = w.beginFull(TRUN, 0, TRUN_FLAGS);
    w.u32(n);
    w.u32(moof + MDAT_HEADER); // data_offset: the first sample, just past the mdat header
    for (let i = 0; i < n; i++) {
      w.u32(this.durations[i]);
      w.u32(this.sizes[i]);
      w.u32(this.flags[i]);
      w.u32(0); // composition offset: no B-frames, presentation order is decode order
    }
    w.end(trun);
    w.end(traf);
    w.end(moofStart);
    const mdat = w.begin(MDAT);
    w.bytes(this.data.subarray(0, this.bytes));
    w.end(mdat);
    this.count = 0;
    this.bytes = 0;
    return w.buf;
  }

  /** Records a sample of `size` bytes; returns where its bytes go in the staging buffer. */
  private reserve(size: number, sync: boolean, decodeTime: number): number {
    const at = this.bytes;
    if (at + size > this.data.length) this.grow(at + size);
    if (this.count === 0) this.baseDecodeTime = decodeTime;
    this.sizes[this.count] = size;
    this.flags[this.count] = sync ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC;
    this.durations[this.count] = 0;
    this.count++;
    this.bytes = at + size;
    return at;
  }

  private grow(needed: number): void {
    let size = this.data.length;
    while (size < needed) size *= 2;
    const bigger = new Uint8Array(Math.min(size, Math.max(needed, this.maxPayloadBytes)));
    bigger.set(this.data.subarray(0, this.bytes));
    this.data = bigger;
  }
}
