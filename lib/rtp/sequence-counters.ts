/** The sequence bookkeeping every depacketizer counts (H.264, H.265, audio), as plain numbers. */
export interface SequenceCounters {
  /** RTP packets pushed, including the dropped ones. */
  packets: number;
  /** Payload bytes of the packets that were used. */
  bytes: number;
  duplicates: number;
  /** Older than the newest packet (within maxMisorder): dropped. */
  late: number;
  /** Sequence numbers skipped between pushed packets. */
  lostPackets: number;
  /** Gaps and markLoss() calls. */
  lossEvents: number;
  lossMarks: number;
  sequenceRestarts: number;
}
