/**
 * RFC 2198 redundant audio (RED), as browsers negotiate it for Opus (`red/48000/2`, fmtp
 * `111/111`): each packet carries the previous packet again before its own, so one lost packet
 * costs nothing. It lives with the audio payload formats because it is one: negotiated per
 * codec, built from the codec's frames, nothing to do with NACK/RTX recovery of video.
 *
 * Header of a redundant block: F=1 | block PT (7) | timestamp offset (14) | block length (10);
 * the primary's header is one byte, F=0 | PT. Block data follows in header order.
 */
import { tsDistance } from '../rtp/seq.js';
import { AudioFormatError, AudioPayloadError } from './errors.js';

export const RED_MAX_TIMESTAMP_OFFSET = 0x3fff;
export const RED_MAX_BLOCK_LENGTH = 0x3ff;
const REDUNDANT_HEADER = 4;
const PRIMARY_HEADER = 1;

export interface RedEncoderOptions {
  /** Payload type of the encoding inside (Opus: the browser's, e.g. 111). */
  payloadType: number;
  /** Largest RED payload written: the egress MTU less the RTP header. */
  maxPayloadBytes?: number;
}

export const RED_DEFAULTS: Readonly<Required<Pick<RedEncoderOptions, 'maxPayloadBytes'>>> = Object.freeze({
  // 1200-byte RTP packets (DESIGN.md egress MTU) less the 12-byte header
  maxPayloadBytes: 1188,
});

export interface RedEncoderStats {
  packets: number;
  /** Packets that carried the previous packet again. */
  withRedundancy: number;
  /** Redundancy left out: the previous packet is more than 16383 ticks older (a gap, DTX). */
  droppedOffset: number;
  /** Left out: the previous payload is longer than 1023 bytes. */
  droppedLength: number;
  /** Left out: both would not fit maxPayloadBytes. */
  droppedMtu: number;
  /** Left out: the timestamp did not move forward (a repeat or a reordered input). */
  droppedOrder: number;
}

export class RedEncoder {
  readonly stats: RedEncoderStats = { packets: 0, withRedundancy: 0, droppedOffset: 0, droppedLength: 0, droppedMtu: 0, droppedOrder: 0 };
  private readonly pt: number;
  private readonly out: Uint8Array;
  // the previous primary stays where the last call wrote it, in `out`: moved, never copied out
  private prevOffset = 0;
  private prevLen = 0;
  private prevTs = 0;
  private havePrev = false;

  constructor(options: RedEncoderOptions) {
    const max = options.maxPayloadBytes ?? RED_DEFAULTS.maxPayloadBytes;
    if (!Number.isInteger(options.payloadType) || options.payloadType < 0 || options.payloadType > 127) throw new AudioFormatError('AUDIO_BAD_OPTION', `payload type ${options.payloadType}`);
    if (!Number.isInteger(max) || max < 2 || max > 65535) throw new AudioFormatError('AUDIO_BAD_OPTION', `maxPayloadBytes ${max} outside 2..65535`);
    this.pt = options.payloadType;
    this.out = new Uint8Array(max);
  }

  /**
   * The RED payload for `payload` at `timestamp`: a view into the encoder's buffer, valid until
   * the next call. Throws AUDIO_BUFFER_TOO_SMALL when even the primary alone exceeds maxPayloadBytes.
   */
  encode(payload: Uint8Array, timestamp: number): Uint8Array {
    const stats = this.stats;
    const out = this.out;
    const n = payload.length;
    if (PRIMARY_HEADER + n > out.length) throw new AudioPayloadError('AUDIO_BUFFER_TOO_SMALL', `a ${n}-byte primary does not fit ${out.length} bytes`);
    stats.packets++;
    let o: number;
    if (this.havePrev && this.redundancyFits(n, timestamp)) {
      const offset = tsDistance(this.prevTs, timestamp);
      const len = this.prevLen;
      // first the block into place (it may overlap the headers' bytes), then the headers
      out.copyWithin(REDUNDANT_HEADER + PRIMARY_HEADER, this.prevOffset, this.prevOffset + len);
      out[0] = 0x80 | this.pt;
      out[1] = (offset >> 6) & 0xff;
      out[2] = ((offset & 0x3f) << 2) | (len >> 8);
      out[3] = len & 0xff;
      out[4] = this.pt;
      o = REDUNDANT_HEADER + PRIMARY_HEADER + len;
      stats.withRedundancy++;
    } else {
      out[0] = this.pt;
      o = PRIMARY_HEADER;
    }
    out.set(payload, o);
    this.havePrev = true;
    this.prevOffset = o;
    this.prevLen = n;
    this.prevTs = timestamp;
    return out.subarray(0, o + n);
  }

