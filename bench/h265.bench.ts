/**
 * H.265 per-packet costs on the same shape of stream as bench/h264.bench.ts (1080p30, one GOP
 * a second: a 150 KB IRAP with VPS/SPS/PPS, then 29 trailing pictures of 12-18 KB), 1200-byte
 * RTP packets. The reference is camwire's own H.264 depacketizer/packetizer on the H.264 form
 * of the same stream (no other JavaScript RFC 7798 depacketizer is installed here).
 */
import { parseRtp, type RtpPacket } from '../lib/rtp/packet.js';
import { H264Depacketizer } from '../lib/h264/depacketizer.js';
import { H264Packetizer } from '../lib/h264/packetizer.js';
import { H265Depacketizer } from '../lib/h265/depacketizer.js';
import { H265Packetizer } from '../lib/h265/packetizer.js';
import { measureNs, withPeer, round, type Benchmark, type Measurement } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';

/** A NAL unit of `size` bytes behind `header` (1 or 2 bytes), with no start code inside. */
function nal(header: readonly number[], size: number, seed: number): Uint8Array {
  const out = pseudoRandomBytes(size, seed);
  out.set(header, 0);
  for (let i = 2; i < size; i++) if (out[i - 2] === 0 && out[i - 1] === 0 && out[i] <= 3) out[i] = 0x80;
  if (out[size - 1] === 0) out[size - 1] = 0x80;
  return out;
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const H265_PS = [
  hex('40010c01ffff01600000030090000003000003003c959809'),
  hex('42010101600000030090000003000003003ca00a080b9f796566924caf016808000003000800000300c840'),
  hex('4401c172b46240'),
];
const H264_PS = [Uint8Array.from([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x84]), Uint8Array.from([0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0])];

function gop(h265: boolean): Uint8Array[][] {
  const key = h265 ? [0x26, 0x01] : [0x65];
  const trail = h265 ? [0x02, 0x01] : [0x41];
  const aus: Uint8Array[][] = [[...(h265 ? H265_PS : H264_PS), nal(key, 150_000, 7)]];
  for (let i = 1; i < 30; i++) aus.push([nal(trail, 12_000 + ((i * 2_777) % 6_000), 100 + i)]);
  return aus;
}

let sink = 0;

function packetsOf(h265: boolean): RtpPacket[] {
  const aus = gop(h265);
  const p = h265 ? new H265Packetizer({ sequenceNumber: 65000 }) : new H264Packetizer({ sequenceNumber: 65000 });
  return aus.flatMap((au, i) => p.packetize(au, 90000 + i * 3000).map((b) => parseRtp(b)));
}

function depacketize(h265: boolean, transientUnits: boolean): { m: Measurement; packets: number; errors: number } {
  const packets = packetsOf(h265);
  const n = packets.length;
  let units = 0;
  const d = h265 ? new H265Depacketizer(() => { units++; }, { transientUnits }) : new H264Depacketizer(() => { units++; }, { transientUnits });
  // sequence numbers continue across laps and runs so the stream never looks replayed
  let next = 0;
  const m = measureNs(() => {
    const pkt = packets[next % n];
    pkt.sequenceNumber = next++ & 0xffff;
    d.push(pkt);
  }, { iterations: n * 2, runs: 61, warmup: n * 10 });
  sink += units;
  return { m, packets: n, errors: d.stats.malformed + d.stats.lostPackets + d.stats.accessUnitsIncomplete };
}

function packetize(h265: boolean): { m: Measurement; packets: number } {
  const aus = gop(h265);
  const p = h265 ? new H265Packetizer() : new H264Packetizer();
  const slot = new Uint8Array(1200);
  const packets = aus.reduce((s, au) => s + p.packetize(au, 0).length, 0);
  const m = measureNs((i) => {
    p.start(aus[i % aus.length], i * 3000);
    for (let len = p.writeNext(slot); len > 0; len = p.writeNext(slot)) sink += len;
  }, { iterations: aus.length * 2, runs: 61 });
  const per = packets / aus.length;
  return { m: { ...m, median: round(m.median / per), min: round(m.min / per), max: round(m.max / per) }, packets };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'h265.depacketize',
    run() {
      const out = [];
      for (const transientUnits of [false, true]) {
        const own = depacketize(true, transientUnits);
        const ref = depacketize(false, transientUnits);
        const name = transientUnits ? 'h265.depacketize.transient' : 'h265.depacketize';
        out.push(withPeer(name, 'ns/packet', own.m, 'camwire H264Depacketizer (same stream as H.264)', ref.m, {
          packetsPerGop: own.packets, errors: own.errors, units: transientUnits ? 'valid during the callback (the gateway)' : 'kept',
        }));
      }
      return out;
    },
  },
  {
    name: 'h265.packetize',
    run() {
      const own = packetize(true);
      const ref = packetize(false);
      return [withPeer('h265.packetize', 'ns/packet', own.m, 'camwire H264Packetizer (same stream as H.264)', ref.m, { packetsPerGop: own.packets })];
    },
  },
];

export const _sink = () => sink;
