/** Property tests: packetize -> depacketize identity, loss never reported complete, arbitrary bytes. */
import t from 'tap';
import fc from 'fast-check';
import { CamwireError } from '../../lib/errors.js';
import type { AccessUnit } from '../../lib/h264/access-unit.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { parseH265Fmtp } from '../../lib/sdp/index.js';
import { H265Depacketizer, H265Packetizer, isH265KeyframeStart, isIrap, parseH265NalHeader, parseH265Sps } from '../../lib/h265/index.js';
import { streamArb, toHex } from './vectors.js';

function send(aus: Uint8Array[][], seq0: number, ts0: number, mtu: number): { packets: RtpPacket[]; timestamps: number[] } {
  const p = new H265Packetizer({ mtu, sequenceNumber: seq0, insertParameterSets: false });
  const packets: RtpPacket[] = [];
  const timestamps: number[] = [];
  aus.forEach((au, i) => {
    const ts = (ts0 + i * 3000) >>> 0;
    timestamps.push(ts);
    for (const b of p.packetize(au, ts)) {
      if (b.length > mtu) throw new Error(`packet of ${b.length} bytes over MTU ${mtu}`);
      packets.push(parseRtp(b));
    }
  });
  return { packets, timestamps };
}

t.test('packetize then depacketize is the identity (with and without markers, across the seq wrap)', async (t) => {
  fc.assert(fc.property(streamArb, fc.boolean(), ({ aus, seq0, ts0, mtu }, markers) => {
    const { packets, timestamps } = send(aus, seq0, ts0, mtu);
    const out: AccessUnit[] = [];
    const d = new H265Depacketizer((au) => out.push(au), { firstSequenceNumber: seq0 });
    for (const p of packets) d.push(markers ? p : { ...p, marker: false });
    d.flush();
    t.equal(out.length, aus.length);
    out.forEach((au, i) => {
      t.same(toHex(au.nalus), toHex(aus[i]));
      t.equal(au.timestamp, timestamps[i]);
      t.equal(au.complete, markers || i < aus.length - 1);
      t.equal(au.keyframe, aus[i].some((n) => isIrap((n[0] >> 1) & 0x3f)));
    });
    t.equal(d.stats.malformed + d.stats.fragmentsUnterminated + d.stats.fragmentsWithoutStart, 0);
  }), { numRuns: 150 });
});

t.test('under arbitrary loss no broken access unit is reported complete', async (t) => {
  fc.assert(fc.property(streamArb, fc.array(fc.boolean(), { minLength: 1 }), ({ aus, seq0, ts0, mtu }, lossPattern) => {
    const { packets, timestamps } = send(aus, seq0, ts0, mtu);
    const out: AccessUnit[] = [];
    const d = new H265Depacketizer((au) => out.push(au), { firstSequenceNumber: seq0 });
    packets.forEach((p, i) => { if (!lossPattern[i % lossPattern.length]) d.push(p); });
    d.flush();
    for (const au of out) {
      if (!au.complete) continue;
      const k = timestamps.indexOf(au.timestamp);
      t.same(toHex(au.nalus), toHex(aus[k]), 'a complete unit is exactly what was sent');
    }
  }), { numRuns: 150 });
});

t.test('arbitrary bytes: the depacketizer never throws, the parsers throw only typed errors', async (t) => {
  const typed = (f: () => unknown) => { try { f(); } catch (e) { if (!(e instanceof CamwireError)) throw e; } };
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 1600 }), { maxLength: 30 }), fc.boolean(), (payloads, donl) => {
    let bytes = 0;
    const d = new H265Depacketizer((au) => { bytes += au.size; }, { donl, maxAccessUnitSize: 4096 });
    payloads.forEach((p, i) => {
      d.pushPayload(p, i, i >> 2, (p[0] ?? 0) & 1 ? true : false);
      isH265KeyframeStart(p, donl);
      typed(() => parseH265NalHeader(p));
      typed(() => parseH265Sps(p));
      parseH265Fmtp(`sprop-sps=${Buffer.from(p).toString('base64')};sprop-max-don-diff=${p[0]}`);
    });
    d.flush();
    t.ok(bytes <= payloads.reduce((s, p) => s + p.length, 0) + 64, 'nothing comes out of nowhere');
  }), { numRuns: 300 });
});
