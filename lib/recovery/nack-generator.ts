/**
 * Receiver-side NACK generator: watches arriving sequence numbers, remembers the missing
 * ones and says which to request when. First request after a short wait (most reordering
 * resolves by itself), then one retry per RTT, at most `maxTries` requests per packet.
 * Cameras report no RTT of their own (they receive no RTP from us, so their report blocks are
 * empty): until `setRttMs` gives one, the RTT is learned from repairs, timed from a packet's
 * FIRST request (when its first repair was lost, the sample is too long, never too short), and
 * retries are paced by srtt + 4 x rttvar as TCP's RTO is (RFC 6298): a path whose repairs all
 * take about as long converges on that, a mixed one stays cautious. A late original that
 * merely arrived after its request looks like a quick repair; `setRttFloorMs` (the RTSP
 * control round trip) keeps such samples from pacing retries faster than the path allows.
 * A packet given up, too old, or a missing list that overflows means the decoder will not
 * get that frame whole: the generator then asks for a keyframe instead.
 *
 * Defaults follow mediasoup / libwebrtc / Janus (DESIGN.md). Pure logic, injected time.
 */
import { seqDistance } from '../rtp/seq.js';

export interface NackGeneratorOptions {
  /** Wait after a gap is seen before the first request (ms). Default 15. */
  firstDelayMs?: number;
  /** RTT assumed until `setRttMs` is called or one is learned (ms). Default 100. */
  initialRttMs?: number;
  /** Learn the RTT from repairs while `setRttMs` has not been called. Default true. */
  learnRtt?: boolean;
  /** Retries never come faster than this, whatever the RTT (ms). Default 10. */
  minRetryIntervalMs?: number;
  /** Requests per missing packet before giving up. Default 10. */
  maxTries?: number;
  /** A packet missing for longer than this is given up (ms). Default 1000. */
  maxAgeMs?: number;
  /** Most missing packets tracked; more means a keyframe request instead. Default 1000. */
  maxListSize?: number;
  /**
   * Polls are at least this far apart (ms), so requests due close together go out in one
   * NACK and the per-packet cost stays flat under heavy loss. Keyframe requests are not delayed. Default 5.
   */
  batchIntervalMs?: number;
}

export const NACK_GENERATOR_DEFAULTS = Object.freeze({
  firstDelayMs: 15,
  initialRttMs: 100,
  learnRtt: true,
  minRetryIntervalMs: 10,
  maxTries: 10,
  maxAgeMs: 1000,
  maxListSize: 1000,
  batchIntervalMs: 5,
} as const satisfies Required<NackGeneratorOptions>);

export interface NackGeneratorStats {
  received: number;
  duplicates: number;
  /** Sequence numbers found missing. */
  missing: number;
  /** Missing packets that arrived before any request (plain reordering). */
  reordered: number;
  /** Missing packets that arrived after at least one request. */
  recovered: number;
  /** Arrivals of packets no longer tracked (given up, abandoned, or far behind). */
  late: number;
  /** Sequence numbers put in requests, retries included. */
  requested: number;
  retries: number;
  givenUp: number;
  expired: number;
  /** Dropped by `abandonThrough` (the reorder buffer moved past them). */
  abandoned: number;
  overflows: number;
  keyframeRequests: number;
}

/** What `poll` asks for. The same object is reused by every call. */
export interface NackRequest {
  /** RTP sequence numbers to request now, oldest first (feed to `seqsToNackItems`). */
  seqs: number[];
  /** Ask the sender for a keyframe (PLI) now. */
  keyframe: boolean;
}

const ALIVE = 1;

export class NackGenerator {
  readonly stats: NackGeneratorStats = {
    received: 0, duplicates: 0, missing: 0, reordered: 0, recovered: 0, late: 0, requested: 0,
    retries: 0, givenUp: 0, expired: 0, abandoned: 0, overflows: 0, keyframeRequests: 0,
  };
  private readonly firstDelay: number;
  private readonly minRetry: number;
  private readonly maxTries: number;
  private readonly maxAge: number;
  private readonly maxList: number;
  private rtt: number;
  private readonly learnRtt: boolean;
  /** RTT given by `setRttMs` (RTCP): repairs no longer teach anything. */
  private rttGiven = false;
  /** Smoothed request-to-repair time and its variation (ms), -1 before the first sample. */
  private learned = -1;
  private learnedVar = 0;
  /** Lower bound for a learned RTT (ms), -1 when none. */
  private floor = -1;
  private readonly initialRtt: number;
  // Missing entries sorted by extended seq in [start, end); dead ones are skipped and compacted.
  private readonly ext: Float64Array;
  private readonly detectedAt: Float64Array;
  /** When the entry next needs attention: its next request, or its give-up time. */
  private readonly nextAt: Float64Array;
  private readonly tries: Uint16Array;
  /** When the entry was first requested (ms). */
  private readonly requestedAt: Float64Array;
  private readonly alive: Uint8Array;
  private start = 0;
  private end = 0;
  private live = 0;
  private highest = -1;
  private deadline = Infinity;
  private readonly batchInterval: number;
  private lastPollAt = -Infinity;
  private keyframePending = false;
  private readonly request: NackRequest = { seqs: [], keyframe: false };

