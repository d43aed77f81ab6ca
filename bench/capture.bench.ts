/**
 * What a capture costs: camwire's CPU per delivered packet with the stream captured to pcapng
 * (every viewer's plaintext RTP/RTCP, written by the async writer) against the same fan-out
 * uncaptured, 10 node-datachannel viewers of the synthetic 1080p30 camera, rounds alternated so
 * both see the same machine. The target: ratio <= 1.3.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quick, round, summarize, type Benchmark, type BenchResult } from './harness.js';
import { fanoutRun, type FanoutRun } from './fanout/orchestrate.js';

const VIEWERS = Number(process.env.CAMWIRE_CAPTURE_BENCH_N ?? 10);

function cpuPerPacket(runs: FanoutRun[]) {
  return summarize(runs.flatMap((r) => r.windows.map((w) => w.cpuNsPerDelivered)));
}

export const benchmarks: Benchmark[] = [
  {
    name: 'capture',
    async run(): Promise<BenchResult[]> {
      const windows = quick ? 2 : 4;
      const windowMs = quick ? 300 : 2000;
      const rounds = quick ? 1 : 3;
      const settle = quick ? 600 : 2500;
      const off: FanoutRun[] = [];
      const on: FanoutRun[] = [];
      let bytes = 0;
      let seconds = 0;
      for (let r = 0; r < rounds; r++) {
        off.push(await fanoutRun('camwire', VIEWERS, windows, windowMs, settle));
        const dir = mkdtempSync(join(tmpdir(), 'camwire-capture-bench-'));
        try {
          const t0 = Date.now();
          on.push(await fanoutRun('camwire', VIEWERS, windows, windowMs, settle, { CAMWIRE_FANOUT_CAPTURE: dir }));
          seconds += (Date.now() - t0) / 1000;
          for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const a = cpuPerPacket(off);
      const b = cpuPerPacket(on);
      return [{
        name: `capture.n${VIEWERS}`, unit: 'cpu-ns/delivered-packet', ...b,
        peer: 'same fan-out, no capture', peerMedian: a.median, speedup: round(a.median / b.median),
        ratio: round(b.median / a.median), target: 1.3,
        viewers: on[0]?.viewers ?? 0, rounds,
        captureMBPerS: round(bytes / 1e6 / Math.max(1, seconds)),
        note: 'ratio = CPU per delivered packet captured / uncaptured (sender process, user+sys); capture files on the temp dir\'s disk',
      }];
    },
  },
];
