import t from 'tap';
import fc from 'fast-check';
import { buildSenderReport, readViewerFeedback } from '../../lib/rtsp/server/rtcp.js';

const keyframeRequest = (b: Uint8Array) => readViewerFeedback(b, 1, 0).keyframe;
import { parseRtcp } from '../../lib/rtcp/compound.js';

t.test('sender report: SR then SDES CNAME, lengths in 32-bit words minus one', (t) => {
  const sr = Buffer.from(buildSenderReport({ ssrc: 0xdeadbeef, wallClockMs: 1_700_000_000_500, rtpTimestamp: 0xfffffffe, packetCount: 7, octetCount: 9000, cname: 'camwire' }));
  t.equal(sr[0], 0x80);
  t.equal(sr[1], 200);
  t.equal(sr.readUInt16BE(2), 6);
  t.equal(sr.readUInt32BE(4), 0xdeadbeef);
  t.equal(sr.readUInt32BE(8), 1_700_000_000 + 2208988800);
  t.equal(sr.readUInt32BE(12), 0x80000000, 'half a second is 2^31 in NTP fraction');
  t.equal(sr.readUInt32BE(16), 0xfffffffe);
  t.equal(sr.readUInt32BE(20), 7);
  t.equal(sr.readUInt32BE(24), 9000);
  t.equal(sr[28], 0x81);
  t.equal(sr[29], 202);
  t.equal((sr.readUInt16BE(30) + 1) * 4, sr.length - 28);
  t.equal(sr[36], 1, 'CNAME item');
  t.equal(sr.toString('utf8', 38, 38 + sr[37]), 'camwire');
  t.equal(sr.length % 4, 0);
  const parsed = parseRtcp(sr);
  t.same(parsed.map((p) => p.type), ['sr', 'sdes'], 'lib/rtcp reads it back');
  t.end();
});

function psfb(fmt: number, words: number): Uint8Array {
  const b = new Uint8Array((words + 1) * 4);
  b[0] = 0x80 | fmt;
  b[1] = 206;
  b[3] = words;
  return b;
}

t.test('finds PLI and FIR after a receiver report in a compound packet', (t) => {
  const rr = new Uint8Array(8);
  rr[0] = 0x80;
  rr[1] = 201;
  rr[3] = 1;
  t.equal(keyframeRequest(Buffer.concat([rr, psfb(1, 2)])), 'pli');
  t.equal(keyframeRequest(Buffer.concat([rr, psfb(4, 4)])), 'fir');
  t.equal(keyframeRequest(rr), undefined);
  t.equal(keyframeRequest(psfb(15, 4)), undefined, 'REMB (PSFB 15) is not a keyframe request');
  t.equal(keyframeRequest(psfb(1, 2).subarray(0, 10)), undefined, 'truncated');
  t.end();
});

t.test('arbitrary bytes never throw', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    const r = keyframeRequest(b);
    return r === undefined || r === 'pli' || r === 'fir';
  }));
  t.end();
});
