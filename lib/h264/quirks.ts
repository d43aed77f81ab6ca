/**
 * The camera quirks the depacketizer tolerates, named from its counters: what `camwire probe`
 * reports. Every tolerance the depacketizer has is a row here, so none goes unnamed.
 */
import type { DepacketizerStats } from './depacketizer-stats.js';

/** Quirk name -> the counter that shows it, and a camera known to do it (corpus QUIRKS.md, section J). */
export const DEPACKETIZER_QUIRKS = Object.freeze({
  /** AU boundaries only by timestamp change (FLIR M400). */
  'no-marker-bit': 'unitsEndedByTimestamp',
  /** Marker on SPS/PPS/SEI packets (Tapo TC70, Reolink Duo 2, H264DVR). */
  'marker-bit-on-parameter-sets': 'markersWithoutPicture',
  /** SPS/PPS with another timestamp than the IDR after them (Reolink RLC-822A). */
  'parameter-set-timestamp-differs': 'parameterSetsCarried',
  /** IDR units without their own SPS/PPS (Axis: sprop-parameter-sets only). */
  'idr-without-parameter-sets': 'keyframesWithoutParameterSets',
  /** Annex-B byte streams inside RTP NAL units (Amatek AR-N3222F, "Chinese buggy cameras"). */
  'annex-b-start-codes-inside-nal-units': 'annexBSplits',
  /** FU-A with start and end bits both set (CostarHD). */
  'fu-a-start-and-end-bits': 'fuAStartAndEnd',
  /** FU-A with the reserved bit set (Longse CMSEKL800). */
  'fu-a-reserved-bit': 'fuAReservedBit',
  /** STAP-A padded with zero bytes after its last unit. */
  'stap-a-padding': 'stapAPadding',
  /** NAL units of type 0 passed through (as FFmpeg and gortsplib do). */
  'nal-type-0': 'nalType0',
  /** Reserved NAL types 30/31, ignored. */
  'reserved-nal-types': 'reservedTypes',
  /** RTP packets with no payload (padding only). */
  'empty-rtp-payloads': 'emptyPayloads',
  /** STAP-B, MTAP or FU-B: counted and dropped (packetization-mode 2). */
  'unsupported-packetization': 'unsupportedPackets',
  /** Sequence numbers that jumped back or far ahead (a camera reset mid-stream). */
  'sequence-restart': 'sequenceRestarts',
} as const satisfies Record<string, keyof DepacketizerStats>);

export type DepacketizerQuirk = keyof typeof DEPACKETIZER_QUIRKS;

/** The quirks a depacketizer's counters show, in table order. */
export function depacketizerQuirks(stats: DepacketizerStats): DepacketizerQuirk[] {
  const out: DepacketizerQuirk[] = [];
  for (const [name, counter] of Object.entries(DEPACKETIZER_QUIRKS) as [DepacketizerQuirk, keyof DepacketizerStats][]) {
    if (stats[counter] > 0) out.push(name);
  }
  return out;
}
