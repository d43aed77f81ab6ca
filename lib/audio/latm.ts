/**
 * MP4A-LATM (RFC 6416) depacketizer: RTP payloads in sequence order -> AAC frames. A payload
 * holds one or more AudioMuxElements, each with numSubFrames + 1 frames whose lengths are
 * PayloadLengthInfo bytes (255 continues); an element too large for one packet is split over
 * packets and the marker ends it. cpresent=0 takes the StreamMuxConfig from SDP; cpresent=1
 * reads it in band. Never throws on network input: drops are counted.
 *
 * LATM fragments carry no header, so after a loss a packet is used only when gapExplained says
 * it cannot be the tail of an element whose start was lost (the UnitClock counts every packet seen).
 */
import { tsAdd } from '../rtp/seq.js';
import { aacFrameTicks } from './audio-specific-config.js';
import { BitReader } from './bits.js';
import { AudioConfigError, AudioFormatError, AudioPayloadError } from './errors.js';
import {
  emptyAudioStats, resolveDepacketizerOptions, UnitClock,
  type AudioDepacketizerOptions, type AudioDepacketizerStats, type AudioFrame, type AudioFrameSink,
} from './frame.js';
import { SequencedAudioDepacketizer } from './sequenced-depacketizer.js';
import { readStreamMuxConfig, type StreamMuxConfig } from './stream-mux-config.js';

export interface LatmConfig {
  /** RTP clock rate from the rtpmap. */
  clockRate: number;
  /** cpresent: every AudioMuxElement may carry its StreamMuxConfig (RFC 6416: default 1). */
  muxConfigPresent: boolean;
  /** From SDP `config=`; required when muxConfigPresent is false. */
  streamMuxConfig?: StreamMuxConfig;
}

export interface LatmOptions extends AudioDepacketizerOptions {
  /** Largest AudioMuxElement reassembled from fragments, in bytes. */
  maxElementBytes?: number;
}

export const LATM_DEFAULTS: Readonly<Required<Pick<LatmOptions, 'maxElementBytes'>>> = Object.freeze({
  // 64 subframes of a 1 KiB stereo AAC frame: far beyond what a camera sends
  maxElementBytes: 65536,
});

export interface LatmStats extends AudioDepacketizerStats {
  /** Elements reassembled from two or more packets. */
  fragmentedElements: number;
  /** Elements whose packets lacked the marker (a new timestamp ended them). */
  markersMissing: number;
  /** Elements over maxElementBytes. */
  elementsOversized: number;
  /** In-band StreamMuxConfigs read (cpresent=1). */
  configsInBand: number;
  /** In-band configs that did not parse, or elements that reused a config never sent. */
  configErrors: number;
}

const EMPTY = new Uint8Array(0);
const pastEnd = () => new AudioPayloadError('AUDIO_AU_PAST_END', 'AudioMuxElement ends early');

export class LatmDepacketizer extends SequencedAudioDepacketizer<LatmStats> {
  private readonly frame: AudioFrame = { data: EMPTY, timestamp: 0, sequenceNumber: 0, discontinuity: false };
  private readonly reader = new BitReader(pastEnd);
  private readonly clockRate: number;
  private readonly muxConfigPresent: boolean;
  private readonly maxAu: number;
  private readonly assembly: Uint8Array;
  private readonly frameBuf: Uint8Array;
  private config: StreamMuxConfig | undefined;
  private frameTicks = 0;
  private elementTicks = 0;

  private assembling = false;
  private assemblyTs = 0;
  private assemblySeq = 0;
  private assemblyLen = 0;
  private assemblyPackets = 0;
  private discarding = false;
  private discardTs = 0;
  private readonly clock = new UnitClock();

  constructor(private readonly onFrame: AudioFrameSink, config: LatmConfig, options: LatmOptions = {}) {
    const o = resolveDepacketizerOptions(options);
    super({ ...emptyAudioStats(), fragmentedElements: 0, markersMissing: 0, elementsOversized: 0, configsInBand: 0, configErrors: 0 }, o.maxMisorder, options.firstSequenceNumber);
    const maxElementBytes = options.maxElementBytes ?? LATM_DEFAULTS.maxElementBytes;
    if (!Number.isInteger(maxElementBytes) || maxElementBytes < 1 || maxElementBytes > 1 << 24) throw new AudioFormatError('AUDIO_BAD_OPTION', `maxElementBytes ${maxElementBytes} outside 1..16 MiB`);
    if (!Number.isInteger(config.clockRate) || config.clockRate < 1) throw new AudioFormatError('AUDIO_BAD_CLOCK_RATE', `clock rate ${config.clockRate}`);
    if (!config.muxConfigPresent && !config.streamMuxConfig) throw new AudioFormatError('AUDIO_MISSING_CONFIG', 'MP4A-LATM with cpresent=0 needs config=');
    this.clockRate = config.clockRate;
    this.muxConfigPresent = config.muxConfigPresent;
    this.maxAu = o.maxAuBytes;
    this.assembly = new Uint8Array(maxElementBytes);
    this.frameBuf = new Uint8Array(o.maxAuBytes);
    if (config.streamMuxConfig) this.useConfig(config.streamMuxConfig);
  }

  /** The config in force: from SDP, or the latest in-band one. */
  get streamMuxConfig(): StreamMuxConfig | undefined {
    return this.config;
  }

  protected forget(): void {
    this.assembling = false;
    this.discarding = false;
    this.clock.reset();
  }

