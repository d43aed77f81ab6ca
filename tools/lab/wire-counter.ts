/**
 * What crosses a leg, read from cleartext headers only: on the WebRTC leg the payload is
 * SRTP-encrypted but the RTP header (SSRC, sequence number, timestamp) is not, so the lab
 * can count frames and retransmissions sent by camwire without trusting camwire's counters.
 *
 * Classification (RFC 7983 demultiplexing): first byte 0-3 STUN, 20-63 DTLS, 128-191 RTP or
 * RTCP; RTCP when the second byte is 192-223 (RFC 5761). The first SSRC seen is the media
 * stream; a packet with another SSRC is RTX; a media packet whose sequence number was already
 * seen is a retransmission.
 */
import { SeqUnwrapper } from '../../lib/rtp/seq.js';

export type PacketClass = 'media' | 'repair' | 'rtcp' | 'other';

export interface WireCounts {
  rtp: number;
  /** First transmissions on the media SSRC. */
  mediaPackets: number;
  /** Distinct RTP timestamps among first transmissions: frames sent. */
  frames: number;
  /** First transmissions with the marker bit: frames sent to the end (packet forwarding abandons some unmarked). */
  framesMarked: number;
  /** Media packets whose sequence number was seen before (plain NACK answers). */
  retransmissions: number;
  /** Packets on a second SSRC (RTX). */
  rtx: number;
  rtcp: number;
  other: number;
  /** First transmissions dropped by `cut` (new frames after the measurement window). */
  cutDropped: number;
  /** First transmissions whose sequence number was not the previous one + 1 (the sender skipped or went back). */
  seqDiscontinuities: number;
  /** Largest such jump (absolute, in packets). */
  maxSeqJump: number;
  /** Packets on the audio SSRC (counted apart, impaired like everything else). */
  audio: number;
}

const SEEN_WINDOW = 1 << 16;

export class WireCounter {
  readonly counts: WireCounts = { rtp: 0, mediaPackets: 0, frames: 0, framesMarked: 0, retransmissions: 0, rtx: 0, rtcp: 0, other: 0, cutDropped: 0, seqDiscontinuities: 0, maxSeqJump: 0, audio: 0 };
  private lastExt = -1;
  private mediaSsrc = -1;
  private audioSsrc = -1;
  private lastTs = -1;
  private readonly unwrapper = new SeqUnwrapper();
  // Extended sequence number last seen per 16-bit slot: a repeat of the same extended number is a retransmission.
  private readonly seen = new Float64Array(SEEN_WINDOW).fill(-1);
  private cutTs = -1;
  private cutActive = false;

  /**
   * Classifies one datagram travelling in the media direction and counts it. Returns false
   * when the packet must not be forwarded (a new frame after `cut`).
   */
  media(buf: Uint8Array): { cls: PacketClass; pass: boolean } {
    const c = this.counts;
    const cls = classify(buf);
    if (cls === 'rtcp') { c.rtcp++; return { cls, pass: true }; }
    if (cls === 'other') { c.other++; return { cls, pass: true }; }
    c.rtp++;
    const ssrc = ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0;
    if (ssrc === this.audioSsrc) { c.audio++; return { cls: 'other', pass: true }; }
    if (this.mediaSsrc < 0) this.mediaSsrc = ssrc;
    if (ssrc !== this.mediaSsrc) { c.rtx++; return { cls: 'repair', pass: true }; }
    const seq = (buf[2] << 8) | buf[3];
    const ext = this.unwrapper.unwrap(seq);
    if (this.seen[seq] === ext) { c.retransmissions++; return { cls: 'repair', pass: true }; }
    const ts = ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
    if (this.cutActive && ts !== this.cutTs) { c.cutDropped++; return { cls: 'media', pass: false }; }
    this.seen[seq] = ext;
    if (this.lastExt >= 0 && ext !== this.lastExt + 1) {
      c.seqDiscontinuities++;
      c.maxSeqJump = Math.max(c.maxSeqJump, Math.abs(ext - this.lastExt - 1));
    }
    this.lastExt = ext;
    c.mediaPackets++;
    if (ts !== this.lastTs) { c.frames++; this.lastTs = ts; }
    if (buf[1] & 0x80) c.framesMarked++;
    return { cls: 'media', pass: true };
  }

  /** The audio track's SSRC (from the server's answer, before media flows): its packets are not the video's. */
  setAudioSsrc(ssrc: number): void {
    this.audioSsrc = ssrc >>> 0;
  }

  /** True when `buf` (RTP) is on the media SSRC, i.e. not RTX. */
  isMediaSsrc(buf: Uint8Array): boolean {
    return ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0 === this.mediaSsrc;
  }

  /** Counts a datagram of the other direction (no cut applies). */
  reverse(buf: Uint8Array): PacketClass {
    const cls = classify(buf);
    if (cls === 'rtcp') this.counts.rtcp++;
    else if (cls === 'other') this.counts.other++;
    return cls;
  }

  /** Ends the measurement window: the frame being sent completes, later frames are not forwarded. */
  cut(): void {
    this.cutActive = true;
    this.cutTs = this.lastTs;
  }

  get isCut(): boolean {
    return this.cutActive;
  }
}

export function classify(buf: Uint8Array): PacketClass {
  if (buf.length < 2) return 'other';
  const b0 = buf[0];
  if (b0 < 128 || b0 > 191) return 'other';
  const b1 = buf[1];
  if (b1 >= 192 && b1 <= 223) return 'rtcp';
  return buf.length >= 12 ? 'media' : 'other';
}
