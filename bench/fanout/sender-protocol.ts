/**
 * What both senders (camwire and the native floor) answer over IPC, so the orchestrator
 * treats them alike: {cmd:'mark'} -> a Mark; {cmd:'close'} -> exit.
 */
import { performance } from 'node:perf_hooks';

export interface Mark {
  /** Process CPU (user + system) in µs since start. */
  cpuUs: number;
  wallMs: number;
  /** RTP packets handed to node-datachannel successfully, all viewers. */
  packetsSent: number;
  rss: number;
  heapUsed: number;
  external: number;
  viewers: number;
}

export function serve(url: string, mark: () => Omit<Mark, 'cpuUs' | 'wallMs' | 'rss' | 'heapUsed' | 'external'>, close: () => Promise<void>): void {
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'mark') {
      const c = process.cpuUsage();
      const mem = process.memoryUsage();
      process.send!({ cpuUs: c.user + c.system, wallMs: performance.now(), rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, ...mark() });
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
