/**
 * The lab's data: one record per run (conditions, strategy, seed, a time series sampled once
 * a second, a summary) and how a summary is computed and judged against a preset's figures.
 * Pure functions: the runner fills records, the report renders them.
 */
import type { BrowserAudioStats, BrowserStats } from './browser.js';
import type { RecoveryStats } from './recovery-tracker.js';
import type { BandwidthRun } from './bandwidth-record.js';
import type { Expectation, Impairment, Scenario, Strategy } from './scenario.js';

/** camwire's own counters for the lab's viewer and stream (from GET /api/streams). */
export interface CamwireCounters {
  accessUnits: number;
  keyframes: number;
  keyframeRequestsForwarded: number;
  keyframeRequestsSuppressed: number;
  packetsSent: number;
  nacksReceived: number;
  nackedPackets: number;
  retransmitted: number;
  rtxSent: number;
  retransmitUnavailable: number;
  plisReceived: number;
  firsReceived: number;
  rttMs: number;
}

export interface WireSample {
  /** Frames camwire sent to the browser (distinct RTP timestamps, first transmissions). */
  framesSent: number;
  /** Of those, the ones whose last packet carried the marker (all of them unless packet forwarding abandoned some). */
  framesMarked: number;
  /** First transmissions out of sequence order: holes or steps back in what camwire sent. */
  seqDiscontinuities: number;
  mediaPackets: number;
  retransmissions: number;
  rtx: number;
  /** Datagrams the impairment dropped: media direction and back. */
  droppedMedia: number;
  droppedBack: number;
  /** Frames the camera sent into the camera leg (before impairment). */
  cameraFrames: number;
}

export interface Sample {
  /** Seconds since the viewer started. */
  t: number;
  browser: BrowserStats;
  wire: WireSample;
  camwire: CamwireCounters;
}

export interface RunSummary {
  framesSent: number;
  framesDecoded: number;
  decodedPct: number;
  /**
   * Frames Chromium assembled (framesReceived) per frame sent: what the network and recovery
   * delivered. Decoded can be lower when a starved Chromium drops frames before decoding.
   */
  receivedPct: number;
  freezeCount: number;
  totalFreezesDuration: number;
  /** Chromium's packetsLost minus packets it recovered from RTX (which it counts as lost). */
  packetsLost: number;
  /** Chromium's packetsLost as reported. */
  packetsLostRaw: number;
  packetsReceived: number;
  /** packetsLost / (packetsReceived + packetsLost), percent. */
  lostPct: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  framesDropped: number;
  /** Mean time a frame waited in Chromium's jitter buffer (ms). */
  jitterBufferMs: number;
  firstFrameMs: number;
  /** For each PLI, ms until the next keyframe was decoded (-1: none came). */
  pliToKeyframeMs: number[];
  retransmitted: number;
  rtxSent: number;
  retransmitUnavailable: number;
  droppedMedia: number;
  droppedBack: number;
  /** Camera frames that did not reach the browser as frames camwire sent (camera leg). */
  cameraFramesLost: number;
  /** Repair latency on the WebRTC leg, from the relay (plain NACK retransmissions only). */
  repair?: RecoveryStats;
  /**
   * UDP datagrams the kernel dropped machine-wide during the run (receive buffers full): losses
   * nobody simulated. Non-zero means a starved process, so treat the run's figures with care.
   */
  kernelDrops?: number;
}

export interface RunRecord {
  scenario: { id: string; title: string; source: Scenario['source']; durationS: number; impairment: Impairment };
  strategy: Strategy;
  seed: number;
  startedAt: string;
  samples: Sample[];
  summary: RunSummary;
  /** The audio track's fate, when the run took audio (`--audio`). */
  audio?: AudioSummary;
  /** The controller over time and the issue-22 figures, when the scenario is a bandwidth one. */
  bandwidth?: BandwidthRun;
  /** Everything else worth keeping: final camwire snapshot, relay model counters, notes. */
  detail: Record<string, unknown>;
  /** Failures of the preset's figures for this strategy (empty: passed or not judged). */
  failures: string[];
  /** True when the preset has figures for this strategy. */
  judged: boolean;
}

/**
 * Packets still missing after recovery. Chromium counts a packet repaired from the RTX stream
 * as lost on the media stream (and as retransmittedPacketsReceived); a plain retransmission on
 * the media SSRC simply counts as received.
 */
export function lostAfterRecovery(b: BrowserStats): number {
  return Math.max(0, b.packetsLost - b.retransmittedPacketsReceived);
}

const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

export function pliToKeyframe(pliAt: readonly number[], keyframeAt: readonly number[]): number[] {
  return pliAt.map((t) => {
    const k = keyframeAt.find((x) => x >= t);
    return k === undefined ? -1 : k - t;
  });
}

