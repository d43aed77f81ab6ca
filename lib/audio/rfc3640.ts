/**
 * RFC 3640 (mpeg4-generic, mode=AAC-hbr / AAC-lbr) depacketizer: RTP payloads in sequence
 * order -> AAC access units with their own timestamps. Several AUs per packet (AU-index-delta,
 * CTS-delta), an AU fragmented over packets (the marker ends it), an auxiliary section, and
 * ADTS headers some cameras leave inside. Never throws on network input: a malformed packet is
 * a counted drop (typed AudioPayloadError inside, counted by code).
 *
 * AU-size of a fragment is the whole AU's size (RFC 3640 3.2.1.1), so a fragmented AU proves
 * itself complete. Some senders write each fragment's own size instead; after a loss such a
 * stream cannot tell a tail from a whole AU, and after a loss a packet is trusted only when
 * gapExplained says it cannot be one.
 */
import { tsAdd } from '../rtp/seq.js';
import { adtsWrappedHeaderLength } from './adts.js';
import { checkAuHeaderLayout, emptyAuHeader, isEmptyLayout, readAuHeader, type AuHeaderLayout } from './au-headers.js';
import { BitReader } from './bits.js';
import { AudioFormatError, AudioPayloadError, type AudioPayloadErrorCode } from './errors.js';
import {
  emptyAudioStats, resolveDepacketizerOptions, UnitClock,
  type AudioDepacketizerOptions, type AudioDepacketizerStats, type AudioFrame, type AudioFrameSink,
} from './frame.js';
import { SequencedAudioDepacketizer } from './sequenced-depacketizer.js';

export interface Rfc3640Config {
  layout: AuHeaderLayout;
  /** One AU's duration in RTP ticks: `constantduration`, or aacFrameTicks(config, clockRate). */
  frameTicks: number;
}

export interface Rfc3640Stats extends AudioDepacketizerStats {
  /** AUs assembled from two or more packets. */
  fragmentedAus: number;
  /** Fragmented AUs whose marker never came and whose size did not prove them whole. */
  fragmentsUnterminated: number;
  /** Fragmented AUs that ended short of (or past) their AU-size: a fragment went missing. */
  fragmentsIncomplete: number;
  /** Whole AUs whose packet lacked the marker bit. */
  markersMissing: number;
  /** AUs with a non-zero AU-index-delta (interleaved: their timestamps are right, their order is the packet's). */
  interleavedAus: number;
  /** ADTS headers removed from inside AUs. */
  adtsHeadersStripped: number;
}

const EMPTY = new Uint8Array(0);
const headersPastEnd = () => new AudioPayloadError('AUDIO_AU_HEADERS_PAST_END', 'AU-header or auxiliary section ends early');
/** How the stream's senders fill AU-size in fragments, once seen. */
const enum SizeStyle { Unknown, WholeAu, Fragment }

export class Rfc3640Depacketizer extends SequencedAudioDepacketizer<Rfc3640Stats> {
  private readonly frame: AudioFrame = { data: EMPTY, timestamp: 0, sequenceNumber: 0, discontinuity: false };
  private readonly reader = new BitReader(headersPastEnd);
  private readonly header = emptyAuHeader();
  private readonly layout: AuHeaderLayout;
  private readonly noHeaders: boolean;
  private readonly frameTicks: number;
  private readonly maxAu: number;
  private readonly scratch: Uint8Array;

  private pending = false;
  private pendingTs = 0;
  private pendingSeq = 0;
  private pendingDeclared = 0;
  private pendingLen = 0;
  private pendingPackets = 0;
  private pendingSizesAgree = true;
  private pendingFragmentSized = true;
  private pendingUnverified = false;
  private discarding = false;
  private discardTs = 0;
  private sizeStyle = SizeStyle.Unknown;
  private readonly clock = new UnitClock();

  constructor(private readonly onFrame: AudioFrameSink, config: Rfc3640Config, options: AudioDepacketizerOptions = {}) {
    checkAuHeaderLayout(config.layout);
    if (!Number.isInteger(config.frameTicks) || config.frameTicks < 1) throw new AudioFormatError('AUDIO_BAD_OPTION', `frameTicks ${config.frameTicks} is not a positive integer`);
    const o = resolveDepacketizerOptions(options);
    super({ ...emptyAudioStats(), fragmentedAus: 0, fragmentsUnterminated: 0, fragmentsIncomplete: 0, markersMissing: 0, interleavedAus: 0, adtsHeadersStripped: 0 }, o.maxMisorder, options.firstSequenceNumber);
    this.layout = { ...config.layout };
    this.noHeaders = isEmptyLayout(config.layout);
    this.frameTicks = config.frameTicks;
    this.maxAu = o.maxAuBytes;
    this.scratch = new Uint8Array(o.maxAuBytes);
  }

