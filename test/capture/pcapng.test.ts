import t from 'tap';
import fc from 'fast-check';
import {
  addEpbComment, epbSize, interfaceDescriptionBlock, interfaceStatisticsBlock, sectionHeaderBlock, writeEnhancedPacket,
} from '../../lib/capture/pcapng.js';
import { ipUdpSize, sum16, writeIpUdp, type UdpFlow } from '../../lib/capture/ip-udp.js';
import { parseIpAddress } from '../../lib/capture/address.js';
import { readBlocks } from './blocks.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const v4 = (a: string, b: string, sp: number, dp: number): UdpFlow => ({ src: parseIpAddress(a)!, dst: parseIpAddress(b)!, srcPort: sp, dstPort: dp });

t.test('Section Header Block, byte for byte (pcapng 4.1)', async (t) => {
  const b = sectionHeaderBlock('cw');
  t.equal(toHex(b), toHex(hex(
    '0a0d0d0a 28000000' + // type, total length 40
    '4d3c2b1a 0100 0000' + // byte-order magic, version 1.0
    'ffffffffffffffff' + // section length: unknown
    '0400 0200 63770000' + // shb_userappl "cw" padded
    '00000000' + // opt_endofopt
    '28000000',
  )));
});

t.test('Interface Description Block with if_name and if_description (4.2)', async (t) => {
  const b = interfaceDescriptionBlock({ name: 'camera', description: 'abcde' });
  t.equal(toHex(b), toHex(hex(
    '01000000 30000000' + // type 1, length 48
    '6500 0000 00000000' + // LINKTYPE_RAW (101), reserved, snaplen 0
    '0200 0600 63616d657261 0000' + // if_name "camera"
    '0300 0500 6162636465 000000' + // if_description "abcde"
    '00000000 30000000',
  )));
});

t.test('Enhanced Packet Block around IPv4/UDP, with and without a comment (4.3)', async (t) => {
  const flow = v4('10.0.0.1', '10.0.0.2', 5004, 6000);
  const payload = hex('80 60 0001 00000002 00000003 ab');
  const out = new Uint8Array(200);
  const end = writeEnhancedPacket(out, 0, 2, 0x1_0000_0005, flow, payload);
  const ip = '4500 0029 0000 4000 4011 26c2 0a000001 0a000002'; // total 41, DF, TTL 64, UDP, checksum
  const udp = '138c 1770 0015 0000';
  t.equal(toHex(out.subarray(0, end)), toHex(hex(
    '06000000 4c000000 02000000 01000000 05000000 29000000 29000000' + ip + udp + toHex(payload) + '000000' + '4c000000',
  )));
  t.equal(end, epbSize(flow, payload.length));
  t.equal(sum16(out, 28, 20, 0), 0xffff, 'the IPv4 header checksums to all ones');
  const withComment = new Uint8Array(200);
  const end2 = writeEnhancedPacket(withComment, 0, 2, 0x1_0000_0005, flow, payload, new TextEncoder().encode('RTX'));
  t.equal(end2, epbSize(flow, payload.length, 3));
  t.equal(toHex(withComment.subarray(end - 4, end2)), '0100030052545800' + '00000000' + '58000000', 'opt_comment, opt_endofopt, trailer');
  const amended = addEpbComment(out, 0, new TextEncoder().encode('RTX'));
  t.equal(toHex(out.subarray(0, amended)), toHex(withComment.subarray(0, end2)), 'a comment added afterwards gives the same block');
});

t.test('Interface Statistics Block with a comment and the drop count (4.6)', async (t) => {
  const b = interfaceStatisticsBlock({ interfaceId: 1, timestampUs: 7, startUs: 1, endUs: 7, received: 10, dropped: 3, comment: 'x' });
  const blocks = readBlocks(b);
  t.equal(blocks.length, 1);
  t.equal(blocks[0].type, 5);
  t.same(blocks[0].options.map((o) => o.code), [1, 2, 3, 4, 5]);
  t.equal(Buffer.from(blocks[0].options[4].value).readBigUInt64LE(0), 3n);
  t.equal(Buffer.from(blocks[0].options[3].value).readBigUInt64LE(0), 10n);
});

