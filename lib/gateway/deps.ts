/**
 * The protocol pieces a Stream and its Viewers use, as narrow interfaces. gateway.ts wires
 * camwire's own modules (lib/h264, lib/recovery, lib/rtcp) into them; tests may wire others.
 * Keeping them narrow keeps lib/gateway about composition, not about wire formats.
 */
import type { ParameterSets } from '../h264/parameter-sets.js';
import type { SenderReportFields } from '../rtsp/server/rtcp.js';
import type { SourceInfo, VideoCodec } from './source.js';
import type { AudioTranscoderFactory } from '../audio/transcoder.js';

/**
 * Access unit -> whole RTP packets (MTU-sized, SPS/PPS before an IDR, marker on the last),
 * pull-style and allocation-free (lib/h264's H264Packetizer). Whatever sequence numbers it
 * writes are replaced: the track's egress timeline numbers each packet as it goes out.
 */
export interface EgressPacketizer {
  ssrc: number;
  payloadType: number;
  /** Largest packet written (at most 1500). */
  readonly mtu: number;
  /**
   * Begins an access unit (or, with `marker` false, a part of one); the NAL units must stay
   * unchanged until writeNext returns 0.
   */
  start(nalus: readonly Uint8Array[], timestamp: number, marker?: boolean, insertParameterSets?: boolean): void;
  /** Writes the next packet into `out`; returns its length, 0 when the access unit is done. */
  writeNext(out: Uint8Array): number;
  /** Out-of-band SPS/PPS (the camera's sprop-parameter-sets; H.265: sprop-vps/sps/pps). */
  setParameterSets?(units: readonly Uint8Array[]): void;
  /** The source's codec, once known (between access units); a packetizer without it writes H.264 only. */
  setCodec?(codec: VideoCodec): void;
  /**
   * The parameter sets known now. Packet forwarding needs H.264's, with `forSlice` (an IDR that
   * comes without them gets the pair its slice references); an H.265 packetizer has none.
   */
  readonly parameterSets?: Pick<ParameterSets, 'sps' | 'pps' | 'complete'> & Partial<Pick<ParameterSets, 'forSlice'>>;
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
  /** XR Receiver Reference Time (RFC 3611 4.4): the receiver wants a DLRR back to learn its RTT. */
  | { type: 'rrtr'; ssrc: number; lastRr: number }
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

/** What an SR carries; the same shape camwire's RTSP server sends. */
export type SenderReportInfo = SenderReportFields;

export interface GatewayRtcp {
  /** Events in a compound packet from a browser; throws only typed errors on bad input. */
  parse(packet: Uint8Array): RtcpEvent[];
  /** SR + SDES CNAME compound packet. */
  senderReport(info: SenderReportInfo): Uint8Array;
  /** XR with one DLRR block answering `receiverSsrc`'s RRTR (`lastRr`), `delayMs` after it arrived. */
  dlrr(senderSsrc: number, receiverSsrc: number, lastRr: number, delayMs: number): Uint8Array;
  /** Middle 32 bits of the NTP form of `wallClockMs` (what a receiver echoes as LSR). */
  ntpMiddle(wallClockMs: number): number;
}

/** RFC 4588 retransmission packet of `original` on the RTX payload type and SSRC (into `out` when given). */
export interface RtxBuilder {
  build(original: Uint8Array, rtxPayloadType: number, rtxSsrc: number, rtxSeq: number, out?: Uint8Array): Uint8Array;
}

/** Per-viewer resend suppression: not the same packet twice within one RTT. */
export interface ResendGate {
  allow(seq: number, nowMs: number, rttMs: number): boolean;
}

export { systemClock, type Clock } from '../clock.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';

/** The video format chosen from a browser's offer. */
export interface NegotiatedVideo {
  mid: string;
  /** H.264 when absent. */
  codec?: VideoCodec;
  payloadType: number;
  /** fmtp for the answer. */
  fmtp: string;
  rtxPayloadType?: number;
}

/** Reads a browser offer and picks mid, the format of the source's codec and RTX; throws GatewayError when it cannot. */
export type OfferNegotiator = (offerSdp: string, source: SourceInfo, wantRtx: boolean) => NegotiatedVideo;

/** Keyframe policy: merges PLI/FIR from every viewer into rate-limited upstream requests. */
export interface KeyframeGate {
  /** A viewer (or a join) wants a keyframe: true when the request should go upstream now. */
  request(kind: 'pli' | 'fir', nowMs: number): boolean;
  /** True when a merged request is due upstream now. */
  poll(nowMs: number): boolean;
  /** A keyframe went out: pending requests are satisfied. */
  onKeyframe(seq: number, rtpTimestamp: number, nowMs: number): void;
}

/** Everything the gateway's streams need besides the source and transport. */
export interface GatewayDeps {
  packetizer: () => EgressPacketizer;
  history: () => EgressHistory;
  keyframeGate: () => KeyframeGate;
  resendGate: () => ResendGate;
  rtcp: GatewayRtcp;
  rtx?: RtxBuilder;
  negotiate: OfferNegotiator;
  clock: Clock;
  /**
   * AAC -> Opus, one per stream whose camera sends AAC, created for the first viewer that takes
   * audio (lib/audio/transcoder.ts is the contract). Without it such a camera's audio is skipped.
   */
  audioTranscoder?: AudioTranscoderFactory;
  /** Operator log: viewers joining and leaving, audio skipped or dropped (default none). */
  log?: Logger;
}