  protected forget(): void {
    this.pending = false;
    this.discarding = false;
    this.sizeStyle = SizeStyle.Unknown;
    this.clock.reset();
  }

  protected takePayload(payload: Uint8Array, seq: number, ts: number, marker: boolean, gap: number): void {
    const trusted = gap === 0 || this.clock.trusts(gap, ts, this.frameTicks);
    try {
      this.parse(payload, seq, ts, marker, trusted);
    } catch (e) {
      if (!(e instanceof AudioPayloadError)) throw e;
      this.malformed(e.code, ts, marker);
    }
  }

  private parse(p: Uint8Array, seq: number, ts: number, marker: boolean, trusted: boolean): void {
    const n = p.length;
    const h = this.header;
    let headerBits = 0;
    let dataStart = 0;
    if (!this.noHeaders) {
      if (n < 2) throw new AudioPayloadError('AUDIO_PAYLOAD_TOO_SHORT', 'no room for AU-headers-length');
      headerBits = (p[0] << 8) | p[1];
      dataStart = 2 + ((headerBits + 7) >> 3);
      if (dataStart > n) throw headersPastEnd();
    }
    if (this.layout.auxiliaryDataSizeLength > 0) {
      // auxiliary-data-size, the data, then padding to a byte: skipped
      const r = this.reader.reset(p, dataStart * 8);
      r.skip(r.readBits(this.layout.auxiliaryDataSizeLength));
      dataStart = (r.position + 7) >> 3;
    }
    const dataLen = n - dataStart;
    let count = 1;
    if (this.noHeaders) {
      h.size = dataLen;
    } else {
      // first pass: count the headers and check that their AUs fit, before any is delivered
      const r = this.reader.reset(p, 16, 16 + headerBits);
      count = 0;
      let total = 0;
      while (r.bitsLeft > 0) {
        readAuHeader(r, count === 0, this.layout, h);
        count++;
        total += h.size;
      }
      if (count === 0) throw new AudioPayloadError('AUDIO_AU_EMPTY', 'AU-headers-length 0: no access unit');
      if (count > 1 && this.layout.sizeLength === 0) throw new AudioPayloadError('AUDIO_AU_EMPTY', `${count} AUs without AU-size`);
      if (count > 1 && total > dataLen) throw new AudioPayloadError('AUDIO_AU_PAST_END', `AU sizes add up to ${total}, data section has ${dataLen}`);
      if (this.layout.sizeLength === 0) h.size = dataLen;
    }
    if (count === 1) this.single(p, dataStart, dataLen, seq, ts, marker, trusted);
    else this.aggregate(p, dataStart, count, headerBits, seq, ts, marker);
  }

  /** Whole AUs, two or more (fragments always travel alone). */
  private aggregate(p: Uint8Array, dataStart: number, count: number, headerBits: number, seq: number, ts: number, marker: boolean): void {
    const stats = this.stats;
    if (this.pending) this.unterminated();
    this.discarding = false;
    if (!marker) stats.markersMissing++;
    const r = this.reader.reset(p, 16, 16 + headerBits);
    const h = this.header;
    let offset = dataStart;
    let serial = 0;
    for (let i = 0; i < count; i++) {
      readAuHeader(r, i === 0, this.layout, h);
      if (i > 0) {
        serial += h.index + 1;
        if (h.index !== 0) stats.interleavedAus++;
      }
      const auTs = i > 0 && h.hasCts ? tsAdd(ts, h.ctsDelta) : tsAdd(ts, serial * this.frameTicks);
      const start = offset;
      offset += h.size;
      if (h.size === 0) stats.ausEmpty++;
      else if (h.size > this.maxAu) this.oversized();
      else this.emit(p.subarray(start, offset), auTs, seq);
    }
    this.clock.seen(tsAdd(ts, (serial + 1) * this.frameTicks));
  }

