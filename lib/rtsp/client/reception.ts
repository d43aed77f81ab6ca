/**
 * What the RTSP client knows about one camera track (RFC 3550 6.4.1, A.3, A.8): packets
 * received, lost, reordered and duplicated, interarrival jitter, and the report block for the
 * receiver reports cameras want every 5 s. A thin wrapper of lib/rtcp's ReceptionStats, which
 * does all the A.3 arithmetic; this adds what the probe reports on top: duplicates are told
 * apart (and kept out of the statistics), reordering and bytes are counted, a first packet that
 * arrived late still counts as expected, and everything restarts when the SSRC changes.
 * Pure: arrival times come in as parameters.
 */
import { ReceptionStats, type RtcpReportBlock } from '../../rtcp/index.js';
import { SequenceTracker } from '../../rtp/sequence-tracker.js';

export interface ReceptionCounters {
  ssrc: number | undefined;
  received: number;
  bytes: number;
  /** Expected (from the sequence range) minus received; never negative. */
  lost: number;
  /** Arrived after a higher sequence number. */
  reordered: number;
  /** Same sequence number seen again within the last `DUPLICATE_WINDOW` packets. */
  duplicated: number;
  /** Times the SSRC changed within one session (counters restart). */
  ssrcChanges: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
}

export type ReceptionReportBlock = RtcpReportBlock;

const DUPLICATE_WINDOW = 1024;

/**
 * No jump is a restart here, unlike in the depacketizer: as in RFC 3550 A.3 (and ReceptionStats'
 * unwrapper, whose extended numbers these must equal) half the number space either way is loss
 * or reordering, and only a new SSRC restarts the counters.
 */
const UNBOUNDED = { maxMisorder: Infinity, maxDropout: Infinity } as const;

export class RtpReception {
  private readonly seen = new Float64Array(DUPLICATE_WINDOW).fill(-1);
  private readonly sequence = new SequenceTracker(UNBOUNDED);
  private stats: ReceptionStats | undefined;
  private bytes = 0;
  private reordered = 0;
  private duplicated = 0;
  private ssrcChanges = 0;

  /** `clockRate` of the track, for jitter in RTP units. */
  constructor(private readonly clockRate: number) {}

  /** Records one packet; returns how it arrived. */
  onPacket(seq: number, timestamp: number, ssrc: number, bytes: number, arrivalMs: number): 'new' | 'reordered' | 'duplicate' {
    let stats = this.stats;
    if (stats?.ssrc !== ssrc) {
      if (stats !== undefined) this.ssrcChanges++;
      stats = this.restart(ssrc);
    }
    // late and duplicate packets leave the tracker as it was, so tracking before the window is safe
    const event = this.sequence.track(seq);
    const ext = this.sequence.lastExtended;
    const slot = ext % DUPLICATE_WINDOW;
    if (this.seen[slot] === ext) {
      this.duplicated++;
      return 'duplicate';
    }
    this.seen[slot] = ext;
    stats.onRtp(seq, timestamp, arrivalMs);
    this.bytes += bytes;
    if (event === 'late') {
      this.reordered++;
      return 'reordered';
    }
    return 'new';
  }

  /** Records a sender report from this source (for LSR/DLSR). */
  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.stats?.onSenderReport(ntpSeconds, ntpFraction, arrivalMs);
  }

  get counters(): ReceptionCounters {
    const c = this.stats?.counters;
    return {
      ssrc: this.stats?.ssrc,
      received: c?.received ?? 0,
      bytes: this.bytes,
      lost: Math.max(0, c?.lost ?? 0),
      reordered: this.reordered,
      duplicated: this.duplicated,
      ssrcChanges: this.ssrcChanges,
      jitter: Math.floor(this.stats?.jitterUnits ?? 0),
    };
  }

  /** Report block for an RR sent now; undefined before the first packet. Advances the interval. */
  reportBlock(nowMs: number): ReceptionReportBlock | undefined {
    return this.stats?.reportBlock(nowMs);
  }

  private restart(ssrc: number): ReceptionStats {
    this.stats = new ReceptionStats(ssrc, this.clockRate, { baseFollowsLatePackets: true });
    this.seen.fill(-1);
    this.sequence.reset();
    this.bytes = this.reordered = this.duplicated = 0;
    return this.stats;
  }
}
