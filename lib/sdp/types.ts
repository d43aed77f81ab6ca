/** Session description model (RFC 8866). Plain data: safe to compare, clone and serialize. */

/** One `a=` line. `value` is absent for property attributes such as `a=recvonly`. */
export interface SdpAttribute {
  key: string;
  value?: string;
}

/** `o=`. Ids are strings: cameras send 64-bit, negative and decimal ids we must not round. */
export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** `c=`. `ttl` only for IP4 multicast; `count` is the `/n` number of addresses. */
export interface SdpConnection {
  netType: string;
  addrType: string;
  address: string;
  ttl?: number;
  count?: number;
}

/** `b=<type>:<value>` (AS, CT, TIAS, RS, RR, X-...). */
export interface SdpBandwidth {
  type: string;
  value: number;
}

/** `t=` with its `r=` lines (kept raw). Times are strings for the same reason as origin ids. */
export interface SdpTiming {
  start: string;
  stop: string;
  repeats: string[];
}

/** One `m=` section. `formats` are the raw fmt tokens (payload types for RTP/AVP). */
export interface SdpMedia {
  type: string;
  port: number;
  portCount?: number;
  protocol: string;
  formats: string[];
  /** `i=` */
  title?: string;
  connections: SdpConnection[];
  bandwidths: SdpBandwidth[];
  /** `k=` (obsolete, passed through) */
  key?: string;
  attributes: SdpAttribute[];
}

export interface SessionDescription {
  version: number;
  origin: SdpOrigin;
  sessionName: string;
  /** `i=` */
  information?: string;
  /** `u=` */
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: SdpConnection;
  bandwidths: SdpBandwidth[];
  timings: SdpTiming[];
  /** `z=` (raw) */
  timeZones?: string;
  /** `k=` (obsolete, passed through) */
  key?: string;
  attributes: SdpAttribute[];
  media: SdpMedia[];
}

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
