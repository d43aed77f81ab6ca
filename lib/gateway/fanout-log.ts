/**
 * When each packet a track fanned out went out and its size with the transport-wide extension,
 * by fan-out (fanningOut.generation), once for every viewer: a viewer with transport-wide CC
 * that got a run of consecutive fan-outs records only where the run starts, and hands the run's
 * packets to its estimator from here at once (before its next feedback, or its next packet out
 * of the run), instead of three stores into its own send history for every packet, interleaved
 * with every other viewer's (at 100 viewers that was most of the extension's cost).
 */

export const FANOUT_LOG_DEFAULTS = Object.freeze({
  /**
   * Fan-outs remembered, all tracks together (a power of two; 20 bytes each). A viewer's run is
   * read back by its next feedback (about every 100 ms); one older than this many fan-outs is
   * lost, and its packets count as unknown in the feedback that reports them.
   */
  size: 16_384,
});

const MASK = FANOUT_LOG_DEFAULTS.size - 1;
const GENERATION = new Float64Array(FANOUT_LOG_DEFAULTS.size).fill(-1);
const SENT_AT = new Float64Array(FANOUT_LOG_DEFAULTS.size);
const BYTES = new Int32Array(FANOUT_LOG_DEFAULTS.size);

/** Fan-out `generation` went out at `now` (clock ms), `bytes` long with the extension. */
export function logFanout(generation: number, now: number, bytes: number): void {
  // `&` takes the generation modulo 2^32 first: the same slot as modulo the size.
  const i = generation & MASK;
  GENERATION[i] = generation;
  SENT_AT[i] = now;
  BYTES[i] = bytes;
}

/** Where a run's packets go: the viewer's estimator. */
export interface SentRecorder {
  onPacketSent(seq: number, bytes: number, now: number): void;
}

/** Hands `to` the run of `count` fan-outs from `generation`, numbered from transport-wide `seq`; those no longer logged are skipped. */
export function recordRun(generation: number, seq: number, count: number, to: SentRecorder): void {
  for (let k = 0; k < count; k++) {
    const g = generation + k;
    const i = g & MASK;
    if (GENERATION[i] === g) to.onPacketSent((seq + k) & 0xffff, BYTES[i], SENT_AT[i]);
  }
}
