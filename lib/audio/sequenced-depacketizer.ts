/**
 * What every audio depacketizer does before it looks into a payload: count the packet, drop
 * duplicates and late ones, turn a gap (or a loss the reorder buffer reported) into a
 * discontinuity and whatever the format must abandon, count bytes and empty payloads. The
 * formats implement only what a payload means (`takePayload`), what a loss abandons (`lost`) and what
 * a new stream forgets (`forget`).
 */
import type { RtpPacket } from '../rtp/packet.js';
import { AudioSequence, type AudioDepacketizer, type AudioDepacketizerStats } from './frame.js';

export abstract class SequencedAudioDepacketizer<S extends AudioDepacketizerStats> implements AudioDepacketizer {
  protected readonly seq: AudioSequence;
  /** The next frame handed out follows lost or skipped data. */
  protected discontinuity = false;

  constructor(readonly stats: S, maxMisorder: number, firstSequenceNumber: number | undefined) {
    this.seq = new AudioSequence(stats, maxMisorder);
    if (firstSequenceNumber !== undefined) this.seq.expect(firstSequenceNumber);
  }

  expectSequenceNumber(seq: number): void {
    this.seq.expect(seq);
  }

  markLoss(): void {
    this.seq.markLoss();
  }

  reset(): void {
    this.forget();
    this.discontinuity = true;
    this.seq.reset();
  }

  push(pkt: RtpPacket): void {
    this.pushPayload(pkt.payload, pkt.sequenceNumber, pkt.timestamp, pkt.marker);
  }

  pushPayload(payload: Uint8Array, seq: number, ts: number, marker = false): void {
    const stats = this.stats;
    stats.packets++;
    const gap = this.seq.accept(seq);
    if (gap < 0) return;
    if (gap > 0) {
      this.discontinuity = true;
      this.lost();
    }
    stats.bytes += payload.length;
    if (payload.length === 0) {
      stats.emptyPayloads++;
      return;
    }
    this.takePayload(payload, seq, ts, marker, gap);
  }

  /** One non-empty payload in sequence; `gap` packets (UNKNOWN_GAP: an unknown number) were lost before it. */
  protected abstract takePayload(payload: Uint8Array, seq: number, ts: number, marker: boolean, gap: number): void;
  /** Packets were lost: abandon what they may have carried part of. */
  protected abstract lost(): void;
  /** A new stream: forget what is being assembled. */
  protected abstract forget(): void;
}
