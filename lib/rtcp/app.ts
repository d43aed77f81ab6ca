/** Application-defined packet (RFC 3550 6.7). */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { PT_APP, RTCP_HEADER_SIZE, checkAligned, checkPacketSize, writeHeader } from './header.js';

export interface RtcpApp {
  type: 'app';
  /** 5-bit subtype carried in the count field. */
  subtype: number;
  ssrc: number;
  /** Four bytes, one character each (byte values 0-255 kept exactly). */
  name: string;
  /** Application data, whole words; a view into the input. */
  data: Uint8Array;
}

export function parseApp(buf: Uint8Array, start: number, end: number, count: number): RtcpApp {
  if (start + 8 > end) throw new RtcpParseError('RTCP_BODY_TOO_SHORT', `APP needs SSRC and name (8 bytes), has ${end - start}`);
  const name = String.fromCharCode(buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7]);
  return { type: 'app', subtype: count, ssrc: readU32(buf, start), name, data: buf.subarray(start + 8, end) };
}

/** Every character fits one byte (the name is four octets on the wire). */
function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

export function appSize(p: RtcpApp): number {
  if (p.subtype < 0 || p.subtype > 31 || !Number.isInteger(p.subtype)) throw new RtcpSerializeError('RTCP_BAD_FIELD', `APP subtype ${p.subtype} is not 0-31`);
  if (p.name.length !== 4 || !isLatin1(p.name)) throw new RtcpSerializeError('RTCP_BAD_FIELD', `APP name ${JSON.stringify(p.name)} is not 4 one-byte characters`);
  checkAligned(p.data, 'APP data');
  return checkPacketSize(RTCP_HEADER_SIZE + 8 + p.data.length, 'APP');
}

export function writeApp(p: RtcpApp, buf: Uint8Array, o: number, size: number): number {
  writeHeader(buf, o, p.subtype, PT_APP, size);
  writeU32(buf, o + 4, p.ssrc);
  for (let k = 0; k < 4; k++) buf[o + 8 + k] = p.name.charCodeAt(k);
  buf.set(p.data, o + 12);
  return o + size;
}
