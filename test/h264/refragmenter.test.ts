/** Cut-through refragmenter: camera packets of any size -> egress packets, unit by unit. */
import t from 'tap';
import fc from 'fast-check';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { H264Refragmenter, type RefragmenterOptions } from '../../lib/h264/refragmenter.js';
import { parseRtp, setRtpSequenceNumber, type RtpPacket } from '../../lib/rtp/packet.js';
import { collector, hex, toHex } from './helpers.js';
import { streamArb } from './arbitraries.js';
import { PPS, SPS } from '../support/h264-synthetic.js';

interface Out { packet: RtpPacket; unitStart: boolean; keyframe: boolean; unitEnd: boolean; bytes: number }

/** Next sequence number per refragmenter: it leaves numbering to whoever sends its packets, as the gateway's egress timeline does. */
const nextSeq = new WeakMap<H264Refragmenter, number>();

function drain(r: H264Refragmenter, buf: Uint8Array, out: Out[]): void {
  let seq = nextSeq.get(r) ?? 0;
  for (let n = r.writeNext(buf); n > 0; n = r.writeNext(buf)) {
    setRtpSequenceNumber(buf, seq);
    seq = (seq + 1) & 0xffff;
    out.push({ packet: parseRtp(buf.slice(0, n)), unitStart: r.unitStart, keyframe: r.keyframe, unitEnd: r.unitEnd, bytes: n });
  }
  nextSeq.set(r, seq);
}

function refragment(cameraPackets: readonly RtpPacket[], egressMtu: number, options: RefragmenterOptions = { insertParameterSets: false }, seq0 = 0): { out: Out[]; r: H264Refragmenter } {
  const pz = new H264Packetizer({ mtu: egressMtu, insertParameterSets: options.insertParameterSets });
  const r = new H264Refragmenter(pz, options);
  nextSeq.set(r, seq0);
  const buf = new Uint8Array(egressMtu);
  const out: Out[] = [];
  for (const p of cameraPackets) {
    r.push(p.payload, p.timestamp, p.marker);
    drain(r, buf, out);
  }
  r.flush();
  drain(r, buf, out);
  return { out, r };
}

function cameraPackets(aus: Uint8Array[][], ts0: number, mtu: number, markers: boolean): RtpPacket[] {
  const cam = new H264Packetizer({ mtu, insertParameterSets: false });
  const packets: RtpPacket[] = [];
  aus.forEach((au, i) => {
    for (const b of cam.packetize(au, (ts0 + i * 3000) >>> 0)) {
      const p = parseRtp(b);
      packets.push(markers ? p : { ...p, marker: false });
    }
  });
  return packets;
}

/** A unit is a keyframe when its first slice is an IDR slice (all of an IDR picture's slices are). */
const startsWithIdr = (au: readonly Uint8Array[]) => (au.find((n) => (n[0] & 0x1f) >= 1 && (n[0] & 0x1f) <= 5)![0] & 0x1f) === 5;

t.test('camera packets of any size re-cut to the egress MTU carry the same access units, marked and flagged per unit', async (t) => {
  const cameraMtu = fc.oneof(fc.integer({ min: 40, max: 1500 }), fc.integer({ min: 1500, max: 12000 }));
  fc.assert(fc.property(streamArb, cameraMtu, fc.boolean(), fc.boolean(), ({ aus, seq0, ts0, mtu }, camMtu, markers, coalesceFragments) => {
    const { out, r } = refragment(cameraPackets(aus, ts0, camMtu, markers), mtu, { insertParameterSets: false, coalesceFragments }, seq0);
    const { d, aus: got } = collector({ firstSequenceNumber: seq0 });
    for (const o of out) {
      if (o.bytes > mtu) throw new Error(`egress packet of ${o.bytes} bytes over MTU ${mtu}`);
      const p = o.packet.payload;
      if ((p[0] & 0x1f) === 28 && (p[1] & 0xc0) === 0xc0) throw new Error('a FU-A with both start and end bits (RFC 6184 5.8)');
      d.push(o.packet);
    }
    d.flush();
    t.same(got.map((a) => toHex(a.nalus)), aus.map((a) => toHex(a)), 'same NAL units, unit by unit');
    t.ok(got.every((a) => a.complete), 'every unit complete');
    // one unit start per unit, on its first packet, flagged keyframe when the unit has an IDR
    const starts = out.filter((o) => o.unitStart);
    t.equal(starts.length, aus.length);
    starts.forEach((o, i) => t.equal(o.keyframe, startsWithIdr(aus[i])));
    // a marker ends every unit, whether the camera marks them or not (then one packet late)
    const marked = out.filter((o) => o.packet.marker);
    t.equal(marked.length, aus.length);
    for (let i = 0; i < out.length; i++) {
      const endsUnit = i === out.length - 1 || out[i + 1].packet.timestamp !== out[i].packet.timestamp;
      if (out[i].packet.marker) t.ok(endsUnit, 'marker only on the last packet of a unit');
      t.equal(out[i].unitEnd, out[i].packet.marker);
    }
    t.equal(r.lagging, !markers, 'lagging only behind a camera without markers');
    t.equal(r.stats.malformed + r.stats.orphanFragments + r.stats.unsupported + r.stats.carryDropped, 0);
  }), { numRuns: 150 });
});

