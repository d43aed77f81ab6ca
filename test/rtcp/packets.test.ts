import t from 'tap';
import {
  parseRtcp, serializeRtcp, rtcpSize, serializeRtcpPacket, isRtcp, sdesCname, sdesItem, sdesText,
  RtcpParseError, RtcpSerializeError, type RtcpPacket,
} from '../../lib/rtcp/index.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const caught = (fn: () => unknown): unknown => {
  try { fn(); } catch (e) { return e; }
  return undefined;
};
const one = <T extends RtcpPacket['type']>(buf: Uint8Array, type: T) => {
  const pkts = parseRtcp(buf);
  if (pkts.length !== 1 || pkts[0].type !== type) throw new Error(`expected one ${type}, got ${pkts.map((p) => p.type)}`);
  return pkts[0] as Extract<RtcpPacket, { type: T }>;
};

// RFC 3550 6.4.1 layout, one report block: SSRC 0x55667788, 25% lost, -2 cumulative
// (duplicates), 1 wrap + seq 5, jitter 16, LSR 0x12345678, DLSR 1 s.
const reportBlock = '55667788 40 fffffe 00010005 00000010 12345678 00010000';
const srHex = `81c8000c 11223344 e1b2c3d4 80000000 00015f90 0000000a 00000fa0 ${reportBlock}`;

t.test('SR with one report block (RFC 3550 6.4.1)', async (t) => {
  const buf = hex(srHex);
  const sr = one(buf, 'sr');
  t.equal(sr.ssrc, 0x11223344);
  t.equal(sr.ntpSeconds, 0xe1b2c3d4);
  t.equal(sr.ntpFraction, 0x80000000);
  t.equal(sr.rtpTimestamp, 90000);
  t.equal(sr.packetCount, 10);
  t.equal(sr.octetCount, 4000);
  t.same(sr.reports, [{ ssrc: 0x55667788, fractionLost: 64, cumulativeLost: -2, highestSeq: 0x10005, jitter: 16, lsr: 0x12345678, dlsr: 65536 }]);
  t.equal(sr.profileExtension.length, 0);
  t.same(serializeRtcp([sr]), buf);
});

t.test('RR with a report block and a profile-specific extension', async (t) => {
  const buf = hex(`81c90008 11223344 ${reportBlock} cafebabe`);
  const rr = one(buf, 'rr');
  t.equal(rr.ssrc, 0x11223344);
  t.equal(rr.reports[0].cumulativeLost, -2);
  t.same([...rr.profileExtension], [0xca, 0xfe, 0xba, 0xbe]);
  t.same(serializeRtcp([rr]), buf);
  t.equal(one(hex('80c90001 11223344'), 'rr').reports.length, 0, 'empty RR');
});

t.test('SDES CNAME with null item and word padding (RFC 3550 6.5)', async (t) => {
  const buf = hex(`81ca0003 11223344 0103${ascii('abc')} 000000`);
  const sdes = one(buf, 'sdes');
  t.equal(sdes.chunks.length, 1);
  t.equal(sdes.chunks[0].ssrc, 0x11223344);
  t.equal(sdesCname(sdes), 'abc');
  t.equal(sdesCname(sdes, 1), undefined);
  t.same(serializeRtcp([sdes]), buf);
});

t.test('SDES with two chunks and several items, one chunk empty', async (t) => {
  const p: RtcpPacket = {
    type: 'sdes',
    chunks: [
      { ssrc: 1, items: [sdesItem(1, 'user@host'), sdesItem(6, 'camwire'), sdesItem(2, 'Zoë')] },
      { ssrc: 2, items: [] },
    ],
  };
  const bytes = serializeRtcp([p]);
  t.equal(bytes.length % 4, 0);
  const q = one(bytes, 'sdes');
  t.same(q.chunks.map((c) => [c.ssrc, c.items.map((i) => [i.type, sdesText(i)])]), [[1, [[1, 'user@host'], [6, 'camwire'], [2, 'Zoë']]], [2, []]]);
});

t.test('BYE with reason (RFC 3550 6.6), and without', async (t) => {
  const buf = hex(`81cb0003 11223344 04${ascii('bye!')} 000000`);
  const bye = one(buf, 'bye');
  t.same(bye.ssrcs, [0x11223344]);
  t.equal(Buffer.from(bye.reason!).toString(), 'bye!');
  t.same(serializeRtcp([bye]), buf);
  const bare = hex('82cb0002 00000001 00000002');
  t.same(one(bare, 'bye'), { type: 'bye', ssrcs: [1, 2], reason: undefined });
  t.same(serializeRtcp(parseRtcp(bare)), bare);
});

