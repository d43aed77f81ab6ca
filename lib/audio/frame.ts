/**
 * What every audio depacketizer shares: the frame it hands out, its counters, the options
 * common to all, and the sequence-number bookkeeping (duplicates, late packets, gaps).
 */
import type { RtpPacket } from '../rtp/packet.js';
import { tsDistance } from '../rtp/seq.js';
import { SequenceTracker } from '../rtp/sequence-tracker.js';
import { AudioFormatError } from './errors.js';
import type { SequenceCounters } from '../rtp/sequence-counters.js';

/**
 * One coded audio frame (an AAC access unit, a G.711/G.722/Opus packet payload). The object
 * and its bytes are reused: both are valid only until the callback returns (copy to keep).
 */
export interface AudioFrame {
  /** The coded bytes: a view into the packet or into the depacketizer's scratch buffer. */
  data: Uint8Array;
  /** RTP timestamp of the frame's first sample, on the track's clock. */
  timestamp: number;
  /** Sequence number of the packet that completed the frame. */
  sequenceNumber: number;
  /** Frames were lost or dropped between the previous frame and this one. */
  discontinuity: boolean;
}

export type AudioFrameSink = (frame: AudioFrame) => void;

/** The one shape of every audio depacketizer: push packets in sequence order, get frames. */
export interface AudioDepacketizer {
  readonly stats: AudioDepacketizerStats;
  push(pkt: RtpPacket): void;
  pushPayload(payload: Uint8Array, sequenceNumber: number, timestamp: number, marker: boolean): void;
  /** The reorder buffer gave up on packets: whatever they carried is lost. */
  markLoss(): void;
  /** The next packet should carry `seq` (RTP-Info after PLAY): a gap before it is then a loss. */
  expectSequenceNumber(seq: number): void;
  /** Forgets the stream in progress (new SSRC, seek); keeps the stats. */
  reset(): void;
}

export interface AudioDepacketizerOptions {
  /** A packet this many sequence numbers behind the newest is a restart, not a late packet. */
  maxMisorder?: number;
  /** Largest access unit kept, in bytes; a larger one is counted and dropped. */
  maxAuBytes?: number;
  /** Sequence number of the first packet (RTP-Info), so that a loss before it counts. */
  firstSequenceNumber?: number;
}

export const AUDIO_DEPACKETIZER_DEFAULTS: Readonly<Required<Omit<AudioDepacketizerOptions, 'firstSequenceNumber'>>> = Object.freeze({
  // as the H.264 depacketizer: at 50 packets a second, a minute of audio
  maxMisorder: 3000,
  // 8 channels x 6144 bits, the largest AAC frame ISO 14496-3 allows (4.5.3.2), plus slack
  maxAuBytes: 8192,
});

export function resolveDepacketizerOptions(o: AudioDepacketizerOptions): Required<Omit<AudioDepacketizerOptions, 'firstSequenceNumber'>> {
  const maxMisorder = o.maxMisorder ?? AUDIO_DEPACKETIZER_DEFAULTS.maxMisorder;
  const maxAuBytes = o.maxAuBytes ?? AUDIO_DEPACKETIZER_DEFAULTS.maxAuBytes;
  if (!Number.isInteger(maxMisorder) || maxMisorder < 1 || maxMisorder > 32767) throw new AudioFormatError('AUDIO_BAD_OPTION', `maxMisorder ${maxMisorder} outside 1..32767`);
  if (!Number.isInteger(maxAuBytes) || maxAuBytes < 1 || maxAuBytes > 1 << 24) throw new AudioFormatError('AUDIO_BAD_OPTION', `maxAuBytes ${maxAuBytes} outside 1..16 MiB`);
  return { maxMisorder, maxAuBytes };
}

/** Counters of an audio depacketizer (plain object; every drop has one). */
export interface AudioDepacketizerStats extends SequenceCounters {
  /** Packets with no payload: ignored. */
  emptyPayloads: number;
  frames: number;
  /** Frames started but not delivered: a fragment lost, unterminated, or of the wrong size. */
  framesDropped: number;
  /** Packets (or their rest) dropped as malformed; the next counters say why. */
  malformed: number;
  payloadsTooShort: number;
  /** RFC 3640 AU-headers-length (or auxiliary section) past the end of the packet. */
  auHeadersPastEnd: number;
  /** An AU-size or LATM length past the end of the data. */
  ausPastEnd: number;
  ausEmpty: number;
  /** Access units over maxAuBytes. */
  ausOversized: number;
  /** Packets after a loss that could be the tail of a frame whose start was lost: dropped. */
  unverifiedAfterLoss: number;
}

