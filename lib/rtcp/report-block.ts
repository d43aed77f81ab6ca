/**
 * Reception report blocks (RFC 3550 6.4.1), shared by SR and RR, and the arithmetic
 * around them: fraction lost, 24-bit signed cumulative loss, extended highest sequence
 * number, interarrival jitter, and round-trip time from LSR/DLSR.
 */
import { readU32, writeU32 } from '../rtp/packet.js';
import { tsDistance } from '../rtp/seq.js';
import { RtcpSerializeError } from './errors.js';

export interface RtcpReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Loss since the previous report, as a fixed-point fraction of 256 (0-255). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit (duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received: cycles << 16 | highest seq (32-bit). */
  highestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from this source, 0 if none. */
  lsr: number;
  /** Delay since that SR in units of 1/65536 s, 0 if none. */
  dlsr: number;
}

export const REPORT_BLOCK_SIZE = 24;
export const CUMULATIVE_LOST_MAX = 0x7fffff;
export const CUMULATIVE_LOST_MIN = -0x800000;

export function readReportBlock(buf: Uint8Array, o: number): RtcpReportBlock {
  return {
    ssrc: readU32(buf, o),
    fractionLost: buf[o + 4],
    cumulativeLost: ((buf[o + 5] << 24) | (buf[o + 6] << 16) | (buf[o + 7] << 8)) >> 8,
    highestSeq: readU32(buf, o + 8),
    jitter: readU32(buf, o + 12),
    lsr: readU32(buf, o + 16),
    dlsr: readU32(buf, o + 20),
  };
}

export function checkReportBlock(b: RtcpReportBlock): void {
  if (b.fractionLost < 0 || b.fractionLost > 255 || !Number.isInteger(b.fractionLost)) {
    throw new RtcpSerializeError('RTCP_BAD_FIELD', `fractionLost ${b.fractionLost} is not 0-255`);
  }
  if (b.cumulativeLost < CUMULATIVE_LOST_MIN || b.cumulativeLost > CUMULATIVE_LOST_MAX) {
    throw new RtcpSerializeError('RTCP_BAD_FIELD', `cumulativeLost ${b.cumulativeLost} does not fit 24 signed bits (use clampCumulativeLost)`);
  }
}

export function writeReportBlock(buf: Uint8Array, o: number, b: RtcpReportBlock): void {
  writeU32(buf, o, b.ssrc);
  buf[o + 4] = b.fractionLost;
  const lost = b.cumulativeLost & 0xffffff;
  buf[o + 5] = lost >> 16;
  buf[o + 6] = (lost >> 8) & 0xff;
  buf[o + 7] = lost & 0xff;
  writeU32(buf, o + 8, b.highestSeq);
  writeU32(buf, o + 12, b.jitter);
  writeU32(buf, o + 16, b.lsr);
  writeU32(buf, o + 20, b.dlsr);
}

/**
 * Fraction lost over an interval (RFC 3550 A.3): lost/expected as a fraction of 256,
 * 0 when nothing was expected or more arrived than expected (duplicates).
 */
export function fractionLost(expectedInterval: number, lostInterval: number): number {
  if (expectedInterval <= 0 || lostInterval <= 0) return 0;
  return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
}

/** Clamps a loss count into the 24-bit signed field (RFC 3550 6.4.1 says saturate). */
export function clampCumulativeLost(lost: number): number {
  return Math.max(CUMULATIVE_LOST_MIN, Math.min(CUMULATIVE_LOST_MAX, Math.trunc(lost)));
}

/** Extended highest sequence number from a wrap count and the highest 16-bit seq seen. */
export function extendedHighestSeq(cycles: number, highestSeq: number): number {
  return ((cycles & 0xffff) * 65536 + (highestSeq & 0xffff)) >>> 0;
}

/** Wrap count and 16-bit seq from an extended highest sequence number. */
export function splitExtendedSeq(extended: number): { cycles: number; seq: number } {
  return { cycles: extended >>> 16, seq: extended & 0xffff };
}

/**
 * One step of the interarrival jitter estimator (RFC 3550 6.4.1, A.8): J += (|D| - J) / 16,
 * where D is the change in transit time between two packets, in RTP timestamp units.
 * `arrivalDelta` is the difference of arrival times, already in RTP units; timestamps
 * are compared wrap-safely. Keep the returned value as a float; report `Math.floor`.
 */
export function updateJitter(jitter: number, arrivalDelta: number, prevRtpTimestamp: number, rtpTimestamp: number): number {
  const d = arrivalDelta - tsDistance(prevRtpTimestamp, rtpTimestamp);
  return jitter + (Math.abs(d) - jitter) / 16;
}

/**
 * Round-trip time in ms from a report block about our own SRs (RFC 3550 6.4.1):
 * A - LSR - DLSR, with A the middle 32 bits of the NTP time the block arrived.
 * Undefined when LSR is 0 (the peer has had no SR from us yet). All arithmetic is
 * modulo 2^32; a slightly negative result (DLSR rounding) is reported as 0.
 */
export function rttFromReportBlock(arrivalNtpMiddle32: number, lsr: number, dlsr: number): number | undefined {
  if (lsr === 0) return undefined;
  const units = (arrivalNtpMiddle32 - lsr - dlsr) | 0;
  return units <= 0 ? 0 : (units * 1000) / 65536;
}
