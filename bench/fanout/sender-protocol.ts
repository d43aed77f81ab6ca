/**
 * What both senders (camwire and the native floor) answer over IPC, so the orchestrator
 * treats them alike: {cmd:'mark', collect?} -> a Mark (after a garbage collection when `collect`);
 * {cmd:'close'} -> exit.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface Mark {
  /** Process CPU (user + system) in µs since start. */
  cpuUs: number;
  wallMs: number;
  /** RTP packets handed to node-datachannel successfully, all viewers. */
  packetsSent: number;
  rss: number;
  /** Anonymous resident memory (bytes): RSS without the mapped files (the binaries' code pages), 0 where /proc is absent. */
  rssAnon: number;
  heapUsed: number;
  external: number;
  viewers: number;
}

/** RssAnon of a process (bytes) from /proc/<pid>/status, 0 where there is none. */
export function rssAnon(pid: number | 'self'): number {
  try {
    return Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export function serve(url: string, mark: () => Omit<Mark, 'cpuUs' | 'wallMs' | 'rss' | 'rssAnon' | 'heapUsed' | 'external'>, close: () => Promise<void>): void {
  process.on('message', (m: { cmd: string; collect?: boolean }) => {
    if (m.cmd === 'mark') {
      // a memory mark collects garbage first (the sender runs with --expose-gc), so marks compare live memory
      if (m.collect) (globalThis as { gc?: () => void }).gc?.();
      const c = process.cpuUsage();
      const mem = process.memoryUsage();
      process.send!({ cpuUs: c.user + c.system, wallMs: performance.now(), rss: mem.rss, rssAnon: rssAnon('self'), heapUsed: mem.heapUsed, external: mem.external, ...mark() });
    } else if (m.cmd === 'close' && process.execArgv.includes('--cpu-prof')) {
      // Profiling: exit at once so the profile is written (node-datachannel's cleanup can abort).
      process.send!({ closed: true }, () => process.exit(0));
    } else if (m.cmd === 'close') {
      // exit() rather than waiting for node-datachannel's threads to wind down.
      void close().finally(() => process.send!({ closed: true }, () => process.exit(0)));
    }
  });
  process.send!({ ready: true, url });
}