export function summarize(
  last: Sample,
  events: { pliAt: number[]; keyframeAt: number[]; firstFrameAt: number; startedAt: number },
  cameraFramesLost: number,
): RunSummary {
  const b = last.browser;
  return {
    framesSent: last.wire.framesSent,
    framesDecoded: b.framesDecoded,
    decodedPct: round(pct(b.framesDecoded, last.wire.framesSent), 2),
    receivedPct: round(pct(b.framesReceived, last.wire.framesSent), 2),
    freezeCount: b.freezeCount,
    totalFreezesDuration: round(b.totalFreezesDuration, 3),
    packetsLost: lostAfterRecovery(b),
    packetsLostRaw: b.packetsLost,
    packetsReceived: b.packetsReceived,
    lostPct: round(pct(lostAfterRecovery(b), b.packetsReceived + lostAfterRecovery(b)), 3),
    nackCount: b.nackCount,
    pliCount: b.pliCount,
    firCount: b.firCount,
    framesDropped: b.framesDropped,
    jitterBufferMs: round(b.jitterBufferEmittedCount > 0 ? (1000 * b.jitterBufferDelay) / b.jitterBufferEmittedCount : 0, 1),
    firstFrameMs: events.firstFrameAt >= 0 ? events.firstFrameAt - events.startedAt : -1,
    pliToKeyframeMs: pliToKeyframe(events.pliAt, events.keyframeAt),
    retransmitted: last.camwire.retransmitted,
    rtxSent: last.camwire.rtxSent,
    retransmitUnavailable: last.camwire.retransmitUnavailable,
    droppedMedia: last.wire.droppedMedia,
    droppedBack: last.wire.droppedBack,
    cameraFramesLost,
  };
}

/** What `s` fails of `e` (empty when it meets every figure). */
export function judge(s: RunSummary, e: Expectation): string[] {
  const f: string[] = [];
  if (e.minDecodedPct !== undefined && !(s.decodedPct >= e.minDecodedPct)) f.push(`decoded ${s.decodedPct}% < ${e.minDecodedPct}%`);
  if (e.maxFreezes !== undefined && s.freezeCount > e.maxFreezes) f.push(`${s.freezeCount} freezes > ${e.maxFreezes}`);
  if (e.maxLostPct !== undefined && s.lostPct >= e.maxLostPct) f.push(`packetsLost ${s.lostPct}% >= ${e.maxLostPct}%`);
  if (e.maxNacks !== undefined && s.nackCount > e.maxNacks) f.push(`${s.nackCount} NACKs > ${e.maxNacks}`);
  if (e.maxCameraFramesLost !== undefined && s.cameraFramesLost > e.maxCameraFramesLost) f.push(`${s.cameraFramesLost} camera frames lost`);
  if (e.maxPliToKeyframeMs !== undefined) {
    const slow = s.pliToKeyframeMs.filter((x) => x < 0 || x > e.maxPliToKeyframeMs!);
    if (slow.length > 0) f.push(`${slow.length}/${s.pliToKeyframeMs.length} PLIs without a keyframe within ${e.maxPliToKeyframeMs} ms`);
  }
  if (e.failureBelowPct !== undefined && !(s.decodedPct < e.failureBelowPct || s.freezeCount > 0)) {
    f.push(`expected the study's failure, got ${s.decodedPct}% decoded and no freeze`);
  }
  return f;
}

export function judgeStrategy(s: RunSummary, strategyName: string, expect: readonly Expectation[]): { judged: boolean; failures: string[] } {
  const mine = expect.filter((e) => e.strategies.includes(strategyName));
  return { judged: mine.length > 0, failures: mine.flatMap((e) => judge(s, e)) };
}

export function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** Summary table, one row per run, fixed-width for a terminal. */
export function summaryTable(records: readonly RunRecord[]): string {
  const head = ['scenario', 'strategy', 'seed', 'sent', 'decoded', '%', 'recv%', 'freezes', 'frz s', 'lost%', 'NACKs', 'PLIs', 'resent', 'drop m/b', 'kdrop', 'check'];
  const rows = records.map((r) => {
    const s = r.summary;
    return [
      r.scenario.id, r.strategy.name, String(r.seed), String(s.framesSent), String(s.framesDecoded), s.decodedPct.toFixed(2), s.receivedPct.toFixed(2),
      String(s.freezeCount), s.totalFreezesDuration.toFixed(1), s.lostPct.toFixed(3), String(s.nackCount), String(s.pliCount),
      String(s.retransmitted + s.rtxSent), `${s.droppedMedia}/${s.droppedBack}`, String(s.kernelDrops ?? '?'),
      !r.judged ? '-' : r.failures.length === 0 ? 'PASS' : 'FAIL: ' + r.failures.join('; '),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === head.length - 1 ? 0 : r[i].length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/** What the viewer heard: Chromium's inbound-rtp audio at the end of the run, and what the relay saw. */
export interface AudioSummary {
  codec: string;
  /** Audio packets camwire sent through the relay (first transmissions and any resends). */
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  lostPct: number;
  totalSamplesReceived: number;
  concealedSamples: number;
  /** concealedSamples / totalSamplesReceived: what the listener heard made up. */
  concealedPct: number;
  concealmentEvents: number;
}

export function audioSummary(a: BrowserAudioStats, packetsSent: number): AudioSummary {
  return {
    codec: a.mimeType, packetsSent, packetsReceived: a.packetsReceived, packetsLost: a.packetsLost,
    lostPct: pct(a.packetsLost, a.packetsLost + a.packetsReceived), totalSamplesReceived: a.totalSamplesReceived,
    concealedSamples: a.concealedSamples, concealedPct: pct(a.concealedSamples, a.totalSamplesReceived), concealmentEvents: a.concealmentEvents,
  };
}