t.test('a large NAL unit takes as many egress packets as frame forwarding gives it, whatever the camera\'s packet size', async (t) => {
  const idr = new Uint8Array(150_000).map((_, i) => (i * 7) & 0xff);
  idr[0] = 0x65;
  const framePackets = new H264Packetizer({ mtu: 1200, insertParameterSets: false }).packetize([idr], 0).length;
  for (const camMtu of [300, 1400, 1500, 9000]) {
    const cam = cameraPackets([[idr]], 0, camMtu, true);
    const { out } = refragment(cam, 1200);
    // The unit's first piece leaves at once, however short: one more when the camera's packets are smaller.
    t.equal(out.length, framePackets + (camMtu < 1200 ? 1 : 0), `camera packets of ${camMtu} bytes: ${cam.length} in, ${out.length} out`);
    const { out: uncoalesced } = refragment(cam, 1200, { coalesceFragments: false });
    t.ok(camMtu === 9000 || uncoalesced.length > out.length, `each cut on its own: ${uncoalesced.length}`);
  }
});

/** A refragmenter that has seen the camera mark a unit's end, so it cuts through without lag. */
function markingRefragmenter(): { r: H264Refragmenter; buf: Uint8Array } {
  const r = new H264Refragmenter(new H264Packetizer({ mtu: 1200 }));
  const buf = new Uint8Array(1200);
  r.push(hex('4188840022'), 0xfffff448, true);
  drain(r, buf, []);
  return { r, buf };
}

t.test('a fragment\'s short tail waits for the next fragment of its NAL unit; a NAL unit that fits one packet leaves as a single NAL unit', async (t) => {
  const first = hex('4188840021'); // the unit's first slice, in a packet of its own
  const nal = new Uint8Array(300).fill(0x33);
  nal[0] = 0x41; // its second slice
  const cam = cameraPackets([[first, nal]], 0, 100, true); // 100-byte camera packets: 4 FU-A pieces
  t.ok(cam.length > 4);
  t.equal(cam[0].payload.length, first.length, 'the first slice alone');
  const { r, buf } = markingRefragmenter();
  const out: Out[] = [];
  for (const p of cam.slice(0, -1)) {
    r.push(p.payload, p.timestamp, p.marker);
    drain(r, buf, out);
  }
  t.equal(out.length, 1, 'the first slice, then nothing before the end fragment');
  t.equal(r.stats.carried, cam.length - 2);
  const last = cam[cam.length - 1];
  r.push(last.payload, last.timestamp, last.marker);
  drain(r, buf, out);
  t.equal(out.length, 2);
  t.same(toHex([out[1].packet.payload]), toHex([nal]), 'the whole NAL unit, single');
  t.ok(out[0].unitStart && !out[1].unitStart && out[1].unitEnd && out[1].packet.marker);
});

t.test('a carried tail whose NAL unit never ends is dropped and counted, never glued to another unit', async (t) => {
  const a = new Uint8Array(3000).fill(0x44);
  a[0] = 0x41;
  const cam = cameraPackets([[a]], 0, 1400, true); // pieces: 1400, 1400, rest
  const { r, buf } = markingRefragmenter();
  const out: Out[] = [];
  r.push(cam[0].payload, 0, false);
  drain(r, buf, out);
  t.equal(r.stats.carried, 1);
  const next = hex('4188840021');
  r.push(next, 3000, true); // the camera moved on without the end fragment
  drain(r, buf, out);
  t.equal(r.stats.carryDropped, 1);
  t.same(toHex([out[out.length - 1].packet.payload]), toHex([next]));
  // a camera that breaks into its fragmented NAL unit within the unit: the rest is orphaned
  const b = cameraPackets([[a]], 6000, 1400, true);
  r.push(b[0].payload, 6000, false);
  drain(r, buf, out);
  r.push(hex('0601ff80'), 6000, false); // an SEI between the fragments
  const before = out.length;
  drain(r, buf, out);
  r.push(b[1].payload, 6000, false);
  drain(r, buf, out);
  t.equal(r.stats.carryDropped, 2);
  t.equal(r.stats.orphanFragments, 1, 'the next fragment would lack the dropped bytes');
  t.ok(out.slice(before).every((o) => !((o.packet.payload[0] & 0x1f) === 28 && (o.packet.payload[1] & 0x1f) === 1 && !(o.packet.payload[1] & 0x80))), 'no piece of the broken NAL unit after it');
});

