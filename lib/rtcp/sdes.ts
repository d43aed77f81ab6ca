/**
 * Source description (RFC 3550 6.5). Item values stay bytes (views into the input) so a
 * relayed SDES loses nothing, whatever its encoding; `sdesText`/`sdesItem` convert.
 */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { PT_SDES, RTCP_HEADER_SIZE, checkCount, checkPacketSize, writeHeader } from './header.js';

export const SDES_CNAME = 1;
export const SDES_NAME = 2;
export const SDES_EMAIL = 3;
export const SDES_PHONE = 4;
export const SDES_LOC = 5;
export const SDES_TOOL = 6;
export const SDES_NOTE = 7;
export const SDES_PRIV = 8;

export interface SdesItem {
  /** 1-255: CNAME=1, NAME, EMAIL, PHONE, LOC, TOOL, NOTE, PRIV=8; others kept as they come. */
  type: number;
  /** Up to 255 bytes, normally UTF-8 text. */
  value: Uint8Array;
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

export interface RtcpSourceDescription {
  type: 'sdes';
  chunks: SdesChunk[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function sdesItem(type: number, text: string): SdesItem {
  return { type, value: utf8.encode(text) };
}

export function sdesText(item: SdesItem): string {
  return utf8Decoder.decode(item.value);
}

/** The CNAME of the chunk for `ssrc` (or of the first chunk), if any. */
export function sdesCname(p: RtcpSourceDescription, ssrc?: number): string | undefined {
  for (const c of p.chunks) {
    if (ssrc !== undefined && c.ssrc !== ssrc) continue;
    for (const it of c.items) if (it.type === SDES_CNAME) return sdesText(it);
  }
  return undefined;
}

/**
 * Tolerance: a chunk whose items run exactly to the end of the packet without the null
 * terminator is accepted (Hanwha QNV-8080R does this; gortsplib accepts it too). Bytes
 * after the last counted chunk are ignored. An item or chunk running past the end throws.
 */
export function parseSdes(buf: Uint8Array, start: number, end: number, count: number): RtcpSourceDescription {
  const chunks: SdesChunk[] = new Array(count);
  let o = start;
  for (let c = 0; c < count; c++) {
    if (o + 4 > end) throw new RtcpParseError('RTCP_BAD_SDES', `SDES chunk ${c + 1} of ${count} runs past the end`);
    const ssrc = readU32(buf, o);
    o += 4;
    const items: SdesItem[] = [];
    while (o < end) {
      const type = buf[o];
      if (type === 0) {
        // null item ends the chunk; the chunk is then padded to a word boundary
        o = Math.min(end, start + ((o + 1 - start + 3) & ~3));
        break;
      }
      if (o + 2 > end) throw new RtcpParseError('RTCP_BAD_SDES', 'SDES item header runs past the end');
      const len = buf[o + 1];
      if (o + 2 + len > end) throw new RtcpParseError('RTCP_BAD_SDES', `SDES item of ${len} bytes runs past the end`);
      items.push({ type, value: buf.subarray(o + 2, o + 2 + len) });
      o += 2 + len;
    }
    chunks[c] = { ssrc, items };
  }
  return { type: 'sdes', chunks };
}

function chunkSize(c: SdesChunk): number {
  let n = 4;
  for (const it of c.items) {
    if (it.type < 1 || it.type > 255 || !Number.isInteger(it.type)) throw new RtcpSerializeError('RTCP_BAD_FIELD', `SDES item type ${it.type} is not 1-255`);
    if (it.value.length > 255) throw new RtcpSerializeError('RTCP_BAD_FIELD', `SDES item of ${it.value.length} bytes; at most 255 fit`);
    n += 2 + it.value.length;
  }
  return (n + 1 + 3) & ~3; // null item, then pad to a word
}

export function sdesSize(p: RtcpSourceDescription): number {
  checkCount(p.chunks.length, 'SDES chunks');
  let n = RTCP_HEADER_SIZE;
  for (const c of p.chunks) n += chunkSize(c);
  return checkPacketSize(n, 'SDES');
}

export function writeSdes(p: RtcpSourceDescription, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, p.chunks.length, PT_SDES, size);
  let i = o + RTCP_HEADER_SIZE;
  for (const c of p.chunks) {
    const chunkStart = i;
    writeU32(buf, i, c.ssrc);
    i += 4;
    for (const it of c.items) {
      buf[i] = it.type;
      buf[i + 1] = it.value.length;
      buf.set(it.value, i + 2);
      i += 2 + it.value.length;
    }
    const chunkEnd = chunkStart + ((i + 1 - chunkStart + 3) & ~3);
    buf.fill(0, i, chunkEnd);
    i = chunkEnd;
  }
  return o + size;
}
