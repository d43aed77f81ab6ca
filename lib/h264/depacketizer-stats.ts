import type { SequenceCounters } from '../rtp/sequence-counters.js';

/** Counters of an H264Depacketizer (plain object; every drop has one). */
export interface DepacketizerStats extends SequenceCounters {
  singleNalUnits: number;
  stapAPackets: number;
  fuAPackets: number;
  /** STAP-B, MTAP16, MTAP24, FU-B: counted and dropped. */
  unsupportedPackets: number;
  /** Payload types 30 and 31 (reserved): ignored. */
  reservedTypes: number;
  /** Truncated STAP-A units, FU-A shorter than its 2-byte header. */
  malformed: number;
  /** Packets with no payload (padding only): ignored. */
  emptyPayloads: number;
  stapAPadding: number;
  fragmentsWithoutStart: number;
  fragmentsUnterminated: number;
  /** NAL units that held Annex-B start codes and were split. */
  annexBSplits: number;
  /** FU-A packets with both the start and the end bit set (a whole NAL unit in one fragment: CostarHD). */
  fuAStartAndEnd: number;
  /** FU-A packets with the reserved R bit set (ignored: Longse CMSEKL800). */
  fuAReservedBit: number;
  /** NAL units of type 0 (unspecified), passed through. */
  nalType0: number;
  /** Complete units that ended at a timestamp change, not at a marker bit (FLIR M400 never sets it). */
  unitsEndedByTimestamp: number;
  /** Keyframes whose unit carried no SPS and PPS of its own (Axis: SDP only; inserted when asked). */
  keyframesWithoutParameterSets: number;
  /** Marker bits seen before any coded slice (SPS/PPS/SEI marked by some cameras). */
  markersWithoutPicture: number;
  /** Parameter-set-only units whose timestamp differed from the picture after them. */
  parameterSetsCarried: number;
  parameterSetsInserted: number;
  accessUnitsComplete: number;
  accessUnitsIncomplete: number;
  /**
   * The unit still open at flush() (end of stream) with nothing lost: cut off by the stop, not
   * broken; counted here instead of accessUnitsIncomplete (it is still handed out as incomplete).
   */
  accessUnitsTruncatedAtEnd: number;
  accessUnitsOversized: number;
  /** Units with nothing usable left after drops. */
  accessUnitsEmpty: number;
  /** Streams whose first packet did not visibly start a unit (that unit is reported incomplete). */
  unknownStarts: number;
  /** Units in progress thrown away by reset(). */
  accessUnitsDiscarded: number;
  keyframes: number;
  nalUnits: number;
}

export function emptyDepacketizerStats(): DepacketizerStats {
  return {
    packets: 0, bytes: 0, duplicates: 0, late: 0, lostPackets: 0, lossEvents: 0, lossMarks: 0,
    sequenceRestarts: 0, singleNalUnits: 0, stapAPackets: 0, fuAPackets: 0, unsupportedPackets: 0,
    reservedTypes: 0, malformed: 0, emptyPayloads: 0, stapAPadding: 0, fragmentsWithoutStart: 0, fragmentsUnterminated: 0,
    fuAStartAndEnd: 0, fuAReservedBit: 0, nalType0: 0, unitsEndedByTimestamp: 0, keyframesWithoutParameterSets: 0,
    annexBSplits: 0, markersWithoutPicture: 0, parameterSetsCarried: 0, parameterSetsInserted: 0,
    accessUnitsComplete: 0, accessUnitsIncomplete: 0, accessUnitsTruncatedAtEnd: 0, accessUnitsOversized: 0, accessUnitsEmpty: 0,
    unknownStarts: 0, accessUnitsDiscarded: 0,
    keyframes: 0, nalUnits: 0,
  };
}