t.test('APP (RFC 3550 6.7)', async (t) => {
  const buf = hex(`82cc0003 11223344 ${ascii('TEST')} deadbeef`);
  const app = one(buf, 'app');
  t.equal(app.subtype, 2);
  t.equal(app.name, 'TEST');
  t.same([...app.data], [0xde, 0xad, 0xbe, 0xef]);
  t.same(serializeRtcp([app]), buf);
});

t.test('Generic NACK (RFC 4585 6.2.1) across the wrap', async (t) => {
  // PID 65534, BLP bits 0 and 2: 65534, 65535, 1
  const buf = hex('81cd0003 00000001 11223344 fffe0005');
  const nack = one(buf, 'nack');
  t.same(nack, { type: 'nack', senderSsrc: 1, mediaSsrc: 0x11223344, items: [{ pid: 65534, blp: 5 }] });
  t.same(serializeRtcp([nack]), buf);
});

t.test('PLI (RFC 4585 6.3.1), FIR (RFC 5104 4.3.1), REMB', async (t) => {
  const pli = hex('81ce0002 00000001 11223344');
  t.same(one(pli, 'pli'), { type: 'pli', senderSsrc: 1, mediaSsrc: 0x11223344 });
  t.same(serializeRtcp(parseRtcp(pli)), pli);

  const fir = hex('84ce0006 00000001 00000000 11223344 07000000 55667788 ff000000');
  t.same(one(fir, 'fir').entries, [{ ssrc: 0x11223344, seqNr: 7 }, { ssrc: 0x55667788, seqNr: 255 }]);
  t.same(serializeRtcp(parseRtcp(fir)), fir);

  // 1 Mbit/s = 250000 * 2^2: exp 2, mantissa 0x3d090
  const remb = hex(`8fce0005 00000001 00000000 ${ascii('REMB')} 01 0bd090 11223344`);
  t.same(one(remb, 'remb'), { type: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: 1_000_000, ssrcs: [0x11223344] });
  t.same(serializeRtcp(parseRtcp(remb)), remb);
});

t.test('REMB bitrate is rounded down to 18 significant bits', async (t) => {
  const p: RtcpPacket = { type: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: 1_000_003, ssrcs: [] };
  const q = one(serializeRtcp([p]), 'remb');
  t.equal(q.bitrate, 1_000_000);
  t.throws(() => serializeRtcp([{ ...p, bitrate: -1 }]), { code: 'RTCP_BAD_FIELD' });
  t.throws(() => serializeRtcp([{ ...p, bitrate: Infinity }]), { code: 'RTCP_BAD_FIELD' });
});

t.test('unknown packets (TWCC, other AFB, XR with reserved bits, padded) come back byte for byte', async (t) => {
  const xr = hex('81cf0002 11223344 04000000');
  const twcc = hex('8fcd0004 00000001 11223344 00010002 00000100');
  const afb = hex(`8fce0003 00000001 00000000 ${ascii('GOOG')}`);
  const rtpfbPadded = hex('a3cd0003 00000001 11223344 00000004');
  for (const raw of [xr, twcc, afb, rtpfbPadded]) {
    const u = one(raw, 'unknown');
    t.equal(u.packetType, raw[1]);
    t.equal(u.count, raw[0] & 0x1f);
    t.same(serializeRtcp([u]), raw);
  }
  const compound = hex(`80c90001 11223344 ${'81cf0002 11223344 04000000'} 81ce0002 00000001 11223344`);
  t.same(parseRtcp(compound).map((p) => p.type), ['rr', 'unknown', 'pli']);
  t.same(serializeRtcp(parseRtcp(compound)), compound);
});

