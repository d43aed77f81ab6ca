/**
 * Runs scenarios x strategies x seeds one after another (runs never overlap: they share two
 * CPU cores with Chromium), writes the report, and returns the records.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeReport } from './report.js';
import { summaryTable, type RunRecord } from './record.js';
import { bandwidthCells, bandwidthMarkdown } from './bandwidth-report.js';
import { runOne } from './run-one.js';
import type { Scenario } from './scenario.js';

export interface MatrixOptions {
  outDir: string;
  /** Screenshots of the picture at the end of each run. */
  screenshots?: boolean;
  /** Keep each run's capture (pcapng) beside the report, in captures/<scenario>--<strategy>--seed<N>/. */
  capture?: boolean;
  log?: (line: string) => void;
  /** Runs one scenario x strategy (default runOne: camwire; tools/peers adds other servers). */
  run?: typeof runOne;
}

export async function runMatrix(scenarios: readonly Scenario[], o: MatrixOptions): Promise<{ records: RunRecord[]; index: string }> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const records: RunRecord[] = [];
  const startedAt = new Date().toISOString();
  for (const sc of scenarios) {
    log(`${sc.id}: ${sc.title} (seed ${sc.seed}, ${sc.durationS} s, source ${sc.source})`);
    for (const st of sc.strategies) {
      const load = loadavg()[0];
      try {
        const rec = await (o.run ?? runOne)(sc, st, {
          cacheDir: join(o.outDir, '.cache'),
          log,
          screenshot: o.screenshots ? join(o.outDir, `shot--${sc.id}--${st.name.replace(/[^A-Za-z0-9.+-]/g, '_')}.png`) : undefined,
          captureDir: o.capture ? join(o.outDir, 'captures', `${sc.id}--${st.name.replace(/[^A-Za-z0-9.+-]/g, '_')}--seed${sc.seed}`) : undefined,
        });
        rec.detail.loadAverageBefore = load;
        rec.detail.loadAverageAfter = loadavg()[0];
        records.push(rec);
        if (rec.bandwidth) log(`  -> ${bandwidthCells(rec).slice(1).join(' | ')}\n  ${JSON.stringify({ scenario: sc.id, seed: sc.seed, ...rec.bandwidth.summary, goals: rec.bandwidth.goals })}`);
        const s = rec.summary;
        log(`  -> ${s.decodedPct.toFixed(2)}% decoded (${s.framesDecoded}/${s.framesSent}), ${s.receivedPct.toFixed(2)}% received, ${s.freezeCount} freezes, lost ${s.lostPct}%, ${s.nackCount} NACKs, ${s.pliCount} PLIs${s.repair ? `, repair p50/p90/p99/max ${s.repair.p50Ms}/${s.repair.p90Ms}/${s.repair.p99Ms}/${s.repair.maxMs} ms, ${s.repair.over100Ms} over 100 ms, ${s.repair.unrecovered} unrepaired` : ''}${rec.judged ? (rec.failures.length ? ' FAIL: ' + rec.failures.join('; ') : ' PASS') : ''}`);
      } catch (err) {
        log(`  -> run failed: ${(err as Error).stack ?? err}`);
      }
      writeReport(o.outDir, records, { startedAt, node: process.version });
    }
  }
  const index = writeReport(o.outDir, records, { startedAt, finishedAt: new Date().toISOString(), node: process.version });
  log('\n' + summaryTable(records));
  const md = bandwidthMarkdown(records);
  if (md) log('\n' + md);
  log(`\nreport: ${index}`);
  return { records, index };
}
