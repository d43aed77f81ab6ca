import t from 'tap';
import fc from 'fast-check';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { H264Error } from '../../lib/h264/errors.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { hex, toHex } from './helpers.js';
import { accessUnitArb } from './arbitraries.js';

const SPS = hex('6742c01e8c8d40');
const PPS = hex('68ce3c80');
const big = (type: number, n: number) => { const b = new Uint8Array(n).fill(0xab); b[0] = 0x60 | type; return b; };

t.test('SPS+PPS+IDR: one STAP-A for the parameter sets, FU-A for the IDR, marker on the last', async (t) => {
  const p = new H264Packetizer({ payloadType: 97, ssrc: 0xdeadbeef, sequenceNumber: 65534 });
  const pkts = p.packetize([SPS, PPS, big(5, 3000)], 90000).map((b) => parseRtp(b));
  t.equal(pkts.length, 4);
  t.ok(pkts.every((q) => q.payloadType === 97 && q.ssrc === 0xdeadbeef && q.timestamp === 90000));
  t.same(pkts.map((q) => q.sequenceNumber), [65534, 65535, 0, 1]);
  t.same(pkts.map((q) => q.marker), [false, false, false, true]);
  t.same(toHex([pkts[0].payload]), ['78' + '0007' + '6742c01e8c8d40' + '0004' + '68ce3c80'], 'STAP-A, NRI = max of the units');
  t.same(pkts.slice(1).map((q) => q.payload[0].toString(16) + ' ' + q.payload[1].toString(16)), ['7c 85', '7c 5', '7c 45']);
  t.ok(pkts.every((q) => q.payload.length + 12 <= 1200));
  t.same(pkts.slice(1).map((q) => q.payload.length + 12), [1200, 1200, 12 + 2 + 2999 - 2 * 1186]);
});

t.test('Axis: SPS/PPS known only from the SDP are inserted before an IDR that lacks them', async (t) => {
  const p = new H264Packetizer({ parameterSets: [SPS, PPS] });
  const first = p.packetize([hex('0910'), big(5, 100)], 0).map((b) => parseRtp(b));
  t.equal(first.length, 1, 'AUD + SPS + PPS + IDR fit in one STAP-A');
  const units: string[] = [];
  const pl = first[0].payload;
  for (let i = 1; i < pl.length;) { const n = (pl[i] << 8) | pl[i + 1]; units.push(pl[i + 2].toString(16)); i += 2 + n; }
  t.same(units, ['9', '67', '68', '65'], 'after the AUD');
  p.packetize([big(1, 100)], 3000);
  t.equal(p.stats.parameterSetsInserted, 1, 'not before P frames');
  p.packetize([SPS, PPS, big(5, 100)], 6000);
  t.equal(p.stats.parameterSetsInserted, 1, 'not when already present');
});

t.test('an IDR with no known parameter sets is counted and sent as is', async (t) => {
  const p = new H264Packetizer();
  t.equal(p.packetize([big(5, 10)], 0).length, 1);
  t.equal(p.stats.idrWithoutParameterSets, 1);
});

t.test('writeNext writes whole RTP packets into a reused caller buffer', async (t) => {
  const p = new H264Packetizer({ mtu: 500 });
  const slot = new Uint8Array(500);
  p.start([big(1, 1200)], 42);
  const lens: number[] = [];
  for (let n = p.writeNext(slot); n > 0; n = p.writeNext(slot)) {
    const q = parseRtp(slot.subarray(0, n));
    lens.push(n);
    t.equal(q.timestamp, 42);
  }
  t.same(lens, [500, 500, 12 + 2 + 1199 - 2 * 486]);
  t.notOk(p.pending);
  t.throws(() => { p.start([big(1, 10)], 0); p.writeNext(new Uint8Array(100)); }, { code: 'H264_BUFFER_TOO_SMALL' });
  t.throws(() => new H264Packetizer({ mtu: 14 }), H264Error);
});

t.test('property: every packet fits the MTU; the marker is on the last packet only', async (t) => {
  fc.assert(fc.property(accessUnitArb, fc.integer({ min: 15, max: 1500 }), (au, mtu) => {
    const p = new H264Packetizer({ mtu, insertParameterSets: false });
    const pkts = p.packetize(au, 0);
    t.ok(pkts.every((b) => b.length <= mtu));
    t.same(pkts.map((b) => parseRtp(b).marker), pkts.map((_, i) => i === pkts.length - 1));
  }), { numRuns: 200 });
});
