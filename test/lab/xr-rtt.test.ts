import t from 'tap';
import fc from 'fast-check';
import { addRrtrFeedback, buildDlrr, findRrtr } from '../../lib/lab/xr-rtt.js';

/** XR with one RRTR block (RFC 3611 4.4) from `ssrc` at NTP `sec`.`frac`. */
function xrRrtr(ssrc: number, sec: number, frac: number): Uint8Array {
  const b = Buffer.alloc(20);
  b[0] = 0x80; b[1] = 207; b.writeUInt16BE(4, 2); b.writeUInt32BE(ssrc, 4);
  b[8] = 4; b.writeUInt16BE(2, 10); b.writeUInt32BE(sec, 12); b.writeUInt32BE(frac, 16);
  return b;
}

t.test('findRrtr reads the RRTR of a compound RR + XR and ignores the rest', async (t) => {
  const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 9]);
  const found = findRrtr(Buffer.concat([rr, xrRrtr(0xdeadbeef, 0x12345678, 0x9abcdef0)]));
  t.same(found, [{ ssrc: 0xdeadbeef, lrr: 0x56789abc }]);
  t.same(findRrtr(rr), []);
});

t.test('buildDlrr answers with LRR and the delay in 1/65536 s (RFC 3611 4.5)', async (t) => {
  const b = Buffer.from(buildDlrr(0x01020304, { ssrc: 0xdeadbeef, lrr: 0x56789abc }, 500));
  t.equal(b[1], 207);
  t.equal((b.readUInt16BE(2) + 1) * 4, b.length);
  t.equal(b.readUInt32BE(4), 0x01020304);
  t.equal(b[8], 5);
  t.equal(b.readUInt16BE(10), 3);
  t.equal(b.readUInt32BE(12), 0xdeadbeef);
  t.equal(b.readUInt32BE(16), 0x56789abc);
  t.equal(b.readUInt32BE(20), 32768);
});

t.test('findRrtr never throws on arbitrary bytes', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => Array.isArray(findRrtr(bytes))));
});

t.test('addRrtrFeedback adds rrtr next to each nack feedback line', async (t) => {
  const sdp = 'm=video 9 UDP/TLS/RTP/SAVPF 102 103\r\na=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\na=rtcp-fb:103 nack\r\n';
  t.equal(addRrtrFeedback(sdp), 'm=video 9 UDP/TLS/RTP/SAVPF 102 103\r\na=rtcp-fb:102 nack\r\na=rtcp-fb:102 rrtr\r\na=rtcp-fb:102 nack pli\r\na=rtcp-fb:103 nack\r\na=rtcp-fb:103 rrtr\r\n');
});
