/**
 * Minimal pcap writer for the H.264 wire checks: LINKTYPE_RAW (101), one IPv4 + UDP header
 * around each payload, 127.0.0.1 -> 127.0.0.1. Checksums are left 0 (tshark does not verify).
 */
export function pcapOfUdp(payloads: readonly Uint8Array[], srcPort: number, dstPort: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(101, 20);
  const parts: Buffer[] = [header];
  payloads.forEach((p, i) => {
    const total = 20 + 8 + p.length;
    const rec = Buffer.alloc(16 + 28);
    rec.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), 0);
    rec.writeUInt32LE((i % 1000) * 1000, 4);
    rec.writeUInt32LE(total, 8);
    rec.writeUInt32LE(total, 12);
    const ip = 16;
    rec[ip] = 0x45;
    rec.writeUInt16BE(total, ip + 2);
    rec[ip + 8] = 64;
    rec[ip + 9] = 17;
    rec.writeUInt32BE(0x7f000001, ip + 12);
    rec.writeUInt32BE(0x7f000001, ip + 16);
    const udp = ip + 20;
    rec.writeUInt16BE(srcPort, udp);
    rec.writeUInt16BE(dstPort, udp + 2);
    rec.writeUInt16BE(8 + p.length, udp + 4);
    parts.push(rec, Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  });
  return Buffer.concat(parts);
}
