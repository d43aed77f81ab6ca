/**
 * What a padding probe showed, in the manner of libwebrtc's ProbeBitrateEstimator: every packet
 * sent while a probe cluster was open (the padding and the media that went with it) is of that
 * cluster; once transport-cc feedback has reported all of them, the cluster's send rate (bytes
 * over the send span, less the last packet) and receive rate (bytes over the arrival span, less
 * the first) give the rate the path carried. A receive rate well under the send rate means the
 * probe filled the link, and the receive rate is what it carries. One cluster at a time is
 * measured (a probe waits for the last one's result), so the state is a few numbers.
 * Pure: times come in as arguments (ms).
 */

export const PROBE_BITRATE_DEFAULTS = Object.freeze({
  /** A cluster with less than this fraction of its packets received is a failed probe (result 0). */
  minReceivedFraction: 0.8,
  /** A receive rate under this fraction of the send rate: the probe filled the link. */
  saturatedRatio: 0.9,
  /** The fraction of a filled link's receive rate taken as its capacity (libwebrtc's 0.95). */
  saturatedUse: 0.95,
  /** A receive rate above this multiple of the send rate is not believed (arrival clumping). */
  maxReceiveOverSend: 2,
  /**
   * A cluster received over less than this (ms) says nothing (feedback times are in 0.25 ms
   * steps), nor one spread over more than `maxSpanMs`: both are failed probes.
   */
  minSpanMs: 1,
  maxSpanMs: 1000,
});

export interface ProbeClusterResult {
  cluster: number;
  /** What the path carried during the probe (bit/s); 0 when the probe failed (too much of it lost). */
  bps: number;
  /** When the result was known. */
  at: number;
}

export class ProbeBitrate {
  private cluster = -1;
  private expected = 0;
  private reported = 0;
  private received = 0;
  private bytes = 0;
  private firstSend = Infinity;
  private lastSend = -Infinity;
  private lastSendBytes = 0;
  private firstArrival = Infinity;
  private lastArrival = -Infinity;
  private firstArrivalBytes = 0;

  constructor(private readonly o = PROBE_BITRATE_DEFAULTS) {}

  /**
   * Cluster `id` opens: its packets are measured as feedback comes, even before it closes
   * (feedback every 50-100 ms often lands while a cluster is still being sent).
   */
  open(id: number): void {
    this.cluster = id;
    this.expected = Infinity;
    this.reported = this.received = this.bytes = this.lastSendBytes = this.firstArrivalBytes = 0;
    this.firstSend = this.firstArrival = Infinity;
    this.lastSend = this.lastArrival = -Infinity;
  }

  /** Cluster `id` closed with `packets` packets sent in it; its result, if feedback has reported them all already. */
  close(id: number, packets: number, now: number): ProbeClusterResult | undefined {
    if (id !== this.cluster) return undefined;
    this.expected = packets;
    return this.reported >= packets ? this.finish(now) : undefined;
  }

  /**
   * Feedback about one packet of cluster `id` (`arrival` < 0: lost). Returns the cluster's
   * result once every packet of it has been reported, else undefined.
   */
  onPacket(id: number, sendAt: number, arrival: number, bytes: number, now: number): ProbeClusterResult | undefined {
    if (id !== this.cluster || this.expected === 0) return undefined;
    this.reported++;
    if (arrival >= 0) {
      this.received++;
      this.bytes += bytes;
      if (sendAt < this.firstSend) this.firstSend = sendAt;
      if (sendAt >= this.lastSend) {
        this.lastSend = sendAt;
        this.lastSendBytes = bytes;
      }
      if (arrival < this.firstArrival) {
        this.firstArrival = arrival;
        this.firstArrivalBytes = bytes;
      }
      if (arrival > this.lastArrival) this.lastArrival = arrival;
    }
    return this.reported < this.expected ? undefined : this.finish(now);
  }

  private finish(now: number): ProbeClusterResult {
    this.expected = 0;
    return { cluster: this.cluster, bps: this.rate(), at: now };
  }

  private rate(): number {
    if (this.received < 2 || this.received < this.o.minReceivedFraction * this.reported) return 0;
    const receiveSpan = this.lastArrival - this.firstArrival;
    if (receiveSpan < this.o.minSpanMs || receiveSpan > this.o.maxSpanMs) return 0;
    const receiveBps = ((this.bytes - this.firstArrivalBytes) * 8000) / receiveSpan;
    const sendSpan = this.lastSend - this.firstSend;
    // Sent in one instant (one timer turn): the arrival spread alone says what the path carried.
    if (sendSpan <= 0) return receiveBps;
    if (sendSpan > this.o.maxSpanMs) return 0;
    const sendBps = ((this.bytes - this.lastSendBytes) * 8000) / sendSpan;
    if (receiveBps > this.o.maxReceiveOverSend * sendBps) return 0;
    if (receiveBps < this.o.saturatedRatio * sendBps) return this.o.saturatedUse * receiveBps;
    return Math.min(sendBps, receiveBps);
  }
}