t.test('arbitrary payloads never throw, and nothing written exceeds the MTU', async (t) => {
  fc.assert(fc.property(
    fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 3000 }), tsStep: fc.constantFrom(0, 0, 3000), marker: fc.boolean() }), { maxLength: 40 }),
    fc.integer({ min: 40, max: 1500 }),
    (packets, mtu) => {
      const pz = new H264Packetizer({ mtu });
      const r = new H264Refragmenter(pz);
      const buf = new Uint8Array(mtu);
      let ts = 0;
      for (const p of packets) {
        ts += p.tsStep;
        r.push(p.payload, ts, p.marker);
        for (let n = r.writeNext(buf); n > 0; n = r.writeNext(buf)) if (n > mtu) throw new Error(`${n} > ${mtu}`);
      }
      t.ok(r.stats.packetsIn === packets.length);
    },
  ), { numRuns: 300 });
});

t.test('an IDR whose unit brought no SPS/PPS gets the known ones in front, as its unit\'s first packet', async (t) => {
  const idr = new Uint8Array(3000).fill(0x55);
  idr[0] = 0x65;
  // first unit: SPS, PPS, IDR as the camera sends them (learned); second: the IDR alone, as FU-A
  const units = [[SPS, PPS, idr], [idr]];
  const cam = cameraPackets(units, 1000, 1400, true);
  const { out, r } = refragment(cam, 1200, { insertParameterSets: true });
  const second = out.filter((o) => o.packet.timestamp === 4000);
  t.ok(second[0].unitStart && second[0].keyframe, 'first packet starts a keyframe unit');
  t.equal(second[0].packet.payload[0] & 0x1f, 24, 'a STAP-A');
  t.same(toHex([second[0].packet.payload.subarray(3, 3 + SPS.length)]), toHex([SPS]), 'with the SPS first');
  t.equal(r.stats.parameterSetsInserted, 1);
  const { d, aus } = collector();
  for (const o of out) d.push(o.packet);
  d.flush();
  t.same(aus.map((a) => toHex(a.nalus)), [toHex([SPS, PPS, idr]), toHex([SPS, PPS, idr])]);
});

t.test('a camera that marks its SPS does not end the unit early; parameter sets with their own timestamp wait for the slice', async (t) => {
  const slice = hex('6588840021');
  const pz = new H264Packetizer({ mtu: 1200 });
  const r = new H264Refragmenter(pz);
  const buf = new Uint8Array(1200);
  const out: Out[] = [];
  r.push(SPS, 100, true); // marked SPS, own timestamp
  drain(r, buf, out);
  r.push(PPS, 200, false);
  drain(r, buf, out);
  t.equal(out.length, 0, 'held until the first slice');
  r.push(slice, 200, true);
  drain(r, buf, out);
  t.equal(out.length, 1);
  t.ok(out[0].unitStart && out[0].keyframe && out[0].packet.marker);
  t.equal(out[0].packet.payload[0] & 0x1f, 24, 'SPS, PPS and the slice in one STAP-A');
  t.equal(r.stats.held, 2);
});

t.test('held units are bounded; fragments without a start, reserved types and bad STAP-A are dropped and counted', async (t) => {
  const pz = new H264Packetizer({ mtu: 1200 });
  const r = new H264Refragmenter(pz, { maxHeldBytes: 100 });
  const buf = new Uint8Array(1200);
  const out: Out[] = [];
  const sei = new Uint8Array(60).fill(1);
  sei[0] = 0x06;
  r.push(sei, 1, false);
  r.push(sei, 1, false);
  t.equal(r.stats.heldDropped, 1);
  r.push(hex('7c05aabb'), 1, false); // FU-A middle, no start
  r.push(hex('7a0001'), 1, false); // STAP-B
  r.push(hex('780005aa'), 1, false); // STAP-A size past the end
  r.push(new Uint8Array(0), 1, false);
  drain(r, buf, out);
  t.equal(out.length, 0);
  t.same([r.stats.orphanFragments, r.stats.unsupported, r.stats.malformed], [1, 1, 2]);
});

