import t from 'tap';
import { fits, judgeBandwidth, readAbr, renditionOrder, summarizeBandwidth, type AbrPoint, type RenditionRates } from '../../tools/lab/bandwidth-record.js';
import { BANDWIDTH_COLUMNS, bandwidthCells, bandwidthChart, bandwidthMarkdown, rateSeries, stepLine } from '../../tools/lab/bandwidth-report.js';
import { BANDWIDTH_MATRIX, sawtooth } from '../../tools/lab/bandwidth-scenarios.js';
import { buildScenario, expandScenarios, PRESETS } from '../../tools/lab/scenario.js';
import { STAT_FIELDS, type BrowserStats } from '../../tools/lab/browser.js';
import type { RunRecord, Sample } from '../../tools/lab/record.js';

function sample(t: number, framesSent: number, framesDecoded: number, freezeCount = 0): Sample {
  const b = Object.fromEntries(STAT_FIELDS.map((f) => [f, 0])) as BrowserStats;
  return {
    t,
    browser: { ...b, framesDecoded, freezeCount },
    wire: { framesSent, framesMarked: framesSent, seqDiscontinuities: 0, mediaPackets: 0, retransmissions: 0, rtx: 0, droppedMedia: 0, droppedBack: 0, cameraFrames: 0 },
    camwire: {
      accessUnits: 0, keyframes: 0, keyframeRequestsForwarded: 0, keyframeRequestsSuppressed: 0, packetsSent: 0, nacksReceived: 0,
      nackedPackets: 0, retransmitted: 0, rtxSent: 0, retransmitUnavailable: 0, plisReceived: 0, firsReceived: 0, rttMs: 0,
    },
  };
}

/** Points every 0.5 s from 0.5 to `endS`: rendition and estimate by time, 1 Mbit/s sent. */
function points(endS: number, rendition: (t: number) => string, estimateBps: (t: number) => number, capacityKbps?: (t: number) => number): AbrPoint[] {
  const out: AbrPoint[] = [];
  for (let i = 1; i * 0.5 <= endS; i++) {
    const t = i * 0.5;
    out.push({ t, rendition: rendition(t), estimateBps: estimateBps(t), ackedBps: 0, usage: 'normal', capacityKbps: capacityKbps?.(t), sentBytes: t * 125_000, deliveredBytes: t * 100_000 });
  }
  return out;
}

const RATES: RenditionRates[] = [{ '720p': 2_600_000, '360p': 420_000 }, { '720p': 2_580_000, '360p': 0 }, { '720p': 2_620_000, '360p': 430_000 }];

t.test('readAbr takes the lab viewer, its estimate and the renditions from /api/streams; anything else reads as nothing', async (t) => {
  const api = {
    streams: [
      { name: 'other', viewers: [{ rendition: { current: 'x' } }] },
      { name: 'lab', viewers: [{ rendition: { current: '360p', bandwidth: { estimateBps: 630_000, ackedBps: 440_000, usage: 'overuse' } } }], renditions: [{ name: '720p', bitrateBps: 2_590_000 }, { name: '360p', bitrateBps: 'NaN' }] },
    ],
  };
  t.same(readAbr(api, 'lab'), { rendition: '360p', estimateBps: 630_000, ackedBps: 440_000, usage: 'overuse', rates: { '720p': 2_590_000, '360p': 0 } });
  t.same(readAbr({ streams: 'no' }, 'lab'), { rendition: '', estimateBps: 0, ackedBps: 0, usage: '', rates: {} });
  t.same(readAbr(undefined, 'lab').rendition, '');
});

t.test('renditions rank by median measured bitrate; a rate fits the best rendition under it', async (t) => {
  const order = renditionOrder(RATES);
  t.same(Object.keys(order), ['720p', '360p']);
  t.same(order, { '720p': 2600, '360p': 425 }, 'zeros (no window yet) are not measurements');
  t.equal(fits(20_000, order), '720p');
  t.equal(fits(1200, order), '360p');
  t.equal(fits(100, order), '360p', 'the lowest when none fits');
});

