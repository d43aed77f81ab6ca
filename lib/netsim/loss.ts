/** Loss and duplication models. */
import type { NetModel, SimPacket } from './model.js';
import { Prng } from './prng.js';
import { NetsimError } from './errors.js';

/** Independent (Bernoulli) loss with probability `probability` per packet. */
export class RandomLoss implements NetModel {
  readonly name = 'random-loss';
  readonly stats = { in: 0, dropped: 0 };
  constructor(private readonly probability: number, private readonly rng: Prng) {
    checkProbability('probability', probability);
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    if (this.rng.chance(this.probability)) this.stats.dropped++;
    else out.push(p);
  }
}

export interface GilbertElliottOptions {
  /** Long-run fraction of packets lost, in [0, 1). */
  loss: number;
  /** Mean number of consecutive packets lost in a burst (>= 1). */
  meanBurst: number;
}

/**
 * Bursty loss, Gilbert-Elliott with a loss-free Good state and an all-loss Bad state: from
 * Bad back to Good with probability 1/meanBurst, Good to Bad chosen so that the stationary
 * share of Bad equals `loss`. Bursts are then geometric with the given mean.
 */
export class GilbertElliottLoss implements NetModel {
  readonly name = 'gilbert-elliott';
  readonly stats = { in: 0, dropped: 0, bursts: 0 };
  private readonly pGoodToBad: number;
  private readonly pBadToGood: number;
  private bad: boolean;

  constructor(options: GilbertElliottOptions, private readonly rng: Prng) {
    checkProbability('loss', options.loss);
    if (options.loss >= 1) throw new NetsimError('NETSIM_BAD_OPTION', 'Gilbert-Elliott loss must be below 1');
    if (!(options.meanBurst >= 1)) throw new NetsimError('NETSIM_BAD_OPTION', 'meanBurst must be >= 1');
    this.pBadToGood = 1 / options.meanBurst;
    this.pGoodToBad = Math.min(1, (options.loss * this.pBadToGood) / (1 - options.loss));
    this.bad = rng.chance(options.loss);
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    if (this.bad) {
      if (this.rng.chance(this.pBadToGood)) this.bad = false;
    } else if (this.rng.chance(this.pGoodToBad)) {
      this.bad = true;
      this.stats.bursts++;
    }
    if (this.bad) this.stats.dropped++;
    else out.push(p);
  }
}

/** Sends a packet twice with probability `probability` (the copy right behind the original). */
export class Duplicate implements NetModel {
  readonly name = 'duplicate';
  readonly stats = { in: 0, duplicated: 0 };
  constructor(private readonly probability: number, private readonly rng: Prng) {
    checkProbability('probability', probability);
  }

  process<T>(p: SimPacket<T>, out: SimPacket<T>[]): void {
    this.stats.in++;
    out.push(p);
    if (this.rng.chance(this.probability)) {
      this.stats.duplicated++;
      out.push({ data: p.data, size: p.size, time: p.time });
    }
  }
}

export function checkProbability(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new NetsimError('NETSIM_BAD_OPTION', `${name} must be in [0, 1], got ${p}`);
}