t.test('abort drops the rest of a unit: its later fragments are orphans', async (t) => {
  const idr = new Uint8Array(5000).fill(0x42);
  idr[0] = 0x65;
  const cam = cameraPackets([[SPS, PPS, idr]], 0, 1400, true);
  const pz = new H264Packetizer({ mtu: 1200 });
  const r = new H264Refragmenter(pz);
  const buf = new Uint8Array(1200);
  const out: Out[] = [];
  r.push(cam[0].payload, 0, cam[0].marker);
  drain(r, buf, out);
  r.push(cam[1].payload, 0, cam[1].marker);
  drain(r, buf, out);
  const before = out.length;
  r.abort();
  for (const p of cam.slice(3)) {
    r.push(p.payload, p.timestamp, p.marker);
    drain(r, buf, out);
  }
  t.equal(out.length, before, 'nothing more of the unit');
  t.ok(r.stats.orphanFragments >= 1);
});

t.test('a non-slice unit too big for one camera packet (a large SEI) is reassembled and held: the unit still opens as a keyframe', async (t) => {
  const sei = new Uint8Array(3000).fill(0x11);
  sei[0] = 0x06;
  const idr = new Uint8Array(2000).fill(0x22);
  idr[0] = 0x65;
  const cam = cameraPackets([[SPS, PPS, sei, idr]], 0, 1400, true);
  const { out, r } = refragment(cam, 1200, { insertParameterSets: false });
  t.ok(out[0].unitStart && out[0].keyframe, 'the first egress packet starts a keyframe unit');
  const { d, aus } = collector();
  for (const o of out) d.push(o.packet);
  d.flush();
  t.same(aus.map((a) => toHex(a.nalus)), [toHex([SPS, PPS, sei, idr])], 'same units, same order');
  t.equal(r.stats.held, 3);
});

t.test('Amatek AR-N3222F: SPS+PPS+IDR with Annex-B start codes inside one FU-A typed SPS is held whole, split, and opens a keyframe unit', async (t) => {
  const idr = new Uint8Array(100_000).map((_, i) => (i % 251) + 1); // no zero bytes: no start code inside
  idr[0] = 0x65;
  const code = Uint8Array.of(0, 0, 0, 1);
  const whole = Buffer.concat([SPS, code, PPS, code, idr]);
  // The camera's FU-A: header from the first NAL unit (the SPS), 1400-byte packets, marker on the last.
  const cam: RtpPacket[] = [];
  for (let o = 1, seq = 0; o < whole.length; o += 1388, seq++) {
    const piece = whole.subarray(o, Math.min(whole.length, o + 1388));
    const last = o + 1388 >= whole.length;
    const fu = Buffer.concat([Uint8Array.of(0x7c, (o === 1 ? 0x80 : 0) | (last ? 0x40 : 0) | 7), piece]);
    cam.push(parseRtp(Buffer.concat([Uint8Array.of(0x80, last ? 0xe0 : 0x60, 0, seq, 0, 0, 0x0b, 0xb8, 0, 0, 0, 1), fu])));
  }
  const p = hex('4188840021');
  cam.push(parseRtp(Buffer.concat([Uint8Array.of(0x80, 0xe0, 0, cam.length, 0, 0, 0x17, 0x70, 0, 0, 0, 1), p])));
  const { out, r } = refragment(cam, 1200);
  t.ok(out[0].unitStart && out[0].keyframe, 'the first egress packet starts a keyframe unit');
  t.equal(r.stats.annexBSplits, 1);
  t.equal(r.stats.heldDropped, 0);
  const { d, aus } = collector();
  for (const o of out) d.push(o.packet);
  d.flush();
  t.same(aus.map((a) => toHex(a.nalus)), [toHex([SPS, PPS, idr]), toHex([p])], 'its units, then the next unit');
  t.ok(aus.every((a) => a.complete));
  t.equal(out.filter((o) => o.packet.marker).length, 2, 'one marker per unit');
});

t.test('"Chinese buggy cameras" (gortsplib#199): SPS+PPS+IDR behind start codes in one single-NAL packet typed SPS', async (t) => {
  const idr = hex('6588840021');
  const code = Uint8Array.of(0, 0, 0, 1);
  const payload = Buffer.concat([SPS, code, PPS, code, idr]);
  const cam = [parseRtp(Buffer.concat([Uint8Array.of(0x80, 0xe0, 0, 1, 0, 0, 0x0b, 0xb8, 0, 0, 0, 1), payload]))];
  const { out, r } = refragment(cam, 1200);
  t.ok(out[0].unitStart && out[0].keyframe && out[0].packet.marker);
  t.equal(r.stats.annexBSplits, 1);
  const { d, aus } = collector();
  for (const o of out) d.push(o.packet);
  d.flush();
  t.same(aus.map((a) => toHex(a.nalus)), [toHex([SPS, PPS, idr])]);
});
