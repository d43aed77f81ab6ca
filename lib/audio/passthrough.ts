/**
 * Payload formats whose RTP payload is one frame as it is: G.711 (PCMU/PCMA), G.722, Opus
 * (RFC 7587), L16. Nothing to reassemble; what this adds is the common bookkeeping
 * (duplicates, late packets, gaps -> discontinuity) and the size bound.
 */
import {
  emptyAudioStats, resolveDepacketizerOptions, type AudioDepacketizerOptions, type AudioDepacketizerStats, type AudioFrame, type AudioFrameSink,
} from './frame.js';
import { SequencedAudioDepacketizer } from './sequenced-depacketizer.js';

const EMPTY = new Uint8Array(0);

export class PassthroughDepacketizer extends SequencedAudioDepacketizer<AudioDepacketizerStats> {
  private readonly frame: AudioFrame = { data: EMPTY, timestamp: 0, sequenceNumber: 0, discontinuity: false };
  private readonly maxAu: number;

  constructor(private readonly onFrame: AudioFrameSink, options: AudioDepacketizerOptions = {}) {
    const o = resolveDepacketizerOptions(options);
    super(emptyAudioStats(), o.maxMisorder, options.firstSequenceNumber);
    this.maxAu = o.maxAuBytes;
  }

  protected lost(): void {}

  protected forget(): void {}

  /** The marker (talkspurt start, RFC 3551 4.1) changes nothing here. */
  protected takePayload(payload: Uint8Array, seq: number, ts: number): void {
    const stats = this.stats;
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
