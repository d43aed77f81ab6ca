/** RTP parse and serialize of 1200-byte packets: camwire vs werift-rtp vs a byte-index floor. */
import { RtpPacket as WeriftRtpPacket } from 'werift-rtp';
import { parseRtp, serializeRtp } from '../lib/rtp/packet.js';
import { bytesPerCall, measureNs, withPeer, type Benchmark } from './harness.js';
import { rtpPackets } from './fixtures.js';

const packets = rtpPackets(1024);
const buffers = packets.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
const mask = packets.length - 1;
let sink = 0;

/** The floor: read the header fields by byte index and take a payload view, nothing else. */
function baselineParse(b: Uint8Array): number {
  const seq = (b[2] << 8) | b[3];
  const ts = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
  const ssrc = ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) >>> 0;
  const payload = b.subarray(12 + (b[0] & 0x0f) * 4);
  return seq + ts + ssrc + payload.length;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'rtp.parse',
    run() {
      const opts = { iterations: 200_000, runs: 9 };
      const own = measureNs((i) => { sink += parseRtp(packets[i & mask]).payload.length; }, opts);
      const werift = measureNs((i) => { sink += WeriftRtpPacket.deSerialize(buffers[i & mask]).payload.length; }, { iterations: 20_000, runs: 9 });
      const floor = measureNs((i) => { sink += baselineParse(packets[i & mask]); }, opts);
      const bytes = bytesPerCall((i) => { sink += parseRtp(packets[i & mask]).payload.length; });
      const weriftBytes = bytesPerCall((i) => { sink += WeriftRtpPacket.deSerialize(buffers[i & mask]).payload.length; });
      return [
        withPeer('rtp.parse', 'ns/packet', own, 'werift-rtp', werift, {
          floorNs: floor.median, vsFloor: Math.round((own.median / floor.median) * 100) / 100,
          bytesAllocatedPerPacket: bytes, weriftBytesAllocatedPerPacket: weriftBytes,
        }),
      ];
    },
  },
  {
    name: 'rtp.serialize',
    run() {
      const parsed = packets.map((p) => parseRtp(p));
      const wparsed = buffers.map((b) => WeriftRtpPacket.deSerialize(b));
      const out = new Uint8Array(1500);
      const own = measureNs((i) => { sink += serializeRtp(parsed[i & mask], out).length; }, { iterations: 200_000, runs: 9 });
      const werift = measureNs((i) => { sink += wparsed[i & mask].serialize().length; }, { iterations: 20_000, runs: 9 });
      const bytes = bytesPerCall((i) => { sink += serializeRtp(parsed[i & mask], out).length; });
      const weriftBytes = bytesPerCall((i) => { sink += wparsed[i & mask].serialize().length; });
      return [withPeer('rtp.serialize', 'ns/packet', own, 'werift-rtp', werift, { bytesAllocatedPerPacket: bytes, weriftBytesAllocatedPerPacket: weriftBytes })];
    },
  },
];

export const _sink = () => sink;
