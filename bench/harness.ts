/**
 * Tiny benchmark harness: every figure is the median of repeated timed runs, and every
 * comparison is a ratio against a peer measured in the same process, in the same run.
 * Prints one JSON line per benchmark. Never asserts anything about speed.
 */
import { performance } from 'node:perf_hooks';
import { allocatedBytes } from './support/alloc.js';

export interface BenchOptions {
  /** Calls of `fn` per timed run. */
  iterations: number;
  /** Timed runs; the median is reported. */
  runs: number;
  /** Untimed calls before the first run (JIT warm-up). */
  warmup?: number;
}

export interface Measurement {
  median: number;
  min: number;
  max: number;
  runs: number;
  /** measureNs: median of the same runs in wall time (median itself is process CPU time). */
  wallMedian?: number;
}

export interface BenchResult extends Measurement {
  name: string;
  unit: string;
  peer?: string;
  peerMedian?: number;
  /** peerMedian / median: above 1 means camwire is faster. */
  speedup?: number;
  [extra: string]: unknown;
}

export const quick = process.argv.includes('--quick') || process.env.CAMWIRE_BENCH_QUICK === '1';

/** Scales options down for `--quick` (CI smoke: runs everything, measures nothing seriously). */
export function scaled(opts: BenchOptions): BenchOptions {
  if (!quick) return opts;
  return { iterations: Math.max(1, Math.ceil(opts.iterations / 100)), runs: 3, warmup: Math.min(opts.warmup ?? 0, 10) };
}

/**
 * Nanoseconds per call of `fn(i)`, median of `runs` runs, in process CPU time: the machines
 * are shared, and wall time would also count the turns of other processes (wallMedian has it).
 */
export function measureNs(fn: (i: number) => void, options: BenchOptions): Measurement {
  const o = scaled(options);
  const warm = o.warmup ?? Math.min(o.iterations, 10_000);
  for (let i = 0; i < warm; i++) fn(i);
  const samples: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < o.iterations; i++) fn(i);
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall.push((t * 1e6) / o.iterations);
    // cpuUsage counts whole microseconds: a run too short to register falls back to wall time.
    const cpuUs = c.user + c.system;
    samples.push(cpuUs > 0 ? (cpuUs * 1000) / o.iterations : (t * 1e6) / o.iterations);
  }
  return { ...summarize(samples), wallMedian: summarize(wall).median };
}

/**
 * Bytes allocated per call of `fn(i)` (JS heap + ArrayBuffers, GCs added back), over a short
 * run after warm-up; approximate (rounded to whole bytes), 0 means no allocation seen.
 */
export function bytesPerCall(fn: (i: number) => void, iterations = 10_000): number {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) fn(i);
  const n = quick ? Math.min(iterations, 1000) : iterations;
  const a = allocatedBytes(() => {
    for (let i = 0; i < n; i++) fn(i);
  });
  return Math.round(a.bytes / n);
}

export function summarize(samples: number[]): Measurement {
  const s = samples.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: round(median), min: round(s[0]), max: round(s[s.length - 1]), runs: s.length };
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function withPeer(name: string, unit: string, own: Measurement, peerName?: string, peer?: Measurement, extra: Record<string, unknown> = {}): BenchResult {
  const r: BenchResult = { name, unit, ...own, ...extra };
  if (peerName && peer) {
    r.peer = peerName;
    r.peerMedian = peer.median;
    r.speedup = round(peer.median / own.median);
  }
  return r;
}

export function report(r: BenchResult): void {
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** A registered benchmark: a module under bench/ exporting `benchmarks`. */
export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]> | BenchResult[];
}
