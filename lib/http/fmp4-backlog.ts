/**
 * A WebSocket viewer's bandwidth estimate from its send backlog, for the rendition chooser.
 * TCP gives no feedback but this: what the connection has been handed and not yet written
 * (the socket's writableLength; the session itself holds nothing). Sampled on every tick and
 * judged once per `windowMs`:
 * - congested: the backlog stayed above `highWaterBytes`, or it is above `lowWaterBytes` and
 *   grew over the window. The link carried what drained (bytes handed minus backlog growth),
 *   and the backlog itself must drain too, within `drainMs`: the estimate is the drained rate
 *   less that, so a viewer whose backlog keeps growing goes down to what its link carries.
 * - otherwise the link carries what it is sent: the estimate is `roomFactor` times the larger
 *   of the drained rate and the rendition's bitrate. Like a receiver-report estimate it never
 *   claims much more than is sent, so a viewer steps up by the chooser's backed-off trial.
 * Pure: times are the caller's (the injected clock's).
 */

export const FMP4_BACKLOG_DEFAULTS = Object.freeze({
  /**
   * One judgement per window (ms). Short, because the kernel's send buffer has already filled
   * unseen before anything queues here, and all of it must drain before a switch shows.
   */
  windowMs: 500,
  /** A backlog this small is a frame in flight, not a queue (bytes). */
  lowWaterBytes: 16 * 1024,
  /** A backlog above this at the end of a window is congestion even when it did not grow (bytes). */
  highWaterBytes: 256 * 1024,
  /** A congested viewer's estimate leaves room to drain its backlog within this long (ms). */
  drainMs: 2000,
  /** An uncongested estimate is this many times what is sent. */
  roomFactor: 1.5,
});

export type Fmp4BacklogOptions = Partial<Record<keyof typeof FMP4_BACKLOG_DEFAULTS, number>>;

export interface Fmp4BacklogStats {
  /** The estimate last given (bit/s); 0 until the first window ends. */
  estimateBps: number;
  /** Rate the link took over the last window (bit/s). */
  drainedBps: number;
  /** The last window was congested. */
  congested: boolean;
  /** Windows judged congested, of all judged. */
  congestedWindows: number;
  windows: number;
  /** Largest backlog seen at a sample (bytes). */
  peakBacklogBytes: number;
}

export class Fmp4Backlog {
  readonly stats: Fmp4BacklogStats = { estimateBps: 0, drainedBps: 0, congested: false, congestedWindows: 0, windows: 0, peakBacklogBytes: 0 };
  private readonly o: Record<keyof typeof FMP4_BACKLOG_DEFAULTS, number>;
  private windowStart = -1;
  private startBacklog = 0;
  private startHanded = 0;
  /** A congested window's estimate: what drained less what the backlog needs to drain. */
  private congestedBps = 0;

  constructor(opts: Fmp4BacklogOptions = {}) {
    this.o = { ...FMP4_BACKLOG_DEFAULTS, ...opts };
  }

  /**
   * The estimate (bit/s) once a window has been judged, undefined before (nothing is known
   * yet); `sentBps` is the measured bitrate of the rendition the viewer is on (0 when unknown).
   */
  estimateBps(sentBps: number): number | undefined {
    if (this.stats.windows === 0) return undefined;
    const estimate = this.stats.congested ? this.congestedBps : Math.round(this.o.roomFactor * Math.max(this.stats.drainedBps, sentBps));
    this.stats.estimateBps = estimate;
    return estimate;
  }

  /** One sample: `backlogBytes` queued now, `handedBytes` handed to the connection since it opened. */
  sample(now: number, backlogBytes: number, handedBytes: number): void {
    if (backlogBytes > this.stats.peakBacklogBytes) this.stats.peakBacklogBytes = backlogBytes;
    if (this.windowStart < 0) return this.startWindow(now, backlogBytes, handedBytes);
    const elapsed = now - this.windowStart;
    if (elapsed < this.o.windowMs) return;
    const growth = backlogBytes - this.startBacklog;
    const drained = Math.max(0, ((handedBytes - this.startHanded - growth) * 8000) / elapsed);
    const congested = backlogBytes > this.o.highWaterBytes || (backlogBytes > this.o.lowWaterBytes && growth > 0);
    this.stats.windows++;
    this.stats.drainedBps = Math.round(drained);
    this.stats.congested = congested;
    if (congested) {
      this.stats.congestedWindows++;
      this.congestedBps = Math.max(0, Math.round(drained - (backlogBytes * 8000) / this.o.drainMs));
    }
    this.startWindow(now, backlogBytes, handedBytes);
  }

  private startWindow(now: number, backlogBytes: number, handedBytes: number): void {
    this.windowStart = now;
    this.startBacklog = backlogBytes;
    this.startHanded = handedBytes;
  }
}