t.test('steady narrow link: shares after 5 s, switches a minute after the join, estimate against capacity', async (t) => {
  const samples = [sample(1, 30, 20), sample(5, 150, 140), sample(30, 900, 880, 1), sample(31.5, 900, 885, 1)];
  const p = points(30, (x) => (x < 3 ? '720p' : '360p'), (x) => (x < 10 ? 400_000 : 840_000), () => 1200);
  const s = summarizeBandwidth(samples, p, RATES, { originS: 0.4, steps: [{ atMs: 0, kbps: 1200 }] });
  t.equal(s.decodedPctAfter5s, 99.33, '(885 - 140) of (900 - 150)');
  t.equal(s.stallsAfter5s, 1);
  t.same(s.secondsOn, { '720p': 2.5, '360p': 27 });
  t.same(s.shareAfter5s, { '360p': 100 });
  t.same(s.switches, [{ t: 3, from: '720p', to: '360p' }]);
  t.equal(s.switchesPerMinute, 0, 'the join switch is before 5 s');
  t.equal(s.medianEstimateKbps, 840);
  t.equal(s.estimateVsCapacityPct, -30);
  t.equal(s.firstOnTopS, 0.5);
  t.equal(s.stayedOnTop, false);
  const goals = judgeBandwidth(s, { minDecodedPctAfter5s: 95, maxStallsAfter5s: 1, mostlyOn: '360p', maxSwitchesPerMinute: 2, estimateWithinPct: 30 });
  t.same(goals.map((g) => g.met), [true, true, true, true, true]);
  t.same(judgeBandwidth({ ...s, estimateVsCapacityPct: -31 }, { estimateWithinPct: 30 }).map((g) => g.met), [false]);
});

t.test('steps: time to the rendition that fits each step; never when it does not get there before the next', async (t) => {
  const samples = [sample(5, 0, 0), sample(60, 1650, 1600, 2)];
  // On 720p, down to 360p 3 s after the step at 10.5 s, never back up before the end.
  const p = points(60, (x) => (x < 13.5 ? '720p' : '360p'), () => 1_000_000);
  const link = { originS: 0.5, steps: [{ atMs: 0, kbps: 20_000 }, { atMs: 10_000, kbps: 1200 }, { atMs: 25_000, kbps: 20_000 }] };
  const s = summarizeBandwidth(samples, p, RATES, link);
  t.same(s.steps, [
    { t: 10.5, kbps: 1200, fits: '360p', reachedAfterS: 3, held: true },
    { t: 25.5, kbps: 20_000, fits: '720p', reachedAfterS: undefined, held: false },
  ]);
  t.equal(s.estimateVsCapacityPct, undefined, 'no capacity figure on a link that moves');
  const goals = judgeBandwidth(s, { stepDownWithinS: 4, stepUpWithinS: 15, maxStallsAfter5s: 2 });
  t.same(goals.map((g) => [g.met, g.value]), [[true, '2'], [true, '3 s'], [false, 'never']]);
  const late = summarizeBandwidth(samples, p, RATES, { ...link, originS: undefined });
  t.same(late.steps, [], 'no step times when no packet crossed the link');
  // A sawtooth: only the steps that change which rendition fits are decisions.
  const saw = summarizeBandwidth(samples, points(40, (x) => (x >= 14 && x < 20.5 ? '720p' : '360p'), () => 1), RATES, { originS: 0, steps: sawtooth(800, 4000, 20, 2) });
  t.same(saw.steps.map((st) => [st.t, st.fits, st.reachedAfterS]), [[11, '720p', 3], [20, '360p', 0.5], [31, '720p', undefined]]);
  // A trial up that bounces back a second later has not reached the rendition that fits.
  const bounce = summarizeBandwidth(samples, points(60, (x) => (x < 13.5 || (x >= 36 && x < 37) ? '720p' : '360p'), () => 1), RATES, link);
  t.same(bounce.steps.map((st) => [st.reachedAfterS, st.held]), [[3, true], [10.5, false]]);
  t.same(judgeBandwidth(bounce, { stepUpWithinS: 15 }).map((g) => [g.met, g.value]), [[false, '10.5 s, left it again']]);
});

