/**
 * Bytes allocated on the JS heap by a piece of work, counted across garbage collections:
 * V8's GCProfiler reports used heap before and after every GC during the work, so what was
 * collected is added back. Forced GC before, so the start is clean. Approximate (a few KB).
 */
import { GCProfiler, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function forceGc(): void {
  gc();
  gc();
}

interface HeapAt { heapStatistics: { usedHeapSize: number; externalMemory: number } }
interface GcStat { beforeGC: HeapAt; afterGC: HeapAt }

const used = (): number => getHeapStatistics().used_heap_size + process.memoryUsage().external;

/**
 * Bytes allocated by `work()` (which runs once): JS heap plus ArrayBuffer backing stores
 * (external memory), with what GCs collected meanwhile added back.
 */
export function allocatedBytes(work: () => void): { bytes: number; gcs: number } {
  forceGc();
  const profiler = new GCProfiler();
  const before = used();
  profiler.start();
  work();
  const after = used();
  const result = profiler.stop() as unknown as { statistics: GcStat[] } | undefined;
  let collected = 0;
  const stats = result?.statistics ?? [];
  for (const s of stats) {
    const b = s.beforeGC.heapStatistics;
    const a = s.afterGC.heapStatistics;
    collected += b.usedHeapSize - a.usedHeapSize + b.externalMemory - a.externalMemory;
  }
  return { bytes: Math.max(0, after - before + collected), gcs: stats.length };
}

/** Bytes retained after `build()` (forced GC before and after); the result is kept alive until then. */
export function retainedBytes<T>(build: () => T): { value: T; heap: number; external: number } {
  forceGc();
  const h0 = getHeapStatistics().used_heap_size;
  const m0 = process.memoryUsage();
  const value = build();
  forceGc();
  const h1 = getHeapStatistics().used_heap_size;
  const m1 = process.memoryUsage();
  return { value, heap: h1 - h0, external: m1.arrayBuffers - m0.arrayBuffers };
}