  /** One AU-header: a whole AU, or a fragment of one. */
  private single(p: Uint8Array, dataStart: number, dataLen: number, seq: number, ts: number, marker: boolean, trusted: boolean): void {
    const stats = this.stats;
    const size = this.header.size;
    this.clock.seen(tsAdd(ts, this.frameTicks));
    if (this.pending) {
      if (ts === this.pendingTs) {
        this.append(p, dataStart, dataLen, seq, ts, marker);
        return;
      }
      this.unterminated();
    }
    if (this.discarding) {
      if (ts === this.discardTs) {
        if (marker) this.discarding = false;
        return;
      }
      this.discarding = false;
    }
    if (size > dataLen) this.sizeStyle = SizeStyle.WholeAu;
    else if (!marker) this.sizeStyle = SizeStyle.Fragment;
    if (marker && size <= dataLen) {
      // whole, unless the stream writes fragment sizes and a loss may have eaten this AU's start
      if (!trusted && this.sizeStyle !== SizeStyle.WholeAu) {
        stats.unverifiedAfterLoss++;
        this.dropFrame();
      } else if (size === 0) stats.ausEmpty++;
      else if (size > this.maxAu) this.oversized();
      else this.emit(p.subarray(dataStart, dataStart + size), ts, seq);
      return;
    }
    if (size > this.maxAu) {
      this.oversized();
      this.discardFrom(ts, marker);
      return;
    }
    this.pending = true;
    this.pendingTs = ts;
    this.pendingDeclared = size;
    this.pendingLen = 0;
    this.pendingPackets = 0;
    this.pendingSizesAgree = true;
    this.pendingFragmentSized = true;
    this.pendingUnverified = !trusted;
    this.append(p, dataStart, dataLen, seq, ts, marker);
  }

  private append(p: Uint8Array, dataStart: number, dataLen: number, seq: number, ts: number, marker: boolean): void {
    const size = this.header.size;
    const bytes = size < dataLen ? size : dataLen;
    if (size !== this.pendingDeclared) this.pendingSizesAgree = false;
    if (size !== dataLen) this.pendingFragmentSized = false;
    if (this.pendingLen + bytes > this.maxAu) {
      this.pending = false;
      this.oversized();
      this.discardFrom(ts, marker);
      return;
    }
    this.scratch.set(p.subarray(dataStart, dataStart + bytes), this.pendingLen);
    this.pendingLen += bytes;
    this.pendingPackets++;
    this.pendingSeq = seq;
    if (!marker) return;
    this.pending = false;
    if (!this.pendingWhole()) {
      if (this.pendingFragmentSized) this.stats.unverifiedAfterLoss++;
      else this.stats.fragmentsIncomplete++;
      this.dropFrame();
      return;
    }
    if (this.pendingPackets > 1) this.stats.fragmentedAus++;
    this.emit(this.scratch.subarray(0, this.pendingLen), this.pendingTs, seq);
  }

  /** Fragment sizes prove a unit whole only when no loss preceded its first fragment; AU sizes always do. */
  private pendingWhole(): boolean {
    if (this.pendingFragmentSized) return !this.pendingUnverified;
    return this.pendingSizesAgree && this.pendingLen === this.pendingDeclared;
  }

  /** A new timestamp came before the pending AU's marker. */
  private unterminated(): void {
    this.pending = false;
    if (this.pendingWhole() && this.pendingLen === this.pendingDeclared) {
      this.stats.markersMissing++;
      if (this.pendingPackets > 1) this.stats.fragmentedAus++;
      this.emit(this.scratch.subarray(0, this.pendingLen), this.pendingTs, this.pendingSeq);
      return;
    }
    this.stats.fragmentsUnterminated++;
    this.dropFrame();
  }

  protected lost(): void {
    if (!this.pending) return;
    // the rest of the pending AU may still come: skip it
    this.pending = false;
    this.dropFrame();
    this.discardFrom(this.pendingTs, false);
  }

  private malformed(code: AudioPayloadErrorCode, ts: number, marker: boolean): void {
    const stats = this.stats;
    stats.malformed++;
    if (code === 'AUDIO_PAYLOAD_TOO_SHORT') stats.payloadsTooShort++;
    else if (code === 'AUDIO_AU_HEADERS_PAST_END') stats.auHeadersPastEnd++;
    else if (code === 'AUDIO_AU_PAST_END') stats.ausPastEnd++;
    else if (code === 'AUDIO_AU_EMPTY') stats.ausEmpty++;
    // whatever the packet carried is lost, and with it a pending AU it may have continued
    if (this.pending) {
      this.pending = false;
      this.dropFrame();
    }
    this.discontinuity = true;
    this.clock.lostTrack();
    this.discardFrom(ts, marker);
  }

  private discardFrom(ts: number, marker: boolean): void {
    if (marker) return;
    this.discarding = true;
    this.discardTs = ts;
  }

  private oversized(): void {
    this.stats.ausOversized++;
    this.dropFrame();
  }

  private dropFrame(): void {
    this.stats.framesDropped++;
    this.discontinuity = true;
  }

  private emit(data: Uint8Array, ts: number, seq: number): void {
    const strip = adtsWrappedHeaderLength(data);
    if (strip > 0) {
      data = data.subarray(strip);
      this.stats.adtsHeadersStripped++;
    }
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
