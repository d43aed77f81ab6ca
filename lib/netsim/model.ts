/**
 * A network model transforms a stream of timed packets: drops some, duplicates some,
 * delays or holds others. Models never look at the packet data, so the same model works on
 * parsed packets in-process and on UDP datagrams in the relay.
 */

export interface SimPacket<T = unknown> {
  data: T;
  /** Bytes on the wire (the rate cap needs it). */
  size: number;
  /** Time (ms) the packet enters the model; models move it forward, never back. */
  time: number;
}

export interface NetModel {
  readonly name: string;
  readonly stats: Record<string, number>;
  /** One packet, entering at `p.time` (non-decreasing across calls); append what leaves to `out`. */
  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void;
  /** Models that hold packets: append those due by `now` to `out`, in time order. */
  release?<T>(now: number, out: SimPacket<T>[]): void;
  /** Earliest time a held packet is due; Infinity when none. */
  nextRelease?(): number;
}
