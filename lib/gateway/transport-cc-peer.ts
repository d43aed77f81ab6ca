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
import { FMT_TRANSPORT_CC, parseTransportCc, type TransportCcFeedback } from '../rtcp/transport-cc.js';
import { RtcpParseError } from '../rtcp/errors.js';
import { parseRtcp } from '../rtcp/compound.js';
import { fanningOut, MAX_EGRESS_PACKET } from './egress-packet.js';
import { logFanout, recordRun } from './fanout-log.js';
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

/**
 * Where every TransportCcPeer writes the packet it is sending, and a view of it per length:
 * sendRtp hands the packet to the transport (which copies it) before it returns, so one
 * buffer serves every viewer, and no view is made per packet (subarray is costly in V8, and
 * garbage). Views are made on first use of a length: at most one per possible length.
 */
function views(buf: Uint8Array): (Uint8Array | undefined)[] {
  // Filled, not empty: an array first written at index ~1200 is a dictionary, a hash lookup a packet.
  return Array.from({ length: buf.length + 1 }, () => undefined);
}

const OUT = new Uint8Array(MAX_EGRESS_PACKET + 2 + EXTENSION_BYTES);
const VIEWS = views(OUT);

/**
 * The packet a track is fanning out, with the extension's room after its header: its payload
 * is copied in once per packet (by the first viewer with transport-wide CC), and every such
 * viewer writes only its own header and block before sending it. `TWIN_GENERATION` is the
 * fan-out (fanningOut.generation) whose payload it holds.
 */
const TWIN = new Uint8Array(OUT.length);
const TWIN_VIEWS = views(TWIN);
let TWIN_GENERATION = -1;

/**
 * The packet's header (X set: the block follows it), by hand: a native call for a dozen bytes
 * costs more than the bytes, and the usual 12 bytes unrolled cost less than a loop.
 */
function copyHeader(out: Uint8Array, packet: Uint8Array, headerEnd: number): void {
  out[0] = packet[0] | 0x10;
  if (headerEnd !== 12) {
    for (let i = 1; i < headerEnd; i++) out[i] = packet[i];
    return;
  }
  out[1] = packet[1];
  out[2] = packet[2];
  out[3] = packet[3];
  out[4] = packet[4];
  out[5] = packet[5];
  out[6] = packet[6];
  out[7] = packet[7];
  out[8] = packet[8];
  out[9] = packet[9];
  out[10] = packet[10];
  out[11] = packet[11];
}

/** The block (with this viewer's id, a zero sequence number) at `at`. */
function writeBlock(out: Uint8Array, at: number, block: Uint8Array): void {
  for (let i = 0; i < EXTENSION_BYTES; i++) out[at + i] = block[i];
}

function outView(length: number): Uint8Array {
  return (VIEWS[length] ??= OUT.subarray(0, length));
}

function twinView(length: number): Uint8Array {
  return (TWIN_VIEWS[length] ??= TWIN.subarray(0, length));
}

export interface TransportCcStats extends BandwidthEstimatorStats {
  feedbackErrors: number;
}

export class TransportCcPeer implements WebRtcPeer {
  /** Starts high and trusts the evidence: the first feedback caps it at what gets through. */
  readonly estimator = new BandwidthEstimator({ initialBps: 10_000_000 });
  private seq = 0;
  /** The run of consecutive fan-outs sent and not yet recorded for the estimator: its first fan-out and number, its length. */
  private runGeneration = 0;
  private runSeq = 0;
  private runLength = 0;
  /** Each feedback is parsed into this one (its arrays grow to the largest feedback seen, bounded). */
  private readonly fb: TransportCcFeedback = {
    senderSsrc: 0, mediaSsrc: 0, baseSeq: 0, referenceTime: 0, feedbackCount: 0, statuses: new Uint8Array(0), deltas: new Int32Array(0), count: 0,
  };
  private feedbackErrors = 0;

  /** The header extension block (0xBEDE, one word: the element of id `extensionId`, two bytes of sequence number, a pad byte). */
  private readonly headerExtension: Uint8Array;

  constructor(readonly inner: WebRtcPeer, extensionId: number, private readonly now: () => number) {
    this.headerExtension = Uint8Array.of(0xbe, 0xde, 0, 1, (extensionId << 4) | 1, 0, 0, 0);
  }

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
   * Sends a video `packet` with the block inserted after its CSRCs (camwire's egress packets
   * carry no extensions of their own) and the next transport-wide sequence number in it; audio
   * goes as it is (the extension is negotiated on the video only). The packet a track is
   * fanning out goes from the twin, whose payload is copied once for every viewer; any other
   * (keyframe packets kept in the cache, retransmissions, RTX) is copied whole.
   */
  sendRtp(packet: Uint8Array, kind?: MediaKind): boolean {
    const headerEnd = 12 + (packet[0] & 0x0f) * 4;
    const total = packet.length + EXTENSION_BYTES;
    if (kind === 'audio' || (packet[0] & 0x10) !== 0 || total > OUT.length || packet.length < headerEnd) return this.inner.sendRtp(packet, kind);
    const seq = this.seq;
    this.seq = (seq + 1) & 0xffff;
    const idByte = headerEnd + 4;
    if (packet === fanningOut.packet) {
      const out = TWIN;
      const generation = fanningOut.generation;
      if (TWIN_GENERATION !== generation) {
        // Once a packet: its payload after the room for the block, the block's constant bytes,
        // and when it went out; then each viewer writes its header and its own id and number.
        out.set(packet, EXTENSION_BYTES);
        writeBlock(out, headerEnd, this.headerExtension);
        logFanout(generation, fanningOut.now, total);
        TWIN_GENERATION = generation;
      }
      copyHeader(out, packet, headerEnd);
      out[idByte] = this.headerExtension[4];
      out[idByte + 1] = seq >> 8;
      out[idByte + 2] = seq & 0xff;
      if (this.runLength > 0 && generation === this.runGeneration + this.runLength) {
        this.runLength++;
      } else {
        this.recordRun();
        this.runGeneration = generation;
        this.runSeq = seq;
        this.runLength = 1;
      }
      return this.inner.sendRtp(twinView(total), kind);
    }
    this.recordRun();
    const out = OUT;
    out.set(packet, EXTENSION_BYTES);
    copyHeader(out, packet, headerEnd);
    writeBlock(out, headerEnd, this.headerExtension);
    out[idByte + 1] = seq >> 8;
    out[idByte + 2] = seq & 0xff;
    this.estimator.onPacketSent(seq, total, this.now());
    return this.inner.sendRtp(outView(total), kind);
  }

  /**
   * Hands the estimator the packets of the pending run (from the fan-out log), so its send
   * history is complete and in order: before any other packet is recorded, and before feedback.
   * Anything else that changes how the estimator records a packet must call this first.
   */
  private recordRun(): void {
    if (this.runLength === 0) return;
    recordRun(this.runGeneration, this.runSeq, this.runLength, this.estimator);
    this.runLength = 0;
  }

  /** Padding probes (ProbeSender): every packet sent between this and endProbe, media included, is of probe cluster `id`. */
  beginProbe(id: number): void {
    this.recordRun();
    this.estimator.beginProbeCluster(id);
  }

  endProbe(): void {
    this.recordRun();
    this.estimator.endProbeCluster(this.now());
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
    this.recordRun();
    try {
      this.estimator.onTransportFeedback(parseTransportCc(packet, start, end, this.fb), this.now());
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
