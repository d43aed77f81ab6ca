/**
 * Minimal pcap writer for wire checks: each payload wrapped in IPv4 + UDP headers built
 * here, LINKTYPE_RAW (101) so no link layer is needed. Loopback addresses by default.
 */

export const LINKTYPE_RAW = 101;

export interface UdpRecord {
  payload: Uint8Array;
  srcPort: number;
  dstPort: number;
  /** IPv4 as four numbers; default 127.0.0.1. */
  src?: readonly number[];
  dst?: readonly number[];
  /** Capture time in ms since the Unix epoch; default 1 ms after the previous record. */
  timeMs?: number;
}

const LOOPBACK = [127, 0, 0, 1];

/** IPv4 (no options, header checksum filled in) + UDP (checksum 0: none, allowed over IPv4). */
export function ipv4UdpDatagram(r: UdpRecord, id = 0): Uint8Array {
  const udpLen = 8 + r.payload.length;
  const total = 20 + udpLen;
  if (total > 0xffff) throw new RangeError(`datagram of ${total} bytes does not fit IPv4`);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, total);
  v.setUint16(4, id & 0xffff);
  b[8] = 64; // TTL
  b[9] = 17; // UDP
  b.set(r.src ?? LOOPBACK, 12);
  b.set(r.dst ?? LOOPBACK, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  v.setUint16(20, r.srcPort);
  v.setUint16(22, r.dstPort);
  v.setUint16(24, udpLen);
  b.set(r.payload, 28);
  return b;
}

/** A whole pcap file (little-endian, microsecond timestamps) holding the records in order. */
export function buildPcap(records: readonly UdpRecord[]): Uint8Array {
  const frames = records.map((r, i) => ipv4UdpDatagram(r, i + 1));
  const size = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 0xffff, true); // snaplen
  v.setUint32(20, LINKTYPE_RAW, true);
  let o = 24;
  let lastMs = 1_700_000_000_000;
  frames.forEach((f, i) => {
    const ms = records[i].timeMs ?? lastMs + 1;
    lastMs = ms;
    v.setUint32(o, Math.floor(ms / 1000), true);
    v.setUint32(o + 4, Math.round((ms % 1000) * 1000), true);
    v.setUint32(o + 8, f.length, true);
    v.setUint32(o + 12, f.length, true);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}
