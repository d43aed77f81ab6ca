/**
 * Drives a fuzz target with fast-check: arbitrary bytes, and the target's seeds mutated (bit
 * flips, truncation, inserted bytes, splices of two seeds, 16-bit length fields that lie). Typed
 * errors are counted by code; anything else, and any input slower than `slowMs`, is a finding
 * with its input in hex and the seed that reproduces the batch.
 */
import fc from 'fast-check';
import { type FuzzTarget, isTypedError } from './targets.js';

export interface FuzzResult {
  target: string;
  inputs: number;
  /** Inputs that parsed without error. */
  accepted: number;
  typedErrors: Record<string, number>;
  findings: { message: string; inputHex: string; seed: number }[];
  slowestMs: number;
  seeds: number;
}

type Op = { kind: 'flip' | 'cut' | 'insert' | 'splice' | 'lie'; at: number; value: number };

const arbOp: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('flip' as const, 'cut' as const, 'insert' as const, 'splice' as const, 'lie' as const),
  at: fc.nat(),
  value: fc.nat({ max: 0xffff }),
});

function mutate(seed: Uint8Array, other: Uint8Array, ops: readonly Op[]): Uint8Array {
  let b = Uint8Array.from(seed);
  for (const op of ops) {
    const at = b.length === 0 ? 0 : op.at % b.length;
    switch (op.kind) {
      case 'flip':
        if (b.length) b[at] ^= 1 << (op.value & 7);
        break;
      case 'cut':
        b = b.slice(0, at);
        break;
      case 'insert': {
        const n = new Uint8Array(b.length + 1);
        n.set(b.subarray(0, at));
        n[at] = op.value & 0xff;
        n.set(b.subarray(at), at + 1);
        b = n;
        break;
      }
      case 'splice': {
        const from = other.length ? op.value % other.length : 0;
        const n = new Uint8Array(at + other.length - from);
        n.set(b.subarray(0, at));
        n.set(other.subarray(from), at);
        b = n;
        break;
      }
      case 'lie':
        // a big-endian 16-bit length field (RTCP length, STAP-A size, frame length...) set to a lie
        if (b.length >= 2) {
          const i = Math.min(at, b.length - 2);
          b[i] = op.value >> 8;
          b[i + 1] = op.value & 0xff;
        }
        break;
    }
  }
  return b;
}

export function inputArbitrary(seeds: readonly Uint8Array[], maxLength = 2048): fc.Arbitrary<Uint8Array> {
  const raw = fc.uint8Array({ maxLength });
  if (seeds.length === 0) return raw;
  const mutated = fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.nat({ max: seeds.length - 1 }), fc.array(arbOp, { minLength: 1, maxLength: 6 }))
    .map(([i, j, ops]) => mutate(seeds[i], seeds[j], ops));
  return fc.oneof({ arbitrary: raw, weight: 1 }, { arbitrary: mutated, weight: 3 }, { arbitrary: fc.constantFrom(...seeds), weight: 1 });
}

/** Runs `runs` inputs through `target` in one fast-check batch. Never throws: findings are returned. */
export function fuzzBatch(target: FuzzTarget, seeds: readonly Uint8Array[], runs: number, seed: number, slowMs = 1000): FuzzResult {
  const r: FuzzResult = { target: target.name, inputs: 0, accepted: 0, typedErrors: {}, findings: [], slowestMs: 0, seeds: seeds.length };
  const property = fc.property(inputArbitrary(seeds), (input) => {
    r.inputs++;
    const t0 = performance.now();
    let failure: unknown;
    try {
      target.run(input);
      r.accepted++;
    } catch (e) {
      if (isTypedError(e)) {
        const code = (e as { code: string }).code;
        r.typedErrors[code] = (r.typedErrors[code] ?? 0) + 1;
      } else {
        failure = e;
      }
    }
    const ms = performance.now() - t0;
    if (ms > r.slowestMs) r.slowestMs = ms;
    if (failure === undefined && ms > slowMs) failure = new Error(`took ${ms.toFixed(0)} ms (a hang?)`);
    if (failure !== undefined && r.findings.length < 20) {
      r.findings.push({ message: failure instanceof Error ? `${failure.constructor.name}: ${failure.message}` : String(failure), inputHex: Buffer.from(input).toString('hex'), seed });
    }
  });
  fc.assert(property, { numRuns: runs, seed, endOnFailure: true });
  return r;
}

/** Adds batch `b` into the running total `into`. */
export function mergeResults(into: FuzzResult, b: FuzzResult): void {
  into.inputs += b.inputs;
  into.accepted += b.accepted;
  for (const [k, v] of Object.entries(b.typedErrors)) into.typedErrors[k] = (into.typedErrors[k] ?? 0) + v;
  for (const f of b.findings) if (into.findings.length < 20) into.findings.push(f);
  into.slowestMs = Math.max(into.slowestMs, b.slowestMs);
}
