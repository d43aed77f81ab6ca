/**
 * Transport-wide congestion control for one viewer of a stream with renditions: when the
 * browser's offer carries the transport-wide-cc header extension, every RTP packet to that
 * viewer (video, retransmissions, RTX: one counter for the whole peer) gets the extension with
 * the next transport-wide sequence number, and is recorded for the BandwidthEstimator; the
 * browser's transport-cc feedback (RTPFB FMT 15) and REMB feed it. It wraps the peer, so the
 * track senders are unchanged: a viewer without it costs nothing more.
 */
import { BandwidthEstimator, type BandwidthEstimatorStats } from '../congestion/bandwidth-estimator.js';
import { PT_PSFB, PT_RTPFB } from '../rtcp/header.js';
import { FMT_TRANSPORT_CC, parseTransportCc } from '../rtcp/transport-cc.js';
import { RtcpParseError } from '../rtcp/errors.js';
import { parseRtcp } from '../rtcp/compound.js';
import { MAX_EGRESS_PACKET } from './egress-packet.js';
import type { MediaKind } from './track.js';
import type { PeerMediaParams, PeerState, PeerTransportStats, WebRtcPeer } from './transport.js';

export const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** The id the offer gives the transport-wide-cc extension (one-byte form, 1-14), if it offers it. */
export function transportCcExtensionId(offerSdp: string): number | undefined {
  const m = offerSdp.match(/^a=extmap:(\d+)(?:\/\w+)? http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01\s*$/m);
  if (!m) return undefined;
  const id = Number(m[1]);
  return id >= 1 && id <= 14 ? id : undefined;
}

/** One-byte header extension block: profile 0xBEDE, one word, the element (id, length 2) and a pad byte. */
const EXTENSION_BYTES = 8;

export interface TransportCcStats extends BandwidthEstimatorStats {
  feedbackErrors: number;
}

export class TransportCcPeer implements WebRtcPeer {
  /** Starts high and trusts the evidence: the first feedback caps it at what gets through. */
  readonly estimator = new BandwidthEstimator({ initialBps: 10_000_000 });
  private seq = 0;
  private readonly out = new Uint8Array(MAX_EGRESS_PACKET + 2 + EXTENSION_BYTES);
  private feedbackErrors = 0;

  constructor(readonly inner: WebRtcPeer, private readonly extensionId: number, private readonly now: () => number) {}

  get answerSdp(): string {
    return this.inner.answerSdp;
  }
  get media(): PeerMediaParams {
    return this.inner.media;
  }
  get state(): PeerState {
    return this.inner.state;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /**
   * Copies a video `packet` with the extension inserted after its CSRCs (camwire's egress packets
   * carry none of their own); audio goes as it is (the extension is negotiated on the video only).
   */
  sendRtp(packet: Uint8Array, kind?: MediaKind): boolean {
    const headerEnd = 12 + (packet[0] & 0x0f) * 4;
    if (kind === 'audio' || (packet[0] & 0x10) !== 0 || packet.length + EXTENSION_BYTES > this.out.length || packet.length < headerEnd) return this.inner.sendRtp(packet, kind);
    const out = this.out;
    // The whole packet shifted by the extension, then its header moved back: no views made.
    out.set(packet, EXTENSION_BYTES);
    out.copyWithin(0, EXTENSION_BYTES, EXTENSION_BYTES + headerEnd);
    out[0] |= 0x10;
    const seq = this.seq;
    this.seq = (seq + 1) & 0xffff;
    out[headerEnd] = 0xbe;
    out[headerEnd + 1] = 0xde;
    out[headerEnd + 2] = 0;
    out[headerEnd + 3] = 1;
    out[headerEnd + 4] = (this.extensionId << 4) | 1;
    out[headerEnd + 5] = seq >> 8;
    out[headerEnd + 6] = seq & 0xff;
    out[headerEnd + 7] = 0;
    const total = packet.length + EXTENSION_BYTES;
    this.estimator.onPacketSent(seq, total, this.now());
    return this.inner.sendRtp(out.subarray(0, total));
  }

  sendRtcp(packet: Uint8Array, kind?: MediaKind): boolean {
    return this.inner.sendRtcp(packet, kind);
  }
  selectedPath(): ReturnType<NonNullable<WebRtcPeer['selectedPath']>> {
    return this.inner.selectedPath?.();
  }
  transportStats(): PeerTransportStats {
    return this.inner.transportStats();
  }
  close(): void {
    this.inner.close();
  }

  /** The browser's RTCP: transport-cc feedback and REMB go to the estimator (the viewer reads the rest). */
  onRtcp(packet: Uint8Array): void {
    let o = 0;
    while (o + 4 <= packet.length) {
      const end = o + (((packet[o + 2] << 8) | packet[o + 3]) + 1) * 4;
      if (end > packet.length) return;
      const pt = packet[o + 1];
      const fmt = packet[o] & 0x1f;
      if (pt === PT_RTPFB && fmt === FMT_TRANSPORT_CC) this.feedback(packet, o + 4, end);
      else if (pt === PT_PSFB) this.remb(packet.subarray(o, end));
      o = end;
    }
  }

  stats(): TransportCcStats {
    return { ...this.estimator.stats(), feedbackErrors: this.feedbackErrors };
  }

  private feedback(packet: Uint8Array, start: number, end: number): void {
    try {
      this.estimator.onTransportFeedback(parseTransportCc(packet, start, end), this.now());
    } catch (err) {
      if (!(err instanceof RtcpParseError)) throw err;
      this.feedbackErrors++;
    }
  }

  private remb(packet: Uint8Array): void {
    try {
      const [p] = parseRtcp(packet);
      if (p.type === 'remb') this.estimator.onRemb(p.bitrate);
    } catch {
      this.feedbackErrors++;
    }
  }
}
