/**
 * The bandwidth runs' chart and table: link capacity, the viewer's estimate, camwire's send rate
 * and what got through over time, with the rendition as a step line at its bitrate, so a reader
 * sees the controller work; and one row of figures per run against the issue's goals.
 */
import type { AbrPoint, BandwidthRun } from './bandwidth-record.js';
import type { RunRecord } from './record.js';
import { renderLineChart, type ChartSeries } from './svg-chart.js';

type Point = readonly [number, number];

/** A series drawn as steps: each value holds until the next point. */
export function stepLine(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < points.length; i++) {
    if (i > 0 && points[i][1] !== points[i - 1][1]) out.push([points[i][0], points[i - 1][1]]);
    out.push(points[i]);
  }
  return out;
}

/** Mbit/s between consecutive points of a byte counter (at the later point's time). */
export function rateSeries(points: readonly AbrPoint[], bytes: (p: AbrPoint) => number): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i].t - points[i - 1].t;
    if (dt > 0) out.push([points[i].t, (8 * (bytes(points[i]) - bytes(points[i - 1]))) / dt / 1e6]);
  }
  return out;
}

const mbps = (bps: number) => bps / 1e6;

export function bandwidthSeries(run: BandwidthRun): ChartSeries[] {
  const p = run.points;
  const kbps = run.summary.renditionKbps;
  const series: ChartSeries[] = [
    { label: 'link capacity', points: stepLine(p.filter((x) => x.capacityKbps !== undefined).map((x) => [x.t, x.capacityKbps! / 1000])) },
    { label: 'estimate', points: p.filter((x) => x.estimateBps > 0).map((x) => [x.t, mbps(x.estimateBps)]) },
    { label: 'camwire sent', points: rateSeries(p, (x) => x.sentBytes) },
    { label: 'got through', points: rateSeries(p, (x) => x.deliveredBytes) },
    { label: `rendition (${Object.keys(kbps).join(' / ')})`, points: stepLine(p.filter((x) => x.rendition in kbps).map((x) => [x.t, kbps[x.rendition] / 1000])) },
  ];
  return series;
}

export function bandwidthChart(r: RunRecord): string {
  // The capacity of a wide link would flatten everything else: the axis stops a little above the rest.
  const series = bandwidthSeries(r.bandwidth!);
  const others = series.slice(1).flatMap((s) => s.points.map(([, y]) => y));
  const top = Math.max(1, ...others) * 1.4;
  const clipped = series.map((s) => ({ ...s, points: s.points.map(([x, y]) => [x, Math.min(y, top)] as const) }));
  return renderLineChart(clipped, {
    title: `${r.scenario.id}: link, estimate, send rate and rendition${top < maxY(series[0]) ? ` (capacity clipped at ${top.toFixed(1)})` : ''}`,
    xLabel: 'time since the viewer started (s)', yLabel: 'Mbit/s', width: 720, height: 320,
  });
}

function maxY(s: ChartSeries): number {
  return Math.max(0, ...s.points.map(([, y]) => y));
}

/** The figures of one run, in the order of the table's columns. */
export function bandwidthCells(r: RunRecord): string[] {
  const s = r.bandwidth!.summary;
  const on = Object.entries(s.secondsOn).map(([n, sec]) => `${n} ${sec} s`).join(', ');
  const switches = s.switches.map((w) => `${w.t} s ${w.to}`).join(', ') || 'none';
  const steps = s.steps.map((st) => `${st.t} s ${st.kbps / 1000} Mbit/s: ${st.reachedAfterS === undefined ? `never on ${st.fits}` : `${st.fits} +${st.reachedAfterS} s${st.held ? '' : ' (left it again)'}`}`).join('; ') || '-';
  const est = s.estimateVsCapacityPct === undefined ? `${s.medianEstimateKbps}` : `${s.medianEstimateKbps} (${s.estimateVsCapacityPct > 0 ? '+' : ''}${s.estimateVsCapacityPct}%)`;
  const goals = r.bandwidth!.goals;
  const met = goals.length === 0 ? '-' : `${goals.filter((g) => g.met).length}/${goals.length}${goals.some((g) => !g.met) ? ': not ' + goals.filter((g) => !g.met).map((g) => `${g.goal} (${g.value})`).join('; ') : ''}`;
  return [r.scenario.id, `${s.decodedPctAfter5s}`, `${s.stallsAfter5s}`, on, switches, `${s.switchesPerMinute}`, steps, est, met];
}

export const BANDWIDTH_COLUMNS = ['run', '% decoded after 5 s', 'stalls', 'time on each', 'switches (time, to)', 'switches/min', 'link steps -> on the rendition that fits', 'median estimate kbit/s (vs steady capacity)', 'goals met'];

/** A Markdown table of the bandwidth runs, as docs/adaptive-bitrate.md shows them. */
export function bandwidthMarkdown(records: readonly RunRecord[]): string {
  const rows = records.filter((r) => r.bandwidth).map((r) => `| ${bandwidthCells(r).join(' | ')} |`);
  if (rows.length === 0) return '';
  return [`| ${BANDWIDTH_COLUMNS.join(' | ')} |`, `| ${BANDWIDTH_COLUMNS.map(() => '---').join(' | ')} |`, ...rows].join('\n');
}
