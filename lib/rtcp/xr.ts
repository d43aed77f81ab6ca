/**
 * Extended Reports (RFC 3611, PT 207). camwire reads the Receiver Reference Time block
 * (RRTR, BT 4) and answers it with a DLRR block (BT 5): that is how a receive-only peer such
 * as a viewing browser learns its round-trip time, which it needs to time NACK retries.
 * Other blocks, and RRTR/DLRR blocks whose size or reserved byte is off, are kept as raw
 * `other` blocks so whatever parses serializes to the same bytes.
 */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { PT_XR, RTCP_HEADER_SIZE, checkAligned, checkPacketSize, writeHeader } from './header.js';

export const XR_BT_RRTR = 4;
export const XR_BT_DLRR = 5;

export interface XrDlrrItem {
  /** The receiver whose RRTR this answers. */
  ssrc: number;
  /** Middle 32 bits of that RRTR's NTP timestamp. */
  lastRr: number;
  /** Delay from receiving that RRTR to sending this block, in 1/65536 s. */
  delaySinceLastRr: number;
}

export type XrBlock =
  | { type: 'rrtr'; ntpSeconds: number; ntpFraction: number }
  | { type: 'dlrr'; items: XrDlrrItem[] }
  /** Any other block: `data` is its body after the 4-byte block header (whole words). */
  | { type: 'other'; blockType: number; typeSpecific: number; data: Uint8Array };

export interface RtcpExtendedReport {
  type: 'xr';
  ssrc: number;
  blocks: XrBlock[];
}

const BLOCK_HEADER_SIZE = 4;
const RRTR_SIZE = 12;
const DLRR_ITEM_SIZE = 12;

export function parseXr(buf: Uint8Array, start: number, end: number): RtcpExtendedReport {
  if (end - start < 4) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `XR body of ${end - start} bytes has no SSRC`);
  const blocks: XrBlock[] = [];
  let b = start + 4;
  while (b < end) {
    if (b + BLOCK_HEADER_SIZE > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `XR block header at offset ${b} runs past the packet`);
    const size = (((buf[b + 2] << 8) | buf[b + 3]) + 1) * 4;
    if (b + size > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `XR block of ${size} bytes at offset ${b} runs past the packet`);
    blocks.push(parseBlock(buf, b, size));
    b += size;
  }
  return { type: 'xr', ssrc: readU32(buf, start), blocks };
}

function parseBlock(buf: Uint8Array, b: number, size: number): XrBlock {
  const bt = buf[b];
  const typeSpecific = buf[b + 1];
  if (typeSpecific === 0 && bt === XR_BT_RRTR && size === RRTR_SIZE) {
    return { type: 'rrtr', ntpSeconds: readU32(buf, b + 4), ntpFraction: readU32(buf, b + 8) };
  }
  if (typeSpecific === 0 && bt === XR_BT_DLRR && (size - BLOCK_HEADER_SIZE) % DLRR_ITEM_SIZE === 0) {
    const n = (size - BLOCK_HEADER_SIZE) / DLRR_ITEM_SIZE;
    const items: XrDlrrItem[] = new Array(n);
    for (let k = 0, o = b + BLOCK_HEADER_SIZE; k < n; k++, o += DLRR_ITEM_SIZE) {
      items[k] = { ssrc: readU32(buf, o), lastRr: readU32(buf, o + 4), delaySinceLastRr: readU32(buf, o + 8) };
    }
    return { type: 'dlrr', items };
  }
  return { type: 'other', blockType: bt, typeSpecific, data: buf.subarray(b + BLOCK_HEADER_SIZE, b + size) };
}

function blockSize(x: XrBlock): number {
  switch (x.type) {
    case 'rrtr': return RRTR_SIZE;
    case 'dlrr': return BLOCK_HEADER_SIZE + x.items.length * DLRR_ITEM_SIZE;
    case 'other':
      checkAligned(x.data, 'XR block data');
      if (x.blockType >>> 8 !== 0 || x.typeSpecific >>> 8 !== 0) throw new RtcpSerializeError('RTCP_BAD_FIELD', 'XR block type and type-specific byte are 8-bit');
      return BLOCK_HEADER_SIZE + x.data.length;
  }
}

export function xrSize(p: RtcpExtendedReport): number {
  let size = RTCP_HEADER_SIZE + 4;
  for (const x of p.blocks) {
    const s = blockSize(x);
    if (s > 65536 * 4) throw new RtcpSerializeError('RTCP_BAD_FIELD', `XR block of ${s} bytes exceeds its length field`);
    size += s;
  }
  return checkPacketSize(size, 'XR');
}

export function writeXr(p: RtcpExtendedReport, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, 0, PT_XR, size);
  writeU32(buf, o + 4, p.ssrc);
  let b = o + 8;
  for (const x of p.blocks) {
    const s = blockSize(x);
    buf[b + 1] = 0;
    buf[b + 2] = ((s / 4 - 1) >> 8) & 0xff;
    buf[b + 3] = (s / 4 - 1) & 0xff;
    switch (x.type) {
      case 'rrtr':
        buf[b] = XR_BT_RRTR;
        writeU32(buf, b + 4, x.ntpSeconds);
        writeU32(buf, b + 8, x.ntpFraction);
        break;
      case 'dlrr':
        buf[b] = XR_BT_DLRR;
        for (let k = 0, i = b + BLOCK_HEADER_SIZE; k < x.items.length; k++, i += DLRR_ITEM_SIZE) {
          writeU32(buf, i, x.items[k].ssrc);
          writeU32(buf, i + 4, x.items[k].lastRr);
          writeU32(buf, i + 8, x.items[k].delaySinceLastRr);
        }
        break;
      case 'other':
        buf[b] = x.blockType;
        buf[b + 1] = x.typeSpecific;
        buf.set(x.data, b + BLOCK_HEADER_SIZE);
        break;
    }
    b += s;
  }
  return o + size;
}
