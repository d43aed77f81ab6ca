/**
 * Writes a lab session to its results folder: one JSON record per run, one SVG chart per
 * scenario and metric (one line per strategy, like the study's webrtc-internals graphs), and
 * an index.html that shows the summary table and every chart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lostAfterRecovery, type RunRecord, type Sample } from './record.js';
import { describeProfile } from './scenario.js';
import { escapeXml, renderLineChart, type ChartSeries } from './svg-chart.js';
import { BANDWIDTH_COLUMNS, bandwidthCells, bandwidthChart, bandwidthMarkdown } from './bandwidth-report.js';

export interface ChartMetric {
  key: string;
  title: string;
  yLabel: string;
  value(s: Sample): number;
}

/** The study watched packetsLost and NACKs rise and the decode rate fall; freezes show what a viewer sees. */
export const CHART_METRICS: readonly ChartMetric[] = [
  { key: 'packetsLost', title: 'packetsLost after recovery (minus RTX-repaired)', yLabel: 'packets', value: (s) => lostAfterRecovery(s.browser) },
  { key: 'packetsLostRaw', title: 'packetsLost as Chromium reports it', yLabel: 'packets', value: (s) => s.browser.packetsLost },
  { key: 'nackCount', title: 'NACKs sent by Chromium', yLabel: 'NACK packets', value: (s) => s.browser.nackCount },
  { key: 'pliCount', title: 'PLIs sent by Chromium', yLabel: 'PLI packets', value: (s) => s.browser.pliCount },
  { key: 'framesDecoded', title: 'Frames decoded', yLabel: 'frames', value: (s) => s.browser.framesDecoded },
  { key: 'decodedShare', title: 'Frames decoded / frames sent', yLabel: '%', value: (s) => (s.wire.framesSent > 0 ? (100 * s.browser.framesDecoded) / s.wire.framesSent : NaN) },
  { key: 'freezeCount', title: 'Freezes', yLabel: 'freezes', value: (s) => s.browser.freezeCount },
  { key: 'totalFreezesDuration', title: 'Total freeze duration', yLabel: 's', value: (s) => s.browser.totalFreezesDuration },
];

export function runFileName(r: RunRecord): string {
  return `${r.scenario.id}--${r.strategy.name.replace(/[^A-Za-z0-9.+-]/g, '_')}--seed${r.seed}.json`;
}

/** Charts for one scenario: metric key -> SVG. */
export function scenarioCharts(records: readonly RunRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of CHART_METRICS) {
    const series: ChartSeries[] = records.map((r) => ({ label: r.strategy.name, points: r.samples.map((s) => [s.t, m.value(s)] as const) }));
    out.set(m.key, renderLineChart(series, { title: `${records[0].scenario.id}: ${m.title}`, xLabel: 'time since the viewer started (s)', yLabel: m.yLabel }));
  }
  return out;
}

export function groupByScenario(records: readonly RunRecord[]): Map<string, RunRecord[]> {
  const by = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.scenario.id}--seed${r.seed}`;
    by.set(key, [...(by.get(key) ?? []), r]);
  }
  return by;
}

/** Writes everything; returns the index.html path. */
export function writeReport(dir: string, records: readonly RunRecord[], meta: Record<string, unknown>): string {
  mkdirSync(join(dir, 'runs'), { recursive: true });
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const r of records) writeFileSync(join(dir, 'runs', runFileName(r)), JSON.stringify(r, null, 1));
  const sections: string[] = [];
  for (const [key, recs] of groupByScenario(records)) {
    const charts = scenarioCharts(recs);
    const imgs: string[] = [];
    for (const [metric, svg] of charts) {
      const file = `charts/${key}--${metric}.svg`;
      writeFileSync(join(dir, file), svg);
      imgs.push(`<img src="${file}" alt="${escapeXml(metric)}">`);
    }
    for (const r of recs.filter((x) => x.bandwidth)) {
      const file = `charts/${runFileName(r).replace(/\.json$/, '')}--bandwidth.svg`;
      writeFileSync(join(dir, file), bandwidthChart(r));
      imgs.unshift(`<img src="${file}" alt="bandwidth">`);
    }
    const imp = recs[0].scenario.impairment;
    sections.push(`<section><h2>${escapeXml(recs[0].scenario.title)} <small>(${escapeXml(key)})</small></h2>
