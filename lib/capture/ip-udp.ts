/**
 * Synthetic IPv4 / IPv6 + UDP headers around a captured RTP or RTCP datagram, pure, so a
 * capture made inside camwire (plaintext, before SRTP) reads in Wireshark like one taken on
 * the wire between the same hosts and ports. IPv4 carries a header checksum and no UDP
 * checksum (0 is allowed); IPv6 requires the UDP checksum, so it is computed.
 */

export interface UdpFlow {
  /** 4 bytes (IPv4) or 16 (IPv6); both ends of one flow are the same family. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
}

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;
const PROTO_UDP = 17;
/** Largest UDP payload one synthetic datagram carries (IPv4 total length is 16 bits). */
export const MAX_UDP_PAYLOAD = 0xffff - IPV4_HEADER - UDP_HEADER;

export function ipUdpSize(flow: UdpFlow, payloadLen: number): number {
  return (flow.src.length === 16 ? IPV6_HEADER : IPV4_HEADER) + UDP_HEADER + payloadLen;
}

/** Writes the IP and UDP headers and `payload` at `off`; returns the offset after them. */
export function writeIpUdp(out: Uint8Array, off: number, flow: UdpFlow, payload: Uint8Array): number {
  const udpLen = UDP_HEADER + payload.length;
  let udp: number;
  if (flow.src.length === 16) {
    out[off] = 0x60;
    out[off + 1] = 0;
    out[off + 2] = 0;
    out[off + 3] = 0;
    put16(out, off + 4, udpLen);
    out[off + 6] = PROTO_UDP;
    out[off + 7] = 64;
    copyAddress(out, off + 8, flow.src);
    copyAddress(out, off + 24, flow.dst);
    udp = off + IPV6_HEADER;
  } else {
    out[off] = 0x45;
    out[off + 1] = 0;
    put16(out, off + 2, IPV4_HEADER + udpLen);
    put16(out, off + 4, 0);
    put16(out, off + 6, 0x4000); // don't fragment
    out[off + 8] = 64;
    out[off + 9] = PROTO_UDP;
    put16(out, off + 10, 0);
    copyAddress(out, off + 12, flow.src);
    copyAddress(out, off + 16, flow.dst);
    put16(out, off + 10, ~sum16(out, off, IPV4_HEADER, 0) & 0xffff);
    udp = off + IPV4_HEADER;
  }
  put16(out, udp, flow.srcPort);
  put16(out, udp + 2, flow.dstPort);
  put16(out, udp + 4, udpLen);
  put16(out, udp + 6, 0);
  out.set(payload, udp + UDP_HEADER);
  if (flow.src.length === 16) {
    // RFC 8200 8.1 pseudo-header: addresses, upper-layer length, next header.
    let s = sum16(flow.src, 0, 16, 0);
    s = sum16(flow.dst, 0, 16, s);
    s += udpLen + PROTO_UDP;
    const c = ~sum16(out, udp, udpLen, s) & 0xffff;
    put16(out, udp + 6, c === 0 ? 0xffff : c);
  }
  return udp + udpLen;
}

/** A byte loop: for 4 or 16 bytes it is several times cheaper than TypedArray#set. */
function copyAddress(out: Uint8Array, off: number, a: Uint8Array): void {
  for (let i = 0; i < a.length; i++) out[off + i] = a[i];
}

function put16(out: Uint8Array, off: number, v: number): void {
  out[off] = (v >>> 8) & 0xff;
  out[off + 1] = v & 0xff;
}

/** One's-complement sum of `len` bytes from `off` (odd tail padded with zero), folded to 16 bits. */
export function sum16(b: Uint8Array, off: number, len: number, initial: number): number {
  let s = initial;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < end) s += b[i] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}
