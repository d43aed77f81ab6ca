/**
 * The one-packet lag behind a camera that does not mark the ends of its access units: the end of
 * such a unit is only known when the next one starts, and a browser needs the marker to assemble
 * the frame. Before each push, whatever the previous push produced is staged here (marker left
 * for later) and written out ahead of the new push's packets once it is known whether the new
 * push began a new unit; then the last staged packet gets the marker.
 */
export class UnitLag {
  /** The staged packets' unit has a slice (a unit of parameter sets alone is never marked). */
  markLast = false;
  /** The push after the staged packets began a new unit (or the stream ended): their unit ended. */
  endsUnit = false;
  /** About the packet `writeNext` wrote last: the first of its unit; its unit holds an IDR. */
  unitStart = false;
  keyframe = false;

  private buf = new Uint8Array(0);
  /** End offset in `buf` of each staged packet. */
  private readonly ends: number[] = [];
  private readonly keyframes: boolean[] = [];
  private count = 0;
  private index = 0;
  /** Which staged packet starts its unit, -1 for none. */
  private unitStartAt = -1;

  /** Staged packets are left to write. */
  get pending(): boolean {
    return this.index < this.count;
  }

  /** Forgets the staged packets (written or not). */
  clear(): void {
    this.count = this.index = 0;
    this.unitStartAt = -1;
  }

  /** Room for the next staged packet, `mtu` bytes (the buffer grows to a unit's burst). */
  slot(mtu: number): Uint8Array {
    const pos = this.count === 0 ? 0 : this.ends[this.count - 1];
    if (this.buf.length < pos + mtu) {
      const bigger = new Uint8Array(Math.max(pos + mtu, this.buf.length * 2));
      bigger.set(this.buf.subarray(0, pos));
      this.buf = bigger;
    }
    return this.buf.subarray(pos, pos + mtu);
  }

  /** The packet just written into `slot()` is `n` bytes long. */
  add(n: number, unitStart: boolean, keyframe: boolean): void {
    const pos = this.count === 0 ? 0 : this.ends[this.count - 1];
    if (unitStart) this.unitStartAt = this.count;
    this.keyframes[this.count] = keyframe;
    this.ends[this.count++] = pos + n;
  }

  /** Writes the next staged packet into `out`, marked when it is the last of a unit that ended. */
  writeNext(out: Uint8Array): number {
    const i = this.index++;
    const from = i === 0 ? 0 : this.ends[i - 1];
    const n = this.ends[i] - from;
    out.set(this.buf.subarray(from, from + n));
    if (i === this.count - 1 && this.endsUnit && this.markLast) out[1] |= 0x80;
    this.unitStart = i === this.unitStartAt;
    this.keyframe = this.keyframes[i];
    return n;
  }
}
