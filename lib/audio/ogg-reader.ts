/**
 * Incremental Ogg page reader (RFC 3533) for the transcoder's encoder output: bytes arrive in
 * pipe-sized chunks, packets leave as views into one fixed buffer. It reads a trusted local
 * encoder, so it does not check page CRCs; it still never reads past what it was given, and it
 * resynchronises on the next capture pattern after garbage instead of failing.
 */

/** The largest page RFC 3533 allows: 27-byte header, 255 lacing values of 255 bytes. */
export const OGG_MAX_PAGE_BYTES = 27 + 255 + 255 * 255;
const HEADER_BYTES = 27;
const CONTINUED = 0x01;

export interface OggReaderOptions {
  /** A packet continued over pages beyond this is dropped (counted). Opus packets are under 8 KiB. */
  maxPacketBytes?: number;
}

export const OGG_READER_DEFAULTS: Readonly<Required<OggReaderOptions>> = Object.freeze({ maxPacketBytes: 65_536 });

export interface OggReaderStats {
  pages: number;
  packets: number;
  /** Bytes skipped looking for a capture pattern. */
  resyncBytes: number;
  /** Packets continued over pages that were dropped: too large (counted once more when their tail
   *  comes), or whose first part never came. */
  packetsDropped: number;
}

/** `packet` is valid only until the callback returns. */
export type OggPacketSink = (packet: Uint8Array) => void;

export class OggReader {
  readonly stats: OggReaderStats = { pages: 0, packets: 0, resyncBytes: 0, packetsDropped: 0 };
  private readonly buf = new Uint8Array(2 * OGG_MAX_PAGE_BYTES);
  private start = 0;
  private end = 0;
  private readonly partial: Uint8Array;
  private partialLength = -1;
  private readonly maxPacket: number;

  constructor(private readonly onPacket: OggPacketSink, options: OggReaderOptions = {}) {
    this.maxPacket = options.maxPacketBytes ?? OGG_READER_DEFAULTS.maxPacketBytes;
    this.partial = new Uint8Array(this.maxPacket);
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      }
      const n = Math.min(chunk.length - at, this.buf.length - this.end);
      this.buf.set(chunk.subarray(at, at + n), this.end);
      this.end += n;
      at += n;
      this.readPages();
    }
  }

  /** Forgets a half-read page and packet (a new encoder process starts a new stream). */
  reset(): void {
    this.start = this.end = 0;
    this.partialLength = -1;
  }

  private readPages(): void {
    const b = this.buf;
    while (this.end - this.start >= HEADER_BYTES) {
      const p = this.start;
      if (b[p] !== 0x4f || b[p + 1] !== 0x67 || b[p + 2] !== 0x67 || b[p + 3] !== 0x53 || b[p + 4] !== 0) {
        this.start++;
        this.stats.resyncBytes++;
        continue;
      }
      const segments = b[p + 26];
      if (this.end - p < HEADER_BYTES + segments) return;
      let body = 0;
      for (let i = 0; i < segments; i++) body += b[p + HEADER_BYTES + i];
      const size = HEADER_BYTES + segments + body;
      if (this.end - p < size) return;
      this.stats.pages++;
      this.readPackets(p, segments, (b[p + 5] & CONTINUED) !== 0);
      this.start = p + size;
    }
  }

  private readPackets(page: number, segments: number, continued: boolean): void {
    const b = this.buf;
    let data = page + HEADER_BYTES + segments;
    if (!continued && this.partialLength >= 0) this.dropPartial();
    let first = continued;
    let from = data;
    for (let i = 0; i < segments; i++) {
      const lace = b[page + HEADER_BYTES + i];
      data += lace;
      if (lace === 255) continue;
      this.finishPacket(from, data, first);
      first = false;
      from = data;
    }
    // a last lacing value of 255: the last packet goes on in the next page
    if (segments > 0 && b[page + HEADER_BYTES + segments - 1] === 255) this.keepPartial(from, data, first);
  }

  private finishPacket(from: number, to: number, continuesPartial: boolean): void {
    if (!continuesPartial) {
      this.emit(this.buf.subarray(from, to));
      return;
    }
    if (this.partialLength < 0) {
      this.stats.packetsDropped++;
      return;
    }
    if (!this.appendPartial(from, to)) return;
    const length = this.partialLength;
    this.partialLength = -1;
    this.emit(this.partial.subarray(0, length));
  }

  private keepPartial(from: number, to: number, continuesPartial: boolean): void {
    if (continuesPartial) {
      if (this.partialLength >= 0) this.appendPartial(from, to);
      return;
    }
    this.partialLength = 0;
    this.appendPartial(from, to);
  }

  private appendPartial(from: number, to: number): boolean {
    if (this.partialLength + (to - from) > this.maxPacket) {
      this.dropPartial();
      return false;
    }
    this.partial.set(this.buf.subarray(from, to), this.partialLength);
    this.partialLength += to - from;
    return true;
  }

  private dropPartial(): void {
    this.partialLength = -1;
    this.stats.packetsDropped++;
  }

  private emit(packet: Uint8Array): void {
    this.stats.packets++;
    this.onPacket(packet);
  }
}