t.test('XR (RFC 3611): Chromium-style RR + RRTR, a DLRR answer, and odd blocks kept as they came', async (t) => {
  const compound = hex('80c90001 0000abcd 80cf0004 0000abcd 04000002 e9d3c2b1 40000000');
  const [rr, xr] = parseRtcp(compound);
  t.equal(rr.type, 'rr');
  t.same(xr, { type: 'xr', ssrc: 0xabcd, blocks: [{ type: 'rrtr', ntpSeconds: 0xe9d3c2b1, ntpFraction: 0x40000000 }] });
  t.same(serializeRtcp(parseRtcp(compound)), compound);
  const dlrr = serializeRtcp([{ type: 'xr', ssrc: 0x1111, blocks: [{ type: 'dlrr', items: [{ ssrc: 0xabcd, lastRr: 0xc2b14000, delaySinceLastRr: 65536 }] }] }]);
  t.same(dlrr, hex('80cf0005 00001111 05000003 0000abcd c2b14000 00010000'), 'DLRR: BT 5, one 3-word sub-block');
  // an RRTR block of the wrong size and a VoIP-metrics block (BT 7) are opaque 'other' blocks
  const odd = hex('80cf0004 00000001 04000000 07010001 01020304');
  const p = one(odd, 'xr');
  t.same(p.blocks.map((b) => b.type), ['other', 'other']);
  t.same(serializeRtcp([p]), odd);
  t.throws(() => parseRtcp(hex('80cf0002 00000001 04000002')), { code: 'RTCP_BODY_TOO_SHORT' }, 'a block longer than its packet');
  t.throws(() => parseRtcp(hex('80cf0000')), { code: 'RTCP_BODY_TOO_SHORT' }, 'no SSRC');
});

t.test('padding in the last packet of a compound is checked and dropped', async (t) => {
  // RR, then a PLI with 4 bytes of padding (P bit, count 4)
  const buf = hex('80c90001 11223344 a1ce0003 00000001 11223344 00000004');
  const pkts = parseRtcp(buf);
  t.same(pkts.map((p) => p.type), ['rr', 'pli']);
  t.same(serializeRtcp(pkts), hex('80c90001 11223344 81ce0002 00000001 11223344'), 'written again without the padding');
});

t.test('Chromium-style compound RR + NACK', async (t) => {
  const buf = hex(`80c90001 00000001 81cd0004 00000001 11223344 00640003 00c80000`);
  const [rr, nack] = parseRtcp(buf);
  t.equal(rr.type, 'rr');
  t.same(nack, { type: 'nack', senderSsrc: 1, mediaSsrc: 0x11223344, items: [{ pid: 100, blp: 3 }, { pid: 200, blp: 0 }] });
  const scratch = new Uint8Array(1500);
  const into = serializeRtcp([rr, nack], scratch);
  t.equal(into.buffer, scratch.buffer, 'written into the caller buffer');
  t.same(into, buf);
  t.equal(rtcpSize([rr, nack]), buf.length);
  t.equal(serializeRtcpPacket(nack, scratch, 100), 100 + 20);
});

t.test('Hanwha QNV-8080R: SDES chunk without the terminating null item', async (t) => {
  // The CNAME item runs exactly to the end of the packet and no null item follows.
  const sdesOnly = hex(`81ca0004 0a0b0c0d 010a${ascii('hanwha-cam')}`);
  const sdes = one(sdesOnly, 'sdes');
  t.equal(sdesCname(sdes), 'hanwha-cam');
  const rewritten = serializeRtcp([sdes]);
  t.equal(rewritten.length, sdesOnly.length + 4, 'written back with the null item and padding');
  t.same(parseRtcp(rewritten), [sdes]);
});

t.test('Hanwha QNV-8080R: compound SR + SDES missing its null item', async (t) => {
  const buf = hex(`80c80006 0a0b0c0d 83aa1e10 4189374b 00a1b2c3 00000040 0000c800 81ca0004 0a0b0c0d 010a${ascii('hanwha-cam')}`);
  const [sr, sdes] = parseRtcp(buf);
  t.equal(sr.type, 'sr');
  if (sr.type !== 'sr' || sdes.type !== 'sdes') return;
  t.equal(sr.ssrc, 0x0a0b0c0d);
  t.equal(sr.rtpTimestamp, 0xa1b2c3);
  t.equal(sr.packetCount, 64);
  t.equal(sr.octetCount, 51200);
  t.equal(sdesCname(sdes, 0x0a0b0c0d), 'hanwha-cam');
});

