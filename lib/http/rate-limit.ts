/**
 * Per-client-address request rate limit: a token bucket per IP, in a table of bounded size so
 * a flood from many addresses cannot grow memory (the least recently seen address is evicted;
 * an evicted address starts again with a full bucket, which errs on the side of serving).
 * Time comes in as a parameter.
 */
export interface RateLimitOptions {
  /** Sustained requests per second per address (default 20). */
  requestsPerSecond?: number;
  /** Requests an address may make at once before the rate applies (default 40). */
  burst?: number;
  /** Addresses tracked at once (default 10000). */
  maxAddresses?: number;
  /**
   * Leave loopback clients unlimited (default true): they are the machine's own tools, or a
   * reverse proxy on the same host, behind which every client has the same address (limit there).
   */
  exemptLoopback?: boolean;
}

export const RATE_LIMIT_DEFAULTS = Object.freeze({
  requestsPerSecond: 20,
  burst: 40,
  maxAddresses: 10_000,
  exemptLoopback: true,
} as const satisfies Required<RateLimitOptions>);

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly max: number;
  private readonly exemptLoopback: boolean;
  private readonly buckets = new Map<string, Bucket>();
  /** Requests refused since start. */
  refused = 0;

  constructor(o: RateLimitOptions = {}) {
    this.rate = o.requestsPerSecond ?? RATE_LIMIT_DEFAULTS.requestsPerSecond;
    this.burst = o.burst ?? RATE_LIMIT_DEFAULTS.burst;
    this.max = o.maxAddresses ?? RATE_LIMIT_DEFAULTS.maxAddresses;
    this.exemptLoopback = o.exemptLoopback ?? RATE_LIMIT_DEFAULTS.exemptLoopback;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one request from `address`'s bucket; 0 when allowed, else the seconds to wait. */
  take(address: string, nowMs: number): number {
    if (this.exemptLoopback && LOOPBACK.test(address)) return 0;
    let b = this.buckets.get(address);
    if (b) {
      this.buckets.delete(address); // re-inserted below: Map order is recency order
      b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.at) / 1000) * this.rate);
      b.at = nowMs;
    } else {
      if (this.buckets.size >= this.max) this.buckets.delete(this.buckets.keys().next().value as string);
      b = { tokens: this.burst, at: nowMs };
    }
    this.buckets.set(address, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    this.refused++;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate));
  }
}