t.test('IPv6 + UDP: the checksum verifies over the pseudo-header (RFC 8200 8.1)', async (t) => {
  const flow: UdpFlow = { src: parseIpAddress('2001:db8::1')!, dst: parseIpAddress('::1')!, srcPort: 1234, dstPort: 5678 };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (payload) => {
    const out = new Uint8Array(ipUdpSize(flow, payload.length));
    writeIpUdp(out, 0, flow, payload);
    const udpLen = 8 + payload.length;
    let s = sum16(flow.src, 0, 16, 0);
    s = sum16(flow.dst, 0, 16, s);
    s = sum16(out, 40, udpLen, s + udpLen + 17);
    return out[0] >> 4 === 6 && s === 0xffff;
  }));
});

t.test('addresses', async (t) => {
  t.same([...parseIpAddress('127.0.0.1')!], [127, 0, 0, 1]);
  t.same([...parseIpAddress('::ffff:10.1.2.3')!], [10, 1, 2, 3], 'IPv4-mapped becomes IPv4');
  t.equal(toHex(parseIpAddress('2001:db8::1')!), '20010db8000000000000000000000001');
  t.equal(toHex(parseIpAddress('::')!), '0'.repeat(32));
  t.equal(toHex(parseIpAddress('fe80::1%eth0')!), 'fe800000000000000000000000000001');
  for (const bad of ['', 'abc.local', '1.2.3', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'c0ffee12-3456.local']) t.equal(parseIpAddress(bad), undefined, bad);
});

t.test('property: any packets and comments make a well-formed run of blocks', async (t) => {
  const flowArb = fc.record({
    v6: fc.boolean(), a: fc.uint8Array({ minLength: 16, maxLength: 16 }), b: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    sp: fc.integer({ min: 0, max: 65535 }), dp: fc.integer({ min: 0, max: 65535 }),
  }).map(({ v6, a, b, sp, dp }): UdpFlow => ({ src: v6 ? a : a.subarray(0, 4), dst: v6 ? b : b.subarray(0, 4), srcPort: sp, dstPort: dp }));
  const rec = fc.record({
    flow: flowArb, payload: fc.uint8Array({ maxLength: 1500 }), iface: fc.integer({ min: 0, max: 1000 }),
    ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), comment: fc.option(fc.string({ minLength: 1, maxLength: 80 }), { nil: undefined }),
  });
  fc.assert(fc.property(fc.array(rec, { maxLength: 20 }), (recs) => {
    const enc = new TextEncoder();
    const total = recs.reduce((n, r) => n + epbSize(r.flow, r.payload.length, r.comment ? enc.encode(r.comment).length : 0), 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const r of recs) off = writeEnhancedPacket(out, off, r.iface, r.ts, r.flow, r.payload, r.comment ? enc.encode(r.comment) : undefined);
    if (off !== total) return false;
    const blocks = readBlocks(out);
    return blocks.length === recs.length && blocks.every((b, i) => {
      const r = recs[i];
      const v = Buffer.from(b.body);
      const ts = v.readUInt32LE(4) * 2 ** 32 + v.readUInt32LE(8);
      const captured = v.readUInt32LE(12);
      const hdr = r.flow.src.length === 16 ? 48 : 28;
      const data = b.body.subarray(20, 20 + captured);
      const comment = b.options.find((o) => o.code === 1);
      return b.type === 6 && v.readUInt32LE(0) === r.iface && ts === r.ts && captured === hdr + r.payload.length
        && Buffer.from(data.subarray(hdr)).equals(Buffer.from(r.payload))
        && (r.comment === undefined ? comment === undefined : new TextDecoder().decode(comment!.value) === r.comment);
    });
  }));
});
