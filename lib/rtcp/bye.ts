/** Goodbye (RFC 3550 6.6): the SSRCs leaving and an optional reason (bytes, normally UTF-8). */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { PT_BYE, RTCP_HEADER_SIZE, checkCount, checkPacketSize, writeHeader } from './header.js';

export interface RtcpGoodbye {
  type: 'bye';
  ssrcs: number[];
  /** Reason for leaving, up to 255 bytes; undefined when absent. A view into the input. */
  reason: Uint8Array | undefined;
}

export function parseBye(buf: Uint8Array, start: number, end: number, count: number): RtcpGoodbye {
  const listEnd = start + count * 4;
  if (listEnd > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `BYE with ${count} SSRCs needs ${count * 4} bytes, has ${end - start}`);
  const ssrcs: number[] = new Array(count);
  for (let i = 0; i < count; i++) ssrcs[i] = readU32(buf, start + i * 4);
  let reason: Uint8Array | undefined;
  if (listEnd < end) {
    const len = buf[listEnd];
    if (listEnd + 1 + len > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `BYE reason of ${len} bytes runs past the end`);
    reason = buf.subarray(listEnd + 1, listEnd + 1 + len);
  }
  return { type: 'bye', ssrcs, reason };
}

export function byeSize(p: RtcpGoodbye): number {
  checkCount(p.ssrcs.length, 'BYE SSRCs');
  let n = RTCP_HEADER_SIZE + p.ssrcs.length * 4;
  if (p.reason) {
    if (p.reason.length > 255) throw new RtcpSerializeError('RTCP_BAD_FIELD', `BYE reason of ${p.reason.length} bytes; at most 255 fit`);
    n += (1 + p.reason.length + 3) & ~3;
  }
  return checkPacketSize(n, 'BYE');
}

export function writeBye(p: RtcpGoodbye, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, p.ssrcs.length, PT_BYE, size);
  let i = o + RTCP_HEADER_SIZE;
  for (const s of p.ssrcs) { writeU32(buf, i, s); i += 4; }
  if (p.reason) {
    buf[i] = p.reason.length;
    buf.set(p.reason, i + 1);
    buf.fill(0, i + 1 + p.reason.length, o + size);
  }
  return o + size;
}