t.test('malformed RTCP throws typed errors with stable codes', async (t) => {
  const cases: [string, string][] = [
    ['', 'RTCP_TOO_SHORT'],
    ['80c8', 'RTCP_TOO_SHORT'],
    ['81ce0002 00000001 11223344 0000', 'RTCP_TOO_SHORT'],
    ['40c80000', 'RTCP_BAD_VERSION'],
    ['80c90001 11223344 c0c90000', 'RTCP_BAD_VERSION'],
    ['80c80006 11223344', 'RTCP_LENGTH_OVERFLOW'],
    ['a0c90001 11223344', 'RTCP_BAD_PADDING'],
    ['a0c90001 11223300', 'RTCP_BAD_PADDING'],
    ['80c80001 11223344', 'RTCP_BODY_TOO_SHORT'],
    ['81c90001 11223344', 'RTCP_BODY_TOO_SHORT'],
    ['82cb0001 11223344', 'RTCP_BODY_TOO_SHORT'],
    ['81cb0002 11223344 05616263', 'RTCP_BODY_TOO_SHORT'],
    ['80cc0001 11223344', 'RTCP_BODY_TOO_SHORT'],
    ['81cd0001 00000001', 'RTCP_BODY_TOO_SHORT'],
    ['a1cd0003 00000001 11223344 00000001', 'RTCP_BAD_PADDING'],
    ['81ce0000', 'RTCP_BODY_TOO_SHORT'],
    ['84ce0003 00000001 00000000 11223344', 'RTCP_BODY_TOO_SHORT'],
    [`8fce0004 00000001 00000000 ${ascii('REMB')} 02000000`, 'RTCP_BODY_TOO_SHORT'],
    ['81ca0002 11223344 01056162', 'RTCP_BAD_SDES'],
    ['82ca0002 11223344 00000000', 'RTCP_BAD_SDES'],
    ['81ca0002 11223344 01016107', 'RTCP_BAD_SDES'],
  ];
  for (const [h, code] of cases) {
    const e = caught(() => parseRtcp(hex(h)));
    t.ok(e instanceof RtcpParseError && e.code === code, `${h || '(empty)'} -> ${code}`, { found: e });
  }
});

t.test('serialize refuses what the wire cannot carry, before writing anything', async (t) => {
  const block = { ssrc: 1, fractionLost: 0, cumulativeLost: 0, highestSeq: 0, jitter: 0, lsr: 0, dlsr: 0 };
  const bad: RtcpPacket[] = [
    { type: 'rr', ssrc: 1, reports: Array.from({ length: 32 }, () => block), profileExtension: new Uint8Array(0) },
    { type: 'rr', ssrc: 1, reports: [{ ...block, cumulativeLost: 0x800000 }], profileExtension: new Uint8Array(0) },
    { type: 'rr', ssrc: 1, reports: [{ ...block, fractionLost: 256 }], profileExtension: new Uint8Array(0) },
    { type: 'rr', ssrc: 1, reports: [], profileExtension: new Uint8Array(3) },
    { type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, value: new Uint8Array(256) }] }] },
    { type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 0, value: new Uint8Array(1) }] }] },
    { type: 'bye', ssrcs: [1], reason: new Uint8Array(256) },
    { type: 'app', subtype: 32, ssrc: 1, name: 'TEST', data: new Uint8Array(0) },
    { type: 'app', subtype: 0, ssrc: 1, name: 'TOOLONG', data: new Uint8Array(0) },
    { type: 'app', subtype: 0, ssrc: 1, name: 'TEST', data: new Uint8Array(2) },
    { type: 'nack', senderSsrc: 1, mediaSsrc: 2, items: [{ pid: 65536, blp: 0 }] },
    { type: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 1, seqNr: 256 }] },
    { type: 'unknown', packetType: 207, count: 0, raw: new Uint8Array([0x80, 0xcf, 0x00, 0x05, 0, 0, 0, 0]) },
  ];
  for (const p of bad) {
    const e = caught(() => serializeRtcp([p]));
    t.ok(e instanceof RtcpSerializeError && e.code === 'RTCP_BAD_FIELD', p.type, { found: e });
  }
  t.throws(() => serializeRtcp([{ type: 'pli', senderSsrc: 1, mediaSsrc: 2 }], new Uint8Array(11)), { code: 'RTCP_BUFFER_TOO_SMALL' });
});

t.test('isRtcp demultiplexes by the second byte (RFC 5761 4)', async (t) => {
  t.ok(isRtcp(hex(srHex)));
  t.ok(isRtcp(hex('81cd0003')));
  t.notOk(isRtcp(hex('80e01234 deadbeef 01020304')), 'RTP PT 96 with marker');
  t.notOk(isRtcp(hex('80600001 00000000 00000000')), 'RTP PT 96');
  t.notOk(isRtcp(hex('00c8000c')), 'version 0');
  t.notOk(isRtcp(hex('80c8')), 'too short');
});