  constructor(options: NackGeneratorOptions = {}) {
    this.firstDelay = options.firstDelayMs ?? NACK_GENERATOR_DEFAULTS.firstDelayMs;
    this.rtt = this.initialRtt = options.initialRttMs ?? NACK_GENERATOR_DEFAULTS.initialRttMs;
    this.learnRtt = options.learnRtt ?? NACK_GENERATOR_DEFAULTS.learnRtt;
    this.minRetry = options.minRetryIntervalMs ?? NACK_GENERATOR_DEFAULTS.minRetryIntervalMs;
    this.maxTries = Math.min(65535, options.maxTries ?? NACK_GENERATOR_DEFAULTS.maxTries);
    this.maxAge = options.maxAgeMs ?? NACK_GENERATOR_DEFAULTS.maxAgeMs;
    this.maxList = Math.max(1, options.maxListSize ?? NACK_GENERATOR_DEFAULTS.maxListSize);
    this.batchInterval = options.batchIntervalMs ?? NACK_GENERATOR_DEFAULTS.batchIntervalMs;
    const cap = this.maxList * 2;
    this.ext = new Float64Array(cap);
    this.detectedAt = new Float64Array(cap);
    this.nextAt = new Float64Array(cap);
    this.tries = new Uint16Array(cap);
    this.requestedAt = new Float64Array(cap);
    this.alive = new Uint8Array(cap);
  }

  /** Round-trip time to the sender (ms), e.g. from RTCP LSR/DLSR. Sets the retry interval (from each packet's next request on). */
  setRttMs(rttMs: number): void {
    if (!(rttMs >= 0 && Number.isFinite(rttMs))) return;
    this.rtt = rttMs;
    this.rttGiven = true;
  }

