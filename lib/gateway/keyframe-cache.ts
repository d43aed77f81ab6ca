/**
 * The newest keyframe's egress packets, kept so a new viewer can start on it at once instead of
 * waiting for the camera's next IDR. A keyframe unit is built packet by packet as it goes out
 * (`begin`, then `slot`+`commit` or `store` per packet, then `finish`) in arenas sized from the
 * last keyframe, so caching costs one allocation per keyframe, not one per packet. The unit
 * being built replaces the cached one only when it ends whole; one lost packet (`abandon`)
 * keeps the old one. Bounded by `maxBytes` (a camera that never ends its unit cannot grow memory
 * without end) and by `maxAgeMs` for starting viewers.
 */
import { MAX_EGRESS_PACKET } from './egress-packet.js';

/** A keyframe's egress packets, numbered from `firstSeq`, as a viewer starts on them. */
export interface CachedKeyframe {
  packets: readonly Uint8Array[];
  firstSeq: number;
}

/** The cached keyframe with when it arrived and its egress timestamp. */
export interface KeyframeEntry extends CachedKeyframe {
  /** When its first packet went out (ms). */
  at: number;
  timestamp: number;
}

export interface KeyframeCacheOptions {
  /** A cached keyframe older than this does not start viewers (ms). */
  maxAgeMs: number;
  /** A keyframe unit larger than this (bytes, RTP headers included) is not cached. */
  maxBytes: number;
}

/** Smallest arena: several ordinary keyframes' worth before the first one has given a size. */
const MIN_ARENA = 64 * 1024;

interface Building {
  packets: Uint8Array[];
  arena: Uint8Array;
  pos: number;
  bytes: number;
  at: number;
  timestamp: number;
}

export class KeyframeCache {
  private entry: KeyframeEntry | undefined;
  private unit: Building | undefined;
  private lastKeyframeBytes = 0;

  constructor(private readonly o: KeyframeCacheOptions) {}

  /** A keyframe unit is being built: its packets go into the cache as they go out. */
  get building(): boolean {
    return this.unit !== undefined;
  }

  /** Starts building the keyframe unit stamped `timestamp` whose first packet goes out at `now`. */
  begin(timestamp: number, now: number): void {
    this.unit = { packets: [], arena: this.newArena(), pos: 0, bytes: 0, at: now, timestamp };
  }

  /**
   * Room for the building unit's next packet (MAX_EGRESS_PACKET bytes), to be written in place
   * and then kept with `commit`. Only while `building`.
   */
  slot(): Uint8Array {
    const b = this.unit!;
    if (b.arena.length - b.pos < MAX_EGRESS_PACKET) this.nextArena(b);
    return b.arena.subarray(b.pos, b.pos + MAX_EGRESS_PACKET);
  }

  /**
   * Keeps `packet`, written at the start of the last `slot()`, as the unit's next packet. False
   * when it would take the unit over `maxBytes`: then nothing is cached (see `overflow`).
   */
  commit(packet: Uint8Array): boolean {
    const b = this.unit!;
    if (this.overflows(b, packet.length)) return false;
    b.packets.push(packet);
    b.pos += packet.length;
    return true;
  }

  /** Copies `packet` in as the unit's next packet and returns the copy; undefined over `maxBytes`. */
  store(packet: Uint8Array): Uint8Array | undefined {
    const b = this.unit!;
    if (this.overflows(b, packet.length)) return undefined;
    if (b.arena.length - b.pos < packet.length) this.nextArena(b);
    b.arena.set(packet, b.pos);
    const copy = b.arena.subarray(b.pos, b.pos + packet.length);
    b.pos += packet.length;
    b.packets.push(copy);
    return copy;
  }

  /**
   * The building unit ended whole: it becomes the cached keyframe. Its packets have been
   * numbered by then (they went out), so the first one's sequence number is read from it.
   */
  finish(): void {
    const b = this.unit;
    if (!b) return;
    this.unit = undefined;
    if (b.packets.length === 0) return;
    const first = b.packets[0];
    this.lastKeyframeBytes = b.bytes;
    this.entry = { packets: b.packets, firstSeq: (first[2] << 8) | first[3], at: b.at, timestamp: b.timestamp };
  }

  /** The building unit lost a packet: it must not start anyone. The cached one stays. */
  abandon(): void {
    this.unit = undefined;
  }

  /** The source restarted or stopped: it may come back with other parameters, so nothing cached is current. */
  invalidate(): void {
    this.unit = undefined;
    this.entry = undefined;
  }

  /** The cached keyframe, when there is one young enough to start a viewer on at `now`. */
  usable(now: number): KeyframeEntry | undefined {
    const e = this.entry;
    return e && now - e.at <= this.o.maxAgeMs ? e : undefined;
  }

  /** ms since the cached keyframe went out, -1 when none. */
  ageMs(now: number): number {
    return this.entry ? Math.round(now - this.entry.at) : -1;
  }

  get packetCount(): number {
    return this.entry?.packets.length ?? 0;
  }

  /**
   * Over the bound the unit is dropped, and the cached one with it: the frames after this
   * keyframe reference it, not the cached one, so that one is stale too.
   */
  private overflows(b: Building, length: number): boolean {
    if ((b.bytes += length) <= this.o.maxBytes) return false;
    this.invalidate();
    return true;
  }

  private nextArena(b: Building): void {
    b.arena = this.newArena();
    b.pos = 0;
  }

  /** Sized from the last keyframe, so one arena usually holds a whole keyframe. */
  private newArena(): Uint8Array {
    return new Uint8Array(Math.max(MIN_ARENA, Math.ceil(this.lastKeyframeBytes * 1.25) + MAX_EGRESS_PACKET));
  }
}
