/** Counters of an H264Refragmenter (plain object; every drop has one). */
import type { FuACutterStats } from './fu-a-cutter.js';
import type { HeldUnitsStats } from './held-units.js';

export interface RefragmenterStats extends HeldUnitsStats, FuACutterStats {
  packetsIn: number;
  packetsOut: number;
  units: number;
  keyframeUnits: number;
  /** Camera packets cut into more than one egress packet. */
  split: number;
  /** SPS/PPS put in front of an IDR that came without them. */
  parameterSetsInserted: number;
  /** STAP-B, MTAP, FU-B and reserved types: dropped. */
  unsupported: number;
  /** Empty payloads, STAP-A sizes past the end, FU-A without data: dropped. */
  malformed: number;
  /** FU-A middle or end fragments whose start was never seen: dropped. */
  orphanFragments: number;
  /** Units the camera did not mark: they ended by a timestamp change. */
  unitsWithoutMarker: number;
  /** Held units that were really Annex-B byte streams (start codes inside), split into their units. */
  annexBSplits: number;
}

export function emptyRefragmenterStats(): RefragmenterStats {
  return {
    packetsIn: 0, packetsOut: 0, units: 0, keyframeUnits: 0, split: 0, held: 0, heldDropped: 0,
    parameterSetsInserted: 0, unsupported: 0, malformed: 0, orphanFragments: 0, unitsWithoutMarker: 0,
    annexBSplits: 0, carried: 0, carryDropped: 0,
  };
}