t.test('on the top rendition: from when, whether it stayed, the share of time; switches a minute', async (t) => {
  const samples = [sample(5, 0, 0), sample(30, 750, 750)];
  const p = points(30, (x) => (x < 2 ? '' : x < 20 || x >= 22 ? '720p' : '360p'), () => 3_000_000);
  const s = summarizeBandwidth(samples, p, RATES, { originS: 0, steps: [{ atMs: 0, kbps: 20_000 }] });
  t.equal(s.firstOnTopS, 2);
  t.equal(s.stayedOnTop, false);
  t.equal(s.onTopPct, 92.9, '26 of 28 s');
  t.equal(s.switchesPerMinute, 4.8, 'two switches in the 25 s after the join');
  t.same(judgeBandwidth(s, { topWithinS: 10, minOnTopPct: 95 }).map((g) => g.met), [false, false]);
  const stays = summarizeBandwidth(samples, points(30, () => '720p', () => 3_000_000), RATES, { originS: 0, steps: [{ atMs: 0, kbps: 20_000 }] });
  t.same(judgeBandwidth(stays, { topWithinS: 10, minOnTopPct: 95 }).map((g) => g.met), [true, true]);
});

t.test('chart: capacity, estimate, rates and the rendition as steps; the table row and the Markdown table', async (t) => {
  t.same(stepLine([[0, 1], [1, 1], [2, 3], [3, 3]]), [[0, 1], [1, 1], [2, 1], [2, 3], [3, 3]]);
  const pts = points(2, () => '720p', () => 1);
  t.same(rateSeries(pts, (x) => x.sentBytes), [[1, 1], [1.5, 1], [2, 1]], '125 kB a second is 1 Mbit/s');
  const samples = [sample(5, 0, 0), sample(30, 750, 750)];
  const p = points(30, (x) => (x < 10 ? '720p' : '360p'), () => 2_000_000, () => 20_000);
  const link = { originS: 0, steps: [{ atMs: 0, kbps: 20_000 }] };
  const summary = summarizeBandwidth(samples, p, RATES, link);
  const goals = judgeBandwidth(summary, { topWithinS: 10 });
  const sc = buildScenario('bw-wide');
  const rec = {
    scenario: { id: sc.id, title: sc.title, source: sc.source, durationS: sc.durationS, impairment: sc.impairment }, strategy: sc.strategies[0], seed: 1,
    startedAt: '', samples, summary: {} as RunRecord['summary'], detail: {}, failures: [], judged: true,
    bandwidth: { link, points: p, rates: RATES, summary, goals },
  } as RunRecord;
  const svg = bandwidthChart(rec);
  t.match(svg, /^<svg/);
  t.match(svg, /capacity clipped/, 'a 20 Mbit/s capacity would flatten the rest');
  t.equal((svg.match(/<polyline/g) ?? []).length, 5);
  const cells = bandwidthCells(rec);
  t.equal(cells.length, BANDWIDTH_COLUMNS.length);
  t.match(cells[8], /^0\/1: not on the top rendition/);
  t.equal(bandwidthMarkdown([rec]).split('\n').length, 3);
  t.equal(bandwidthMarkdown([{ ...rec, bandwidth: undefined }]), '');
});

t.test('presets: the bandwidth set is a group, on the two-rendition camera, shaped as tbf', async (t) => {
  t.same(expandScenarios('clean,bandwidth'), ['clean', ...BANDWIDTH_MATRIX]);
  for (const id of BANDWIDTH_MATRIX) {
    const sc = buildScenario(id, { source: 'demo' });
    t.equal(sc.source, 'renditions', `${id} keeps its camera`);
    t.ok(sc.bandwidth, `${id} has goals`);
    t.ok(sc.impairment.forward.tbf, `${id} is shaped`);
  }
  t.ok(PRESETS['bw-loss10'].impairment.back.loss === 0.1, 'random loss both ways');
  const saw = sawtooth(800, 4000, 20, 3);
  t.equal(saw.length, 60);
  t.same([saw[0], saw[19], saw[20]], [{ atMs: 0, kbps: 800 }, { atMs: 19_000, kbps: 4000 }, { atMs: 20_000, kbps: 800 }]);
});
