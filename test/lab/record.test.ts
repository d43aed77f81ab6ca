import t from 'tap';
import { judge, judgeStrategy, pliToKeyframe, summarize, summaryTable, type RunRecord, type Sample } from '../../tools/lab/record.js';
import { STAT_FIELDS, type BrowserStats } from '../../tools/lab/browser.js';
import { buildScenario, STRATEGIES } from '../../tools/lab/scenario.js';

function browser(over: Partial<BrowserStats>): BrowserStats {
  const b = Object.fromEntries(STAT_FIELDS.map((f) => [f, 0])) as BrowserStats;
  return { ...b, ...over };
}

function sample(over: Partial<BrowserStats>, framesSent: number): Sample {
  return {
    t: 30,
    browser: browser(over),
    wire: { framesSent, framesMarked: framesSent, seqDiscontinuities: 0, mediaPackets: 0, retransmissions: 0, rtx: 0, droppedMedia: 40, droppedBack: 3, cameraFrames: 0 },
    camwire: {
      accessUnits: 0, keyframes: 0, keyframeRequestsForwarded: 0, keyframeRequestsSuppressed: 0, packetsSent: 0, nacksReceived: 0,
      nackedPackets: 0, retransmitted: 38, rtxSent: 2, retransmitUnavailable: 0, plisReceived: 0, firsReceived: 0, rttMs: 1,
    },
  };
}

t.test('pliToKeyframe pairs each PLI with the next decoded keyframe', async (t) => {
  t.same(pliToKeyframe([100, 500, 2000], [50, 300, 600]), [200, 100, -1]);
  t.same(pliToKeyframe([], [1]), []);
});

t.test('summarize computes shares from wire and browser numbers', async (t) => {
  const s = summarize(
    sample({ framesDecoded: 897, packetsLost: 2, packetsReceived: 9998, freezeCount: 0, jitterBufferDelay: 45, jitterBufferEmittedCount: 900 }, 900),
    { pliAt: [1000], keyframeAt: [1400], firstFrameAt: 2500, startedAt: 1000 },
    0,
  );
  t.equal(s.decodedPct, 99.67);
  t.equal(s.lostPct, 0.02);
  t.equal(s.jitterBufferMs, 50);
  t.equal(s.firstFrameMs, 1500);
  t.same(s.pliToKeyframeMs, [400]);
  t.equal(s.retransmitted + s.rtxSent, 40);
  t.equal(s.droppedMedia, 40);
  const none = summarize(sample({}, 0), { pliAt: [], keyframeAt: [], firstFrameAt: -1, startedAt: 0 }, 0);
  t.equal(none.decodedPct, 0, 'no frames sent: 0%, not NaN');
  t.equal(none.firstFrameMs, -1);
});

t.test('judge: each figure fails on its own', async (t) => {
  const ok = summarize(sample({ framesDecoded: 900, packetsReceived: 10000 }, 900), { pliAt: [], keyframeAt: [], firstFrameAt: 0, startedAt: 0 }, 0);
  const loss5 = buildScenario('loss5').expect;
  t.same(judgeStrategy(ok, 'nack', loss5), { judged: true, failures: [] });
  t.same(judgeStrategy(ok, 'none', loss5).failures.length, 1, 'a smooth `none` run is not the study failure');
  t.same(judgeStrategy(ok, 'nack+rtx/x2', loss5), { judged: false, failures: [] });
  t.match(judge({ ...ok, decodedPct: 99.4 }, { strategies: [], minDecodedPct: 99.5 }), [/decoded 99.4% < 99.5%/]);
  t.match(judge({ ...ok, freezeCount: 2 }, { strategies: [], maxFreezes: 1 }), [/2 freezes/]);
  t.match(judge({ ...ok, lostPct: 0.1 }, { strategies: [], maxLostPct: 0.1 }), [/packetsLost/]);
  t.match(judge({ ...ok, nackCount: 1 }, { strategies: [], maxNacks: 0 }), [/NACKs/]);
  t.match(judge({ ...ok, cameraFramesLost: 1 }, { strategies: [], maxCameraFramesLost: 0 }), [/camera frames lost/]);
  t.match(judge({ ...ok, pliToKeyframeMs: [300, -1, 1200] }, { strategies: [], maxPliToKeyframeMs: 1000 }), [/2\/3 PLIs/]);
  t.same(judge({ ...ok, decodedPct: 14.8 }, { strategies: [], failureBelowPct: 90 }), []);
  t.same(judge({ ...ok, freezeCount: 3 }, { strategies: [], failureBelowPct: 90 }), []);
});

t.test('summaryTable lists every run with its verdict', async (t) => {
  const sc = buildScenario('loss5');
  const s = summarize(sample({ framesDecoded: 133, packetsReceived: 100 }, 900), { pliAt: [], keyframeAt: [], firstFrameAt: 0, startedAt: 0 }, 0);
  const rec = (name: string, judged: boolean, failures: string[]): RunRecord => ({
    scenario: { id: sc.id, title: sc.title, source: 'demo', durationS: 30, impairment: sc.impairment },
    strategy: STRATEGIES[name], seed: 1, startedAt: '', samples: [], summary: s, detail: {}, judged, failures,
  });
  const table = summaryTable([rec('none', true, []), rec('nack', true, ['decoded 14.78% < 99.5%']), rec('nack+rtx/x2', false, [])]);
  const lines = table.split('\n');
  t.equal(lines.length, 5);
  t.match(lines[2], /^loss5\s+none\s+1\s+900\s+133\s+14\.78\s+0\.00\s.*\?\s+PASS$/);
  t.match(lines[3], /FAIL: decoded 14.78% < 99.5%$/);
  t.match(lines[4], /-$/);
});
