/**
 * Payload formats whose RTP payload is one frame as it is: G.711 (PCMU/PCMA), G.722, Opus
 * (RFC 7587), L16. Nothing to reassemble; what this adds is the common bookkeeping
 * (duplicates, late packets, gaps -> discontinuity) and the size bound.
 */
import type { RtpPacket } from '../rtp/packet.js';
import {
  emptyAudioStats, resolveDepacketizerOptions, AudioSequence,
  type AudioDepacketizer, type AudioDepacketizerOptions, type AudioDepacketizerStats, type AudioFrame, type AudioFrameSink,
} from './frame.js';

const EMPTY = new Uint8Array(0);

export class PassthroughDepacketizer implements AudioDepacketizer {
  readonly stats: AudioDepacketizerStats = emptyAudioStats();
  private readonly frame: AudioFrame = { data: EMPTY, timestamp: 0, sequenceNumber: 0, discontinuity: false };
  private readonly seq: AudioSequence;
  private readonly maxAu: number;
  private discontinuity = false;

  constructor(private readonly onFrame: AudioFrameSink, options: AudioDepacketizerOptions = {}) {
    const o = resolveDepacketizerOptions(options);
    this.maxAu = o.maxAuBytes;
    this.seq = new AudioSequence(this.stats, o.maxMisorder);
    if (options.firstSequenceNumber !== undefined) this.seq.expect(options.firstSequenceNumber);
  }

  expectSequenceNumber(seq: number): void {
    this.seq.expect(seq);
  }

  markLoss(): void {
    this.seq.markLoss();
  }

  reset(): void {
    this.discontinuity = true;
    this.seq.reset();
  }

  push(pkt: RtpPacket): void {
    this.pushPayload(pkt.payload, pkt.sequenceNumber, pkt.timestamp);
  }

  /** The marker (talkspurt start, RFC 3551 4.1) changes nothing here. */
  pushPayload(payload: Uint8Array, seq: number, ts: number): void {
    const stats = this.stats;
    stats.packets++;
    const gap = this.seq.accept(seq);
    if (gap < 0) return;
    if (gap > 0) this.discontinuity = true;
    stats.bytes += payload.length;
    if (payload.length === 0) {
      stats.emptyPayloads++;
      return;
    }
    if (payload.length > this.maxAu) {
      stats.ausOversized++;
      stats.framesDropped++;
      this.discontinuity = true;
      return;
    }
    const f = this.frame;
    f.data = payload;
    f.timestamp = ts;
    f.sequenceNumber = seq;
    f.discontinuity = this.discontinuity;
    this.discontinuity = false;
    stats.frames++;
    this.onFrame(f);
  }
}
