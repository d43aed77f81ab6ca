/**
 * The protocol pieces a Stream and its Viewers use, as narrow interfaces. gateway.ts wires
 * camwire's own modules (lib/h264, lib/recovery, lib/rtcp) into them; tests may wire others.
 * Keeping them narrow keeps lib/gateway about composition, not about wire formats.
 */
import type { AccessUnit, SourceInfo } from './source.js';

/** Access unit -> RTP payloads (MTU-sized, SPS/PPS before an IDR), in send order. */
export interface EgressPacketizer {
  packetize(au: AccessUnit): Uint8Array[];
}

/** Retransmission history shared by every viewer of a stream, keyed by egress sequence number. */
export interface EgressHistory {
  /** Stores `packet` (the Stream never mutates it afterwards). */
  put(seq: number, packet: Uint8Array, nowMs: number): void;
  /** The stored packet, or undefined when expired or never stored. */
  get(seq: number, nowMs: number): Uint8Array | undefined;
}

/** What the Viewer acts on, decoded from the browser's RTCP. */
export type RtcpEvent =
  | { type: 'nack'; mediaSsrc: number; lost: number[] }
  | { type: 'pli'; mediaSsrc: number }
  | { type: 'fir'; mediaSsrc: number }
  | { type: 'remb'; bitrate: number }
  | {
      type: 'report';
      ssrc: number;
      fractionLost: number;
      cumulativeLost: number;
      jitter: number;
      /** Middle 32 bits of the NTP time of our last SR the receiver saw, 0 if none. */
      lastSr: number;
      /** Delay since that SR in 1/65536 s. */
      delaySinceLastSr: number;
    };

export interface SenderReportInfo {
  ssrc: number;
  /** Wall-clock time in ms since the Unix epoch, to put in NTP format. */
  wallClockMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  cname: string;
}

export interface GatewayRtcp {
  /** Events in a compound packet from a browser; throws only typed errors on bad input. */
  parse(packet: Uint8Array): RtcpEvent[];
  /** SR + SDES CNAME compound packet. */
  senderReport(info: SenderReportInfo): Uint8Array;
  /** Middle 32 bits of the NTP form of `wallClockMs` (what a receiver echoes as LSR). */
  ntpMiddle(wallClockMs: number): number;
}

/** RFC 4588 retransmission packet of `original` on the RTX payload type and SSRC. */
export interface RtxBuilder {
  build(original: Uint8Array, rtxPayloadType: number, rtxSsrc: number, rtxSeq: number): Uint8Array;
}

export interface Clock {
  /** Milliseconds; monotonic enough for intervals. */
  now(): number;
  /** Wall-clock ms since the Unix epoch, for SR NTP timestamps. */
  wallClock(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallClock: () => Date.now(),
};

/** The video format chosen from a browser's offer. */
export interface NegotiatedVideo {
  mid: string;
  payloadType: number;
  /** fmtp for the answer. */
  fmtp: string;
  rtxPayloadType?: number;
}

/** Reads a browser offer and picks mid, H.264 format and RTX; throws GatewayError when it cannot. */
export type OfferNegotiator = (offerSdp: string, source: SourceInfo, wantRtx: boolean) => NegotiatedVideo;

/** Keyframe policy: may a keyframe request go upstream now? (merges and rate-limits PLI/FIR). */
export interface KeyframeGate {
  allow(nowMs: number): boolean;
}

/** Everything the gateway's streams need besides the source and transport. */
export interface GatewayDeps {
  packetizer: () => EgressPacketizer;
  history: () => EgressHistory;
  keyframeGate: () => KeyframeGate;
  rtcp: GatewayRtcp;
  rtx?: RtxBuilder;
  negotiate: OfferNegotiator;
  clock: Clock;
}