  protected takePayload(payload: Uint8Array, seq: number, ts: number, marker: boolean, gap: number): void {
    const stats = this.stats;
    const trusted = gap === 0 || this.clock.trusts(gap, ts, this.elementTicks);
    if (this.assembling && ts !== this.assemblyTs) {
      // fragments share their element's timestamp: a new one ended it without a marker
      this.assembling = false;
      stats.markersMissing++;
      this.parseElements(this.assembly.subarray(0, this.assemblyLen), this.assemblyTs, this.assemblySeq);
    }
    if (this.discarding) {
      if (ts === this.discardTs) {
        this.seenElement(ts);
        if (marker) this.discarding = false;
        return;
      }
      this.discarding = false;
    }
    if (!this.assembling && !trusted) {
      stats.unverifiedAfterLoss++;
      this.seenElement(ts);
      this.dropFrame();
      this.discardFrom(ts, marker);
      return;
    }
    if (marker && !this.assembling) {
      this.parseElements(payload, ts, seq);
      return;
    }
    if (!this.append(payload, ts, seq, marker) || !marker) return;
    this.assembling = false;
    if (this.assemblyPackets > 1) stats.fragmentedElements++;
    this.parseElements(this.assembly.subarray(0, this.assemblyLen), this.assemblyTs, seq);
  }

  private append(payload: Uint8Array, ts: number, seq: number, marker: boolean): boolean {
    if (!this.assembling) {
      this.assembling = true;
      this.assemblyTs = ts;
      this.assemblyLen = 0;
      this.assemblyPackets = 0;
    }
    if (this.assemblyLen + payload.length > this.assembly.length) {
      this.assembling = false;
      this.stats.elementsOversized++;
      this.dropFrame();
      this.discardFrom(ts, marker);
      return false;
    }
    this.assembly.set(payload, this.assemblyLen);
    this.assemblyLen += payload.length;
    this.assemblyPackets++;
    this.assemblySeq = seq;
    this.seenElement(ts);
    return true;
  }

  private parseElements(buf: Uint8Array, ts: number, seq: number): void {
    try {
      this.readElements(buf, ts, seq);
    } catch (e) {
      const stats = this.stats;
      if (e instanceof AudioConfigError || (e instanceof AudioPayloadError && e.code === 'AUDIO_LATM_NO_CONFIG')) stats.configErrors++;
      else if (e instanceof AudioPayloadError && e.code === 'AUDIO_AU_PAST_END') stats.ausPastEnd++;
      else throw e;
      stats.malformed++;
      this.clock.lostTrack();
      this.dropFrame();
    }
  }

  private readElements(buf: Uint8Array, ts: number, seq: number): void {
    const stats = this.stats;
    const r = this.reader.reset(buf);
    let frameTs = ts;
    while (r.bitsLeft >= 8) {
      if (this.muxConfigPresent && !r.readBit()) {
        this.useConfig(readStreamMuxConfig(r));
        stats.configsInBand++;
      }
      const c = this.config;
      if (!c) throw new AudioPayloadError('AUDIO_LATM_NO_CONFIG', 'useSameStreamMux before any StreamMuxConfig');
      for (let i = 0; i <= c.numSubFrames; i++) {
        let len = 0;
        let more: number;
        do {
          more = r.readBits(8);
          len += more;
        } while (more === 255);
        if (len === 0) stats.ausEmpty++;
        else if (len > this.maxAu) {
          r.skip(len * 8);
          stats.ausOversized++;
          this.dropFrame();
        } else {
          this.emit(this.take(buf, r, len), frameTs, seq);
        }
        frameTs = tsAdd(frameTs, this.frameTicks);
      }
      if (c.otherDataLenBits !== undefined) r.skip(c.otherDataLenBits);
      r.byteAlign();
    }
    this.clock.seen(frameTs);
  }

  /** A packet of an element at `ts` (a fragment, or one not used): that element was not lost whole. */
  private seenElement(ts: number): void {
    if (this.elementTicks > 0) this.clock.seen(tsAdd(ts, this.elementTicks));
    else this.clock.lostTrack();
  }

  /** The frame's bytes: a view when they are byte aligned (cpresent=0), else copied out of the bit stream. */
  private take(buf: Uint8Array, r: BitReader, len: number): Uint8Array {
    const pos = r.position;
    if ((pos & 7) === 0) {
      r.skip(len * 8);
      return buf.subarray(pos >> 3, (pos >> 3) + len);
    }
    r.copyBytes(this.frameBuf, 0, len);
    return this.frameBuf.subarray(0, len);
  }

  private useConfig(c: StreamMuxConfig): void {
    const ticks = aacFrameTicks(c.audioSpecificConfig, this.clockRate);
    if (ticks < 1) throw new AudioConfigError('AUDIO_CONFIG_BAD_SAMPLE_RATE', `a frame at ${c.audioSpecificConfig.sampleRate} Hz is no tick of a ${this.clockRate} Hz clock`);
    this.config = c;
    this.frameTicks = ticks;
    this.elementTicks = this.frameTicks * (c.numSubFrames + 1);
  }

  protected lost(): void {
    if (!this.assembling) return;
    this.assembling = false;
    this.dropFrame();
    this.discardFrom(this.assemblyTs, false);
  }

  private discardFrom(ts: number, marker: boolean): void {
    if (marker) return;
    this.discarding = true;
    this.discardTs = ts;
  }

  private dropFrame(): void {
    this.stats.framesDropped++;
    this.discontinuity = true;
  }

  private emit(data: Uint8Array, ts: number, seq: number): void {
    const f = this.frame;
    f.data = data;
    f.timestamp = ts;
    f.sequenceNumber = seq;
    f.discontinuity = this.discontinuity;
    this.discontinuity = false;
    this.stats.frames++;
    this.onFrame(f);
  }
}