  /** Forget the previous packet (new stream, long pause). */
  reset(): void {
    this.havePrev = false;
  }

  private redundancyFits(n: number, timestamp: number): boolean {
    const stats = this.stats;
    const offset = tsDistance(this.prevTs, timestamp);
    if (offset <= 0) stats.droppedOrder++;
    else if (offset > RED_MAX_TIMESTAMP_OFFSET) stats.droppedOffset++;
    else if (this.prevLen > RED_MAX_BLOCK_LENGTH) stats.droppedLength++;
    else if (REDUNDANT_HEADER + PRIMARY_HEADER + this.prevLen + n > this.out.length) stats.droppedMtu++;
    else return true;
    return false;
  }
}

export interface RedBlock {
  payloadType: number;
  /** Ticks before the RTP timestamp; 0 for the primary. */
  timestampOffset: number;
  /** View into the parsed payload. */
  data: Uint8Array;
}

function truncated(message: string): AudioPayloadError {
  return new AudioPayloadError('AUDIO_RED_TRUNCATED', message);
}

/** The blocks of a RED payload, oldest first, the primary last. Throws AUDIO_RED_TRUNCATED. */
export function parseRed(payload: Uint8Array): RedBlock[] {
  const n = payload.length;
  const headers: { payloadType: number; timestampOffset: number; length: number }[] = [];
  let o = 0;
  for (;;) {
    if (o >= n) throw truncated('block headers run past the end');
    const b = payload[o];
    if ((b & 0x80) === 0) {
      headers.push({ payloadType: b & 0x7f, timestampOffset: 0, length: -1 });
      o++;
      break;
    }
    if (o + REDUNDANT_HEADER > n) throw truncated('a redundant block header runs past the end');
    headers.push({
      payloadType: b & 0x7f,
      timestampOffset: (payload[o + 1] << 6) | (payload[o + 2] >> 2),
      length: ((payload[o + 2] & 3) << 8) | payload[o + 3],
    });
    o += REDUNDANT_HEADER;
  }
  const blocks: RedBlock[] = [];
  for (const h of headers) {
    const end = h.length < 0 ? n : o + h.length;
    if (end > n) throw truncated(`a ${h.length}-byte block runs past the end`);
    blocks.push({ payloadType: h.payloadType, timestampOffset: h.timestampOffset, data: payload.subarray(o, end) });
    o = end;
  }
  return blocks;
}

/** Bytes serializeRed writes for `blocks`. */
export function redSize(blocks: readonly RedBlock[]): number {
  let size = 0;
  for (const b of blocks) size += b.data.length;
  return size + PRIMARY_HEADER + (blocks.length - 1) * REDUNDANT_HEADER;
}

/** Writes `blocks` (oldest first, primary last) as one RED payload, into `out` when given. */
export function serializeRed(blocks: readonly RedBlock[], out?: Uint8Array): Uint8Array {
  if (blocks.length === 0) throw new AudioFormatError('AUDIO_BAD_OPTION', 'RED needs a primary block');
  const size = redSize(blocks);
  const buf = out ?? new Uint8Array(size);
  if (buf.length < size) throw new AudioPayloadError('AUDIO_BUFFER_TOO_SMALL', `need ${size} bytes, buffer has ${buf.length}`);
  let o = 0;
  const last = blocks.length - 1;
  for (let i = 0; i < last; i++) {
    const b = blocks[i];
    if (b.timestampOffset < 0 || b.timestampOffset > RED_MAX_TIMESTAMP_OFFSET || b.data.length > RED_MAX_BLOCK_LENGTH) {
      throw new AudioFormatError('AUDIO_BAD_OPTION', `block offset ${b.timestampOffset} or length ${b.data.length} does not fit its field`);
    }
    buf[o] = 0x80 | (b.payloadType & 0x7f);
    buf[o + 1] = (b.timestampOffset >> 6) & 0xff;
    buf[o + 2] = ((b.timestampOffset & 0x3f) << 2) | (b.data.length >> 8);
    buf[o + 3] = b.data.length & 0xff;
    o += REDUNDANT_HEADER;
  }
  buf[o++] = blocks[last].payloadType & 0x7f;
  for (const b of blocks) {
    buf.set(b.data, o);
    o += b.data.length;
  }
  return buf.length === size ? buf : buf.subarray(0, size);
}
