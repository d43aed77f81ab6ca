/**
 * NTP timestamps as RTCP carries them (RFC 3550 4): 32-bit seconds since 1900 and a 32-bit
 * fraction; LSR/DLSR use the middle 32 bits (16.16 fixed point, units of 1/65536 s).
 * Wall-clock input is Unix milliseconds from an injected clock, never Date.now() here.
 */

/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_32 = 4294967296;

export interface NtpTimestamp {
  /** Seconds since 1900, modulo 2^32 (era 0 ends in 2036). */
  seconds: number;
  /** Fraction of a second in units of 2^-32 s. */
  fraction: number;
}

/** Unix milliseconds to a 64-bit NTP timestamp (wraps into era 1 after 2036-02-07). */
export function msToNtp(unixMs: number): NtpTimestamp {
  const wholeS = Math.floor(unixMs / 1000);
  const remMs = unixMs - wholeS * 1000;
  return {
    seconds: (wholeS + NTP_UNIX_OFFSET_S) % TWO_32 >>> 0,
    fraction: Math.min(TWO_32 - 1, Math.floor((remMs / 1000) * TWO_32)),
  };
}

/**
 * NTP timestamp to Unix milliseconds. Seconds below 2^31 are taken as era 1 (2036-2104),
 * the RFC 4330 3 convention, so timestamps keep working across the 2036 wrap.
 */
export function ntpToMs(seconds: number, fraction: number): number {
  const era = seconds < 0x80000000 ? TWO_32 : 0;
  return (seconds + era - NTP_UNIX_OFFSET_S) * 1000 + (fraction / TWO_32) * 1000;
}

/** The middle 32 bits of an NTP timestamp: what a report block's LSR field holds. */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/** Middle 32 bits of the NTP timestamp for `unixMs` (16.16 fixed-point seconds, mod 2^16 s). */
export function ntpMiddle32FromMs(unixMs: number): number {
  const t = msToNtp(unixMs);
  return ntpMiddle32(t.seconds, t.fraction);
}

/** A duration in ms as DLSR units (1/65536 s), saturating at the 32-bit field. */
export function msToDlsr(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(0xffffffff, Math.round((ms * 65536) / 1000));
}

/** DLSR (or any 16.16 duration) in ms. */
export function dlsrToMs(units: number): number {
  return (units * 1000) / 65536;
}
