import t from 'tap';
import { escapeXml, niceTicks, renderLineChart } from '../../tools/lab/svg-chart.js';

t.test('niceTicks: 1-2-5 steps that cover the range', async (t) => {
  t.same(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  t.same(niceTicks(0, 1000, 4), [0, 500, 1000]);
  const ticks = niceTicks(3, 97, 5);
  t.ok(ticks[0] >= 3 && ticks[ticks.length - 1] <= 97, 'inside the range');
  t.ok(ticks.length >= 3 && ticks.length <= 11);
  t.same(niceTicks(5, 5), niceTicks(5, 6), 'an empty range becomes one unit');
});

t.test('renderLineChart: one polyline per series, legend, escaped text', async (t) => {
  const svg = renderLineChart(
    [
      { label: 'none', points: [[0, 0], [1, 10], [2, 20]] },
      { label: 'nack+rtx', points: [[0, 0], [1, 1], [2, NaN], [3, 2]] },
    ],
    { title: 'packetsLost <5%>', xLabel: 'time (s)', yLabel: 'packets' },
  );
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.equal(svg.match(/<polyline/g)?.length, 2);
  t.match(svg, /packetsLost &lt;5%&gt;/);
  t.match(svg, />nack\+rtx</);
  const second = svg.split('<polyline')[2];
  t.equal(second.split('points="')[1].split('"')[0].split(' ').length, 3, 'the NaN point is skipped');
  t.notMatch(svg, /NaN|Infinity/);
});

t.test('renderLineChart: no data still renders a valid empty chart', async (t) => {
  const svg = renderLineChart([{ label: 'x', points: [] }], { title: 'empty' });
  t.notMatch(svg, /<polyline/);
  t.notMatch(svg, /NaN|Infinity/);
  t.match(svg, /<\/svg>$/);
});

t.test('escapeXml', async (t) => {
  t.equal(escapeXml('a&b<c>"d"'), 'a&amp;b&lt;c&gt;&quot;d&quot;');
});
