/** Property tests: packetize -> depacketize identity, loss, duplicates, arbitrary bytes. */
import t from 'tap';
import fc from 'fast-check';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { collector, toHex } from './helpers.js';
import { H264Depacketizer, type AccessUnit } from '../../lib/h264/depacketizer.js';
import { streamArb } from './arbitraries.js';

interface Sent { packets: RtpPacket[]; timestamps: number[] }

function send(aus: Uint8Array[][], seq0: number, ts0: number, mtu: number): Sent {
  const p = new H264Packetizer({ mtu, sequenceNumber: seq0, insertParameterSets: false });
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

const withoutMarker = (p: RtpPacket): RtpPacket => ({ ...p, marker: false });

t.test('packetize then depacketize is the identity (with and without marker bits, across the seq wrap)', async (t) => {
  fc.assert(fc.property(streamArb, fc.boolean(), ({ aus, seq0, ts0, mtu }, markers) => {
    const { packets, timestamps } = send(aus, seq0, ts0, mtu);
    const { d, aus: out } = collector({ firstSequenceNumber: seq0 });
    for (const p of packets) d.push(markers ? p : withoutMarker(p));
    d.flush();
    t.equal(out.length, aus.length);
    out.forEach((au, i) => {
      t.same(toHex(au.nalus), toHex(aus[i]));
      t.equal(au.timestamp, timestamps[i]);
      // without markers the last unit ends only at flush(), which cannot prove it complete
      t.equal(au.complete, markers || i < aus.length - 1);
      t.equal(au.keyframe, aus[i].some((n) => (n[0] & 0x1f) === 5));
    });
    t.equal(d.stats.malformed + d.stats.fragmentsUnterminated + d.stats.fragmentsWithoutStart, 0);
  }), { numRuns: 150 });
});

t.test('under arbitrary packet loss no incomplete access unit is reported complete', async (t) => {
  fc.assert(fc.property(streamArb, fc.boolean(), fc.array(fc.boolean(), { minLength: 1 }), fc.boolean(), ({ aus, seq0, ts0, mtu }, markers, lossPattern, viaMarkLoss) => {
    const { packets, timestamps } = send(aus, seq0, ts0, mtu);
    const { d, aus: out } = collector({ firstSequenceNumber: seq0 });
    let lost = 0;
    packets.forEach((p, i) => {
      if (lossPattern[i % lossPattern.length]) { lost++; if (viaMarkLoss) d.markLoss(); return; }
      d.push(markers ? p : withoutMarker(p));
    });
    d.flush();
    for (const au of out) {
      if (!au.complete) continue;
      const k = timestamps.indexOf(au.timestamp);
      t.ok(k >= 0, 'a complete unit has a sent timestamp');
      t.same(toHex(au.nalus), toHex(aus[k]), 'a complete unit is exactly what was sent');
    }
    if (lost === 0) t.equal(out.filter((a) => a.complete).length, markers ? aus.length : aus.length - 1);
  }), { numRuns: 200 });
});

t.test('duplicates (same sequence number again, at once or later) never emit anything twice', async (t) => {
  fc.assert(fc.property(streamArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 })), { maxLength: 30 }), ({ aus, seq0, ts0, mtu }, dups) => {
    const { packets } = send(aus, seq0, ts0, mtu);
    const feed: RtpPacket[] = [...packets];
    // re-insert copies of packet k, `delay` positions later
    for (const [k, delay] of dups) {
      const i = k % packets.length;
      const at = Math.min(feed.indexOf(packets[i]) + 1 + delay, feed.length);
      feed.splice(at, 0, { ...packets[i] });
    }
    const { d, aus: out } = collector({ firstSequenceNumber: seq0 });
    for (const p of feed) d.push(p);
    d.flush();
    t.equal(out.length, aus.length);
    out.forEach((au, i) => t.same(toHex(au.nalus), toHex(aus[i])));
    t.equal(d.stats.duplicates + d.stats.late, feed.length - packets.length);
  }), { numRuns: 150 });
});

t.test('arbitrary bytes in payloads never throw: only counted drops, bounded units', async (t) => {
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.constantFrom(24, 28, 25, 26, 27, 29, 0, 5, 30), fc.uint8Array({ maxLength: 300 })).map(([type, b]) => Uint8Array.of(0x60 | type, ...b)),
  );
  const pkt = fc.record({ seq: fc.integer({ min: 0, max: 65535 }), step: fc.integer({ min: -3, max: 4 }), ts: fc.integer({ min: 0, max: 3 }), marker: fc.boolean(), payload });
  fc.assert(fc.property(fc.array(pkt, { maxLength: 60 }), fc.integer({ min: 64, max: 4096 }), (pkts, max) => {
    const { d, aus } = collector({ maxAccessUnitSize: max, insertParameterSets: true });
    let seq = pkts[0]?.seq ?? 0;
    for (const p of pkts) {
      seq = (seq + p.step + 65536) & 0xffff;
      d.pushPayload(p.payload, seq, p.ts * 3000, p.marker);
      if (p.step === 4) d.markLoss();
    }
    d.flush();
    for (const au of aus) {
      t.ok(au.size <= max + 64, 'unit within the bound (plus inserted parameter sets)');
      t.ok(au.nalus.every((n) => n.length > 0));
    }
    t.equal(d.stats.packets, pkts.length);
  }), { numRuns: 500 });
});

t.test('transient units (views valid during the callback) are the owned units, under loss, duplication and parameter-set insertion', async (t) => {
  const action = fc.constantFrom('keep', 'keep', 'keep', 'drop', 'dup');
  fc.assert(fc.property(streamArb, fc.boolean(), fc.array(action, { minLength: 1 }), fc.boolean(), ({ aus, seq0, ts0, mtu }, markers, actions, insertParameterSets) => {
    const { packets } = send(aus, seq0, ts0, mtu);
    const { d: owned, aus: kept } = collector({ firstSequenceNumber: seq0, insertParameterSets });
    // what a transient consumer sees, read during the callback
    const seen: { hex: string[]; rest: Omit<AccessUnit, 'nalus'> }[] = [];
    const transient = new H264Depacketizer((au) => {
      const { nalus, ...rest } = au;
      seen.push({ hex: toHex(nalus), rest });
    }, { firstSequenceNumber: seq0, insertParameterSets, transientUnits: true });
    packets.forEach((p, i) => {
      const a = actions[i % actions.length];
      if (a === 'drop') return;
      const q = markers ? p : withoutMarker(p);
      for (const d of a === 'dup' ? [owned, transient, owned, transient] : [owned, transient]) d.push(q);
    });
    owned.flush();
    transient.flush();
    t.same(seen.map((s) => s.hex), kept.map((a) => toHex(a.nalus)));
    t.same(seen.map((s) => s.rest), kept.map(({ nalus: _, ...rest }) => rest));
    t.same(transient.stats, owned.stats);
  }), { numRuns: 150 });
});
