/** Reordering model: some packets are held back until a few later ones have overtaken them. */
import type { NetModel, SimPacket } from './model.js';
import { Prng } from './prng.js';
import { checkProbability } from './loss.js';
import { NetsimError } from './errors.js';

export interface ReorderOptions {
  /** Chance that a packet is held back. */
  probability: number;
  /** A held packet arrives after 1..depth later packets (uniform). */
  depth: number;
  /** A held packet leaves after this long even if nothing overtakes it (ms). Default 50. */
  maxHoldMs?: number;
  /**
   * Reordering that grows under load (as in a slow firewall): while the smoothed gap between
   * packets is below `gapMs`, `probability` is used instead of the base one.
   */
  underLoad?: { gapMs: number; probability: number };
}

/** No reordering under load unless `underLoad` says when. */
export const REORDER_MODEL_DEFAULTS = Object.freeze({
  maxHoldMs: 50,
} as const satisfies Required<Pick<ReorderOptions, 'maxHoldMs'>>);

interface Held {
  p: SimPacket<unknown>;
  remaining: number;
  due: number;
}

export class Reorder implements NetModel {
  readonly name = 'reorder';
  readonly stats = { in: 0, reordered: 0, reorderedUnderLoad: 0, releasedByTimeout: 0 };
  private readonly probability: number;
  private readonly depth: number;
  private readonly maxHold: number;
  private readonly loadGap: number;
  private readonly loadProbability: number;
  private readonly held: Held[] = [];
  private lastTime = -Infinity;
  private meanGap = Infinity;

  constructor(options: ReorderOptions, private readonly rng: Prng) {
    checkProbability('probability', options.probability);
    if (!(options.depth >= 1)) throw new NetsimError('NETSIM_BAD_OPTION', 'reorder depth must be >= 1');
    this.probability = options.probability;
    this.depth = Math.floor(options.depth);
    this.maxHold = options.maxHoldMs ?? REORDER_MODEL_DEFAULTS.maxHoldMs;
    this.loadGap = options.underLoad?.gapMs ?? -1;
    this.loadProbability = options.underLoad?.probability ?? options.probability;
    checkProbability('underLoad.probability', this.loadProbability);
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    if (this.lastTime > -Infinity) {
      const gap = p.time - this.lastTime;
      this.meanGap = this.meanGap === Infinity ? gap : this.meanGap + (gap - this.meanGap) / 8;
    }
    this.lastTime = p.time;
    const loaded = this.meanGap < this.loadGap;
    if (this.rng.chance(loaded ? this.loadProbability : this.probability)) {
      this.stats.reordered++;
      if (loaded) this.stats.reorderedUnderLoad++;
      this.held.push({ p, remaining: 1 + this.rng.int(this.depth), due: p.time + this.maxHold });
      return;
    }
    out.push(p);
    // p overtook every held packet; those it was the last to overtake leave right behind it.
    for (let i = 0; i < this.held.length; ) {
      const h = this.held[i];
      if (--h.remaining > 0) {
        i++;
        continue;
      }
      this.held.splice(i, 1);
      h.p.time = p.time;
      out.push(h.p as SimPacket<T>);
    }
  }

  release<T>(now: number, out: SimPacket<T>[]): void {
    while (this.held.length > 0 && this.held[0].due <= now) {
      const h = this.held.shift()!;
      h.p.time = h.due;
      this.stats.releasedByTimeout++;
      out.push(h.p as SimPacket<T>);
    }
  }

  nextRelease(): number {
    return this.held.length > 0 ? this.held[0].due : Infinity;
  }
}
