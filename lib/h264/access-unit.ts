/** What the depacketizer emits, and how it is configured. */

export interface AccessUnit {
  /**
   * NAL units of one picture, in order: views into one buffer owned by this access unit, or
   * with `transientUnits` views of the depacketizer's buffer, valid only during the callback.
   */
  nalus: Uint8Array[];
  /** RTP timestamp (90 kHz). */
  timestamp: number;
  /** An IDR slice is present. */
  keyframe: boolean;
  /** False when any packet or fragment of this unit was lost, malformed or unsupported. */
  complete: boolean;
  /**
   * flush() (end of stream) cut this unit off with nothing lost: `complete` is false because
   * nothing proves its last packet came, not because the network broke it.
   */
  truncatedAtEnd?: boolean;
  /** An earlier access unit was dropped whole (oversized, or nothing usable) since the last one emitted. */
  discontinuity: boolean;
  /** SPS/PPS were prepended from the known parameter sets (`insertParameterSets`). */
  parameterSetsInserted: boolean;
  /** RTP packets that contributed. */
  packets: number;
  /** Total NAL bytes. */
  size: number;
  firstSequenceNumber: number;
  lastSequenceNumber: number;
}

export interface DepacketizerOptions {
  /** Largest access unit kept, in NAL bytes; a larger one is dropped and counted. Default 8 MiB. */
  maxAccessUnitSize?: number;
  /**
   * Hand out units as views of the depacketizer's assembly buffer, valid only until
   * `onAccessUnit` returns: no copy and no allocation per unit, for a consumer that packetizes
   * each unit at once (camwire's gateway does). Default false.
   */
  transientUnits?: boolean;
  /** Parameter sets known out of band (sprop-parameter-sets); Annex-B prefixes are tolerated. */
  parameterSets?: readonly Uint8Array[];
  /** Insert the known SPS/PPS before the IDR of a unit that lacks them (Axis: SDP only). Default false. */
  insertParameterSets?: boolean;
  /**
   * Which NAL units to search for Annex-B start codes and split (several cameras send byte
   * streams inside RTP). 'non-vcl' (default): every unit except coded slices. All known cases
   * start with a non-slice unit (SPS, or a type-0 header before a start code), and a conforming
   * slice cannot contain a start code (emulation prevention), so scanning slices only costs time.
   * 'all' also scans slices; 'none' never splits.
   */
  annexBScan?: 'non-vcl' | 'all' | 'none';
  /**
   * Sequence number of the first packet (RTSP RTP-Info `seq=`). With it, packets lost before the
   * first one that arrives are detected; without it the first access unit counts as complete only
   * when it visibly starts a picture (see `looksLikeUnitStart`).
   */
  firstSequenceNumber?: number;
  /**
   * A packet this far behind the last one is taken as a sequence restart (camera reset),
   * not as a late duplicate. Default 3000, like common RTP receivers.
   */
  maxMisorder?: number;
}
