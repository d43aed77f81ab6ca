/**
 * A small hand-written SVG line chart: one metric over time, one line per strategy, like the
 * graphs of chrome://webrtc-internals the study read. No dependencies; the output is a
 * self-contained <svg> string that browsers and image viewers open directly.
 */

export interface ChartSeries {
  label: string;
  /** [x, y] points; x in seconds. Non-finite points are skipped. */
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Distinguishable on white and in grey print (Okabe-Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const MARGIN = { left: 64, right: 16, top: 34, bottom: 62 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values (1, 2, 5 x 10^n steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

export function renderLineChart(series: readonly ChartSeries[], opts: ChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  let xMin = Infinity, xMax = -Infinity, yMax = -Infinity, yMin = 0;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
      yMax = Math.max(yMax, y); yMin = Math.min(yMin, y);
    }
  }
  if (xMin === Infinity) { xMin = 0; xMax = 1; yMax = 1; }
  if (!(yMax > yMin)) yMax = yMin + 1;
  const xTicks = niceTicks(xMin, xMax, 6);
  const yTicks = niceTicks(yMin, yMax, 5);
  const x0 = Math.min(xMin, xTicks[0]), x1 = Math.max(xMax, xTicks[xTicks.length - 1]);
  const y0 = Math.min(yMin, yTicks[0]), y1 = Math.max(yMax, yTicks[yTicks.length - 1]);
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const f = (n: number) => n.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(opts.title)}</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(sx(t))}" y="${MARGIN.top + plotH + 15}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  if (opts.xLabel) out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 30}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${f(sx(x))},${f(sy(y))}`);
    if (pts.length > 0) {
      out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" points="${pts.join(' ')}"/>`);
    }
    // Legend below the x axis, laid out left to right.
    const lx = MARGIN.left + (i % 4) * (plotW / 4);
    const ly = height - 14 + Math.floor(i / 4) * -12;
    out.push(`<line x1="${f(lx)}" x2="${f(lx + 18)}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`);
    out.push(`<text x="${f(lx + 22)}" y="${ly}">${escapeXml(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