<p>${escapeXml(imp.leg)} leg; media direction: ${escapeXml(describeProfile(imp.forward))}; back: ${escapeXml(describeProfile(imp.back))}; source ${escapeXml(recs[0].scenario.source)}, ${recs[0].scenario.durationS} s</p>
${tableHtml(recs)}
${audioTableHtml(recs)}
${bandwidthTableHtml(recs)}
<div class="charts">${imgs.join('\n')}</div></section>`);
  }
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>camwire loss lab</title>
<style>body{font-family:sans-serif;margin:1.5em;max-width:1400px}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}.pass{color:#070}.fail{color:#b00}.charts img{margin:4px;border:1px solid #eee}small{color:#666;font-weight:normal}</style></head>
<body><h1>camwire loss lab</h1><p>${escapeXml(JSON.stringify(meta))}</p>
<p>Frames sent are counted on the wire (distinct RTP timestamps leaving camwire); Chromium numbers are from getStats() once a second. Each run is also a JSON file in <code>runs/</code>.</p>
${sections.join('\n')}</body></html>`;
  const index = join(dir, 'index.html');
  writeFileSync(index, html);
  const md = bandwidthMarkdown(records);
  if (md) writeFileSync(join(dir, 'bandwidth.md'), md + '\n');
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(records.map((r) => ({ scenario: r.scenario.id, strategy: r.strategy.name, seed: r.seed, ...r.summary, ...(r.audio ? { audio: r.audio } : {}), ...(r.bandwidth ? { bandwidth: r.bandwidth.summary, goals: r.bandwidth.goals } : {}), judged: r.judged, failures: r.failures })), null, 1));
  return index;
}

function tableHtml(recs: readonly RunRecord[]): string {
  const rows = recs.map((r) => {
    const s = r.summary;
    const check = !r.judged ? '-' : r.failures.length === 0 ? '<span class="pass">PASS</span>' : `<span class="fail">FAIL: ${escapeXml(r.failures.join('; '))}</span>`;
    return `<tr><td>${escapeXml(r.strategy.name)}</td><td>${s.framesSent}</td><td>${s.framesDecoded}</td><td>${s.decodedPct.toFixed(2)}</td><td>${s.receivedPct.toFixed(2)}</td><td>${s.freezeCount}</td><td>${s.totalFreezesDuration.toFixed(2)}</td><td>${s.lostPct.toFixed(3)}</td><td>${s.nackCount}</td><td>${s.pliCount}</td><td>${s.retransmitted + s.rtxSent}</td><td>${s.jitterBufferMs}</td><td>${check}</td></tr>`;
  });
  return `<table><tr><th>strategy</th><th>frames sent</th><th>decoded</th><th>% decoded</th><th>% received</th><th>freezes</th><th>freeze s</th><th>lost %</th><th>NACKs</th><th>PLIs</th><th>resent</th><th>jitter buffer ms</th><th>check</th></tr>${rows.join('')}</table>`;
}

/** Audio rows (runs with `--audio`): packets lost and samples concealed, from Chromium's inbound-rtp audio. */
function audioTableHtml(recs: readonly RunRecord[]): string {
  const rows = recs.filter((r) => r.audio).map((r) => {
    const a = r.audio!;
    return `<tr><td>${escapeXml(r.strategy.name)}</td><td>${escapeXml(a.codec)}</td><td>${a.packetsSent}</td><td>${a.packetsReceived}</td><td>${a.lostPct.toFixed(2)}</td><td>${a.totalSamplesReceived}</td><td>${a.concealedPct.toFixed(2)}</td><td>${a.concealmentEvents}</td></tr>`;
  });
  if (rows.length === 0) return '';
  return `<table><tr><th>audio: strategy</th><th>codec</th><th>packets sent</th><th>received</th><th>lost %</th><th>samples</th><th>concealed %</th><th>concealment events</th></tr>${rows.join('')}</table>`;
}

/** The bandwidth figures (issue 22) of the runs that have them. */
function bandwidthTableHtml(recs: readonly RunRecord[]): string {
  const rows = recs.filter((r) => r.bandwidth).map((r) => `<tr>${bandwidthCells(r).map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`);
  if (rows.length === 0) return '';
  return `<table><tr>${BANDWIDTH_COLUMNS.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}