  /**
   * A measured round trip to the sender that is not RTCP's (the RTSP control connection's):
   * used instead of the initial guess, and as the least a learned RTT can be.
   */
  setRttFloorMs(ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) return;
    this.floor = ms;
    this.updateLearnedRtt();
  }

  /** The RTT retries are timed by (ms): given, learned, or the initial guess. */
  get rttMs(): number {
    return this.rtt;
  }

  /** The smoothed RTT learned from repairs (ms), or -1 before the first (retries use `rttMs`). */
  get learnedRttMs(): number {
    return this.learned;
  }

  /** Missing packets currently tracked. */
  get missingCount(): number {
    return this.live;
  }

  /** Every arriving packet (originals and retransmissions), in arrival order. */
  onPacket(seq: number, now: number): void {
    this.stats.received++;
    if (this.highest < 0) {
      this.highest = 65536 + seq;
      return;
    }
    const d = seqDistance(this.highest & 0xffff, seq);
    if (d === 1) {
      this.highest++;
      return;
    }
    if (d > 1) {
      const gap = d - 1;
      const from = this.highest + 1;
      this.highest += d;
      if (this.live + gap > this.maxList) {
        this.stats.overflows++;
        this.clear();
        this.keyframePending = true;
        return;
      }
      if (this.end + gap > this.ext.length) this.compact();
      for (let e = from; e < this.highest; e++) {
        const i = this.end++;
        this.ext[i] = e;
        this.detectedAt[i] = now;
        this.nextAt[i] = Math.min(now + this.firstDelay, now + this.maxAge);
        this.tries[i] = 0;
        this.alive[i] = ALIVE;
      }
      this.live += gap;
      this.stats.missing += gap;
      const first = Math.min(now + this.firstDelay, now + this.maxAge);
      if (first < this.deadline) this.deadline = first;
      return;
    }
    if (d === 0) {
      this.stats.duplicates++;
      return;
    }
    const i = this.find(this.highest + d);
    if (i < 0) {
      this.stats.late++;
      return;
    }
    const tries = this.tries[i];
    if (tries > 0) this.stats.recovered++;
    else this.stats.reordered++;
    if (tries > 0) this.learnFrom(now - this.requestedAt[i]);
    this.remove(i);
  }

  /** Stops asking for everything up to and including `seq` (e.g. the reorder buffer declared it lost). */
  abandonThrough(seq: number): void {
    if (this.highest < 0) return;
    const last = this.highest + seqDistance(this.highest & 0xffff, seq);
    for (let i = this.start; i < this.end && this.ext[i] <= last; i++) {
      if (this.alive[i] === ALIVE) {
        this.stats.abandoned++;
        this.remove(i);
      }
    }
  }

  /** Forgets everything (e.g. after the sender restarted). */
  reset(): void {
    this.clear();
    this.highest = -1;
    this.keyframePending = false;
  }

  /** Time (ms) at which `poll` has something to do; Infinity when nothing is missing. */
  nextDeadline(): number {
    if (this.keyframePending) return 0;
    const batched = this.lastPollAt + this.batchInterval;
    return this.deadline > batched ? this.deadline : batched;
  }

  /** Sequence numbers to request at `now` and whether to ask for a keyframe. Reused object. */
  poll(now: number): NackRequest {
    const out = this.request;
    out.seqs.length = 0;
    this.lastPollAt = now;
    let keyframe = this.keyframePending;
    this.keyframePending = false;
    const retry = Math.max(this.rtt, this.minRetry);
    let next = Infinity;
    const alive = this.alive;
    const nextAt = this.nextAt;
    for (let i = this.start, end = this.end; i < end; i++) {
      // Most entries are waiting for their next retry: one load and one compare each.
      const at = nextAt[i];
      if (at > now || alive[i] !== ALIVE) {
        if (at < next && alive[i] === ALIVE) next = at;
        continue;
      }
      const giveUpAt = this.detectedAt[i] + this.maxAge;
      if (now >= giveUpAt) {
        this.stats.expired++;
        keyframe = true;
        this.remove(i);
        continue;
      }
      const tries = this.tries[i];
      if (tries >= this.maxTries) {
        this.stats.givenUp++;
        keyframe = true;
        this.remove(i);
        continue;
      }
      out.seqs.push(this.ext[i] & 0xffff);
      this.tries[i] = tries + 1;
      if (tries === 0) this.requestedAt[i] = now;
      this.stats.requested++;
      if (tries > 0) this.stats.retries++;
      const due = now + retry;
      nextAt[i] = due < giveUpAt ? due : giveUpAt;
      if (nextAt[i] < next) next = nextAt[i];
    }
    this.deadline = next;
    out.keyframe = keyframe;
    if (keyframe) this.stats.keyframeRequests++;
    return out;
  }

  /** One request-to-repair time, smoothed as TCP smooths its RTT (RFC 6298: gains 1/8 and 1/4). */
  private learnFrom(sample: number): void {
    if (!this.learnRtt || sample < 0) return;
    if (this.learned < 0) {
      this.learned = sample;
      this.learnedVar = sample / 2;
    } else {
      this.learnedVar += (Math.abs(this.learned - sample) - this.learnedVar) / 4;
      this.learned += (sample - this.learned) / 8;
    }
    this.updateLearnedRtt();
  }

  private updateLearnedRtt(): void {
    if (this.rttGiven) return;
    if (this.learned >= 0) {
      const rto = this.learned + 4 * this.learnedVar;
      this.rtt = rto > this.floor ? rto : this.floor;
    } else {
      this.rtt = this.floor >= 0 ? this.floor : this.initialRtt;
    }
  }

  private find(e: number): number {
    let lo = this.start;
    let hi = this.end - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.ext[mid];
      if (v < e) lo = mid + 1;
      else if (v > e) hi = mid - 1;
      else return this.alive[mid] === ALIVE ? mid : -1;
    }
    return -1;
  }

  private remove(i: number): void {
    this.alive[i] = 0;
    this.live--;
    while (this.start < this.end && this.alive[this.start] !== ALIVE) this.start++;
    if (this.start === this.end) this.start = this.end = 0;
  }

  private clear(): void {
    this.alive.fill(0, this.start, this.end);
    this.start = this.end = this.live = 0;
    this.deadline = Infinity;
  }

  private compact(): void {
    let w = 0;
    for (let i = this.start; i < this.end; i++) {
      if (this.alive[i] !== ALIVE) continue;
      this.ext[w] = this.ext[i];
      this.detectedAt[w] = this.detectedAt[i];
      this.nextAt[w] = this.nextAt[i];
      this.tries[w] = this.tries[i];
      this.requestedAt[w] = this.requestedAt[i];
      this.alive[w] = ALIVE;
      w++;
    }
    this.alive.fill(0, w, this.end);
    this.start = 0;
    this.end = w;
  }
}