export function emptyAudioStats(): AudioDepacketizerStats {
  return {
    packets: 0, bytes: 0, duplicates: 0, late: 0, lostPackets: 0, lossEvents: 0, lossMarks: 0, sequenceRestarts: 0,
    emptyPayloads: 0, frames: 0, framesDropped: 0, malformed: 0, payloadsTooShort: 0, auHeadersPastEnd: 0,
    ausPastEnd: 0, ausEmpty: 0, ausOversized: 0, unverifiedAfterLoss: 0,
  };
}

/** Gap size `AudioSequence.accept` returns when the number of lost packets is unknown. */
export const UNKNOWN_GAP = 0x10000;

/**
 * Duplicates, late packets and gaps (lib/rtp's SequenceTracker, one bound both ways), counted
 * into the stats, plus losses the reorder buffer reports without a visible gap.
 */
export class AudioSequence {
  private readonly tracker: SequenceTracker;
  private lossPending = false;

  constructor(private readonly stats: AudioDepacketizerStats, maxMisorder: number) {
    this.tracker = new SequenceTracker({ maxMisorder, maxDropout: maxMisorder });
  }

  expect(seq: number): void {
    this.tracker.expect(seq);
  }

  markLoss(): void {
    this.lossPending = true;
    this.stats.lossMarks++;
  }

  reset(): void {
    this.tracker.reset();
    this.lossPending = false;
  }

  /** -1: drop it (duplicate or late); 0: the next one in order; n > 0: n packets are missing before it. */
  accept(seq: number): number {
    const stats = this.stats;
    let gap = 0;
    switch (this.tracker.track(seq)) {
      case 'duplicate':
        stats.duplicates++;
        return -1;
      case 'late':
        stats.late++;
        return -1;
      case 'gap':
        gap = this.tracker.missing;
        stats.lostPackets += gap;
        break;
      case 'restart':
        stats.sequenceRestarts++;
        gap = UNKNOWN_GAP;
        break;
      default:
        break;
    }
    // a markLoss() without a visible sequence gap: lost, but how many is unknown
    if (gap === 0 && this.lossPending) gap = UNKNOWN_GAP;
    this.lossPending = false;
    if (gap > 0) stats.lossEvents++;
    return gap;
  }
}

/**
 * After `lostPackets` went missing, can a packet stamped `ts` be the tail of a frame whose start
 * was lost? Some payload formats (MP4A-LATM, RFC 3640 with fragment-sized AU-size) cannot say.
 * It cannot when the timestamp jump accounts for at least one whole unit per lost packet: every
 * lost packet carried at least one unit (or part of one), so none was left to carry this one's
 * start. `expectedTs` is where the unit after the last one seen starts; `unitTicks` a unit's
 * duration (a frame, or a LATM element: whatever one packet carries at least).
 */
export function gapExplained(lostPackets: number, expectedTs: number, ts: number, unitTicks: number): boolean {
  const d = tsDistance(expectedTs, ts);
  if (d < 0 || unitTicks <= 0 || d % unitTicks !== 0) return false;
  return lostPackets <= d / unitTicks;
}

const enum Known { Nothing, Yes, Lost }

/**
 * Where the unit after the last packet seen starts, for gapExplained. Every packet used counts,
 * delivered or not: a unit some of whose packets arrived was not lost whole. A packet whose
 * extent is unknown (malformed) makes the next gap unexplainable.
 */
export class UnitClock {
  private known = Known.Nothing;
  private next = 0;

  /** The packet's units end at `endTs` (exclusive). */
  seen(endTs: number): void {
    this.known = Known.Yes;
    this.next = endTs;
  }

  lostTrack(): void {
    this.known = Known.Lost;
  }

  reset(): void {
    this.known = Known.Nothing;
  }

  /** The first packet of a stream is trusted: there is nothing to check it against. */
  trusts(lostPackets: number, ts: number, unitTicks: number): boolean {
    if (this.known === Known.Nothing) return true;
    return this.known === Known.Yes && gapExplained(lostPackets, this.next, ts, unitTicks);
  }
}
