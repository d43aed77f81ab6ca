/**
 * RFC 3640 3.2.1: the AU-header layout an SDP announces (sizeLength, indexLength, ...) and
 * the reader of one AU-header. Fields the depacketizer does not use (DTS-delta, RAP-flag,
 * stream state) are read past so that the next header starts where it should.
 */
import type { BitReader } from './bits.js';
import { AudioFormatError } from './errors.js';

export interface AuHeaderLayout {
  /** Bits of AU-size; 0: one AU per packet, its size the data section's. */
  sizeLength: number;
  /** Bits of AU-index (first header). */
  indexLength: number;
  /** Bits of AU-index-delta (later headers). */
  indexDeltaLength: number;
  /** Bits of CTS-delta; > 0 adds a CTS-flag to every header. */
  ctsDeltaLength: number;
  /** Bits of DTS-delta; > 0 adds a DTS-flag to every header. */
  dtsDeltaLength: number;
  /** A RAP-flag bit in every header. */
  randomAccessIndication: boolean;
  /** Bits of stream-state. */
  streamStateIndication: number;
  /** Bits of auxiliary-data-size; > 0 puts an auxiliary section after the headers. */
  auxiliaryDataSizeLength: number;
}

const NONE: AuHeaderLayout = {
  sizeLength: 0, indexLength: 0, indexDeltaLength: 0, ctsDeltaLength: 0, dtsDeltaLength: 0,
  randomAccessIndication: false, streamStateIndication: 0, auxiliaryDataSizeLength: 0,
};

/** RFC 3640 3.3.6: what mode=AAC-hbr fixes (13-bit sizes, 3-bit indexes). */
export const AAC_HBR_LAYOUT: Readonly<AuHeaderLayout> = Object.freeze({ ...NONE, sizeLength: 13, indexLength: 3, indexDeltaLength: 3 });
/** RFC 3640 3.3.5: mode=AAC-lbr (6-bit sizes, 2-bit indexes). */
export const AAC_LBR_LAYOUT: Readonly<AuHeaderLayout> = Object.freeze({ ...NONE, sizeLength: 6, indexLength: 2, indexDeltaLength: 2 });
/** No AU-header section at all (RFC 3640 3.2.1: every length zero). */
export const EMPTY_LAYOUT: Readonly<AuHeaderLayout> = Object.freeze({ ...NONE });

/** Longest field accepted: the reader handles 32 bits, and no real layout comes near. */
export const MAX_AU_HEADER_FIELD_BITS = 32;

export function checkAuHeaderLayout(l: AuHeaderLayout): void {
  for (const [name, bits] of [['sizeLength', l.sizeLength], ['indexLength', l.indexLength], ['indexDeltaLength', l.indexDeltaLength],
    ['ctsDeltaLength', l.ctsDeltaLength], ['dtsDeltaLength', l.dtsDeltaLength], ['streamStateIndication', l.streamStateIndication],
    ['auxiliaryDataSizeLength', l.auxiliaryDataSizeLength]] as const) {
    if (!Number.isInteger(bits) || bits < 0 || bits > MAX_AU_HEADER_FIELD_BITS) {
      throw new AudioFormatError('AUDIO_BAD_OPTION', `${name} ${bits} outside 0..${MAX_AU_HEADER_FIELD_BITS}`);
    }
  }
}

/** True when the layout makes every AU-header empty, so packets carry no AU-header section. */
export function isEmptyLayout(l: AuHeaderLayout): boolean {
  return l.sizeLength + l.indexLength + l.indexDeltaLength + l.ctsDeltaLength + l.dtsDeltaLength + l.streamStateIndication === 0
    && !l.randomAccessIndication;
}

/** One AU-header; a depacketizer reuses a single instance. */
export interface AuHeader {
  size: number;
  /** AU-index in the first header, AU-index-delta in the others. */
  index: number;
  hasCts: boolean;
  /** Signed offset of the AU's composition time from the RTP timestamp, when hasCts. */
  ctsDelta: number;
}

export function emptyAuHeader(): AuHeader {
  return { size: 0, index: 0, hasCts: false, ctsDelta: 0 };
}

/** Reads one AU-header at the reader's position; the reader throws when the section ends early. */
export function readAuHeader(r: BitReader, first: boolean, l: AuHeaderLayout, out: AuHeader): void {
  out.size = r.readBits(l.sizeLength);
  out.index = r.readBits(first ? l.indexLength : l.indexDeltaLength);
  out.hasCts = false;
  out.ctsDelta = 0;
  if (l.ctsDeltaLength > 0 && r.readBit()) {
    const v = r.readBits(l.ctsDeltaLength);
    const half = 2 ** (l.ctsDeltaLength - 1);
    out.hasCts = true;
    out.ctsDelta = v >= half ? v - 2 * half : v;
  }
  if (l.dtsDeltaLength > 0 && r.readBit()) r.skip(l.dtsDeltaLength);
  if (l.randomAccessIndication) r.skip(1);
  if (l.streamStateIndication > 0) r.skip(l.streamStateIndication);
}
