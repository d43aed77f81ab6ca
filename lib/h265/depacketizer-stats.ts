import type { SequenceCounters } from '../rtp/sequence-counters.js';

/** Counters of an H265Depacketizer (plain object; every drop has one). */
export interface H265DepacketizerStats extends SequenceCounters {
  singleNalUnits: number;
  apPackets: number;
  fuPackets: number;
  /** PACI packets (RFC 7798 4.4.4): counted and dropped. */
  paciPackets: number;
  /** Payload types 51-63 (reserved): ignored. */
  reservedTypes: number;
  /**
   * Payloads that break RFC 7798: shorter than the payload header, forbidden bit or a zero
   * temporal id in it, truncated AP units, an FU shorter than its headers or carrying an
   * AP/FU/PACI type. Dropped; the unit they belonged to is incomplete.
   */
  malformed: number;
  /** Packets with no payload (padding only): ignored. */
  emptyPayloads: number;
  fragmentsWithoutStart: number;
  fragmentsUnterminated: number;
  /** With DONL (sprop-max-don-diff > 0): NAL units whose DON went backwards (not reordered: unit incomplete). */
  donOutOfOrder: number;
  /** Marker bits seen before any coded slice. */
  markersWithoutPicture: number;
  /** Parameter-set-only units whose timestamp differed from the picture after them. */
  parameterSetsCarried: number;
  parameterSetsInserted: number;
  accessUnitsComplete: number;
  accessUnitsIncomplete: number;
  accessUnitsOversized: number;
  /** Units with nothing usable left after drops. */
  accessUnitsEmpty: number;
  /** Streams whose first packet did not visibly start a unit (that unit is reported incomplete). */
  unknownStarts: number;
  /** Units in progress thrown away by reset(). */
  accessUnitsDiscarded: number;
  /** IRAP access units (BLA, IDR, CRA). */
  keyframes: number;
  nalUnits: number;
}

export function emptyH265DepacketizerStats(): H265DepacketizerStats {
  return {
    packets: 0, bytes: 0, duplicates: 0, late: 0, lostPackets: 0, lossEvents: 0, lossMarks: 0, sequenceRestarts: 0,
    singleNalUnits: 0, apPackets: 0, fuPackets: 0, paciPackets: 0, reservedTypes: 0, malformed: 0, emptyPayloads: 0,
    fragmentsWithoutStart: 0, fragmentsUnterminated: 0, donOutOfOrder: 0, markersWithoutPicture: 0,
    parameterSetsCarried: 0, parameterSetsInserted: 0, accessUnitsComplete: 0, accessUnitsIncomplete: 0,
    accessUnitsOversized: 0, accessUnitsEmpty: 0, unknownStarts: 0, accessUnitsDiscarded: 0, keyframes: 0, nalUnits: 0,
  };
}
