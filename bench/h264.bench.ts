/**
 * H.264 per-packet costs on a realistic 1080p30 stream (one GOP per second: a 150 KB IDR with
 * SPS/PPS, then 29 P frames of 12-18 KB), 1200-byte RTP packets.
 *  - depacketize: camwire H264Depacketizer vs werift-rtp's dePacketizeRtpPackets (per frame);
 *  - packetize from length-prefixed (AVC) frames: camwire H264Packetizer writing into one reused
 *    buffer vs libdatachannel's native H264RtpPacketizer (node-datachannel).
 * libdatachannel's packetizer only runs inside a Track's send path. On a Track that is not open it
 * packetizes, then the send throws "Track is not open"; the same send on a Track without the
 * handler throws at once. The difference of the two is the packetizer's own cost.
 */
import { RtpPacket as WeriftRtpPacket, dePacketizeRtpPackets } from 'werift-rtp';
import { parseRtp, type RtpPacket } from '../lib/rtp/packet.js';
import { H264Depacketizer } from '../lib/h264/depacketizer.js';
import { H264Packetizer } from '../lib/h264/packetizer.js';
import { joinAvc, splitAvc } from '../lib/h264/nal.js';
import { measureNs, withPeer, round, type Benchmark, type Measurement } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';

/** A NAL unit of `size` bytes with no start code inside (as an encoder's output). */
function nal(header: number, size: number, seed: number): Uint8Array {
  const out = pseudoRandomBytes(size, seed);
  out[0] = header;
  for (let i = 2; i < size; i++) if (out[i - 2] === 0 && out[i - 1] === 0 && out[i] <= 3) out[i] = 0x80;
  if (out[size - 1] === 0) out[size - 1] = 0x80;
  return out;
}

const SPS = Uint8Array.from([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x84]);
const PPS = Uint8Array.from([0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]);

/** One second of 1080p30: access units as NAL lists. */
function gop(): Uint8Array[][] {
  const aus: Uint8Array[][] = [[SPS, PPS, nal(0x65, 150_000, 7)]];
  for (let i = 1; i < 30; i++) aus.push([nal(0x41, 12_000 + ((i * 2_777) % 6_000), 100 + i)]);
  return aus;
}

const aus = gop();
let sink = 0;

function packetsOf(): { packets: RtpPacket[]; perFrame: RtpPacket[][] } {
  const p = new H264Packetizer({ payloadType: 96, ssrc: 0x11223344, sequenceNumber: 65000 });
  const perFrame = aus.map((au, i) => p.packetize(au, 90000 + i * 3000).map((b) => parseRtp(b)));
  return { packets: perFrame.flat(), perFrame };
}

function perPacket(m: Measurement, packetsPerCall: number): Measurement {
  return { ...m, median: round(m.median / packetsPerCall), min: round(m.min / packetsPerCall), max: round(m.max / packetsPerCall) };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'h264.depacketize',
    run() {
      const { packets, perFrame } = packetsOf();
      const n = packets.length;
      // Units handed out to keep (the library default: carved from slabs), as werift's are;
      // then as the gateway's camera leg takes them (views valid during the callback only).
      const measure = (transientUnits: boolean) => {
        let units = 0;
        const d = new H264Depacketizer(() => { units++; }, { transientUnits });
        // sequence numbers continue across laps and runs so the stream never looks replayed
        let next = 0;
        const m = measureNs(() => {
          const pkt = packets[next % n];
          pkt.sequenceNumber = next++ & 0xffff;
          d.push(pkt);
        }, { iterations: n * 2, runs: 61, warmup: n * 10 });
        sink += units;
        return { m, errors: d.stats.malformed + d.stats.lostPackets + d.stats.accessUnitsIncomplete };
      };
      const own = measure(false);
      const transient = measure(true);
      const wFrames = perFrame.map((frame) => frame.map((p) => WeriftRtpPacket.deSerialize(Buffer.from(serialize(p)))));
      const werift = measureNs((i) => {
        sink += dePacketizeRtpPackets('MPEG4/ISO/AVC', wFrames[i % wFrames.length]).data.length;
      }, { iterations: wFrames.length * 4, runs: 9 });
      const peer = perPacket(werift, n / wFrames.length);
      return [
        withPeer('h264.depacketize', 'ns/packet', own.m, 'werift-rtp dePacketizeRtpPackets', peer, { packetsPerGop: n, errors: own.errors, units: 'kept (slab)' }),
        withPeer('h264.depacketize.transient', 'ns/packet', transient.m, 'werift-rtp dePacketizeRtpPackets', peer, { packetsPerGop: n, errors: transient.errors, units: 'valid during the callback (the gateway)' }),
      ];
    },
  },
  {
    name: 'h264.packetize',
    async run() {
      const frames = aus.map((au) => joinAvc(au));
      const frameBuffers = frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
      const p = new H264Packetizer({ payloadType: 96, ssrc: 0x11223344 });
      const slot = new Uint8Array(1200);
      const packetsPerGop = aus.reduce((s, au) => s + p.packetize(au, 0).length, 0);
      const perFrame = packetsPerGop / aus.length;
      const own = measureNs((i) => {
        p.start(splitAvc(frames[i % frames.length]), i * 3000);
        for (let len = p.writeNext(slot); len > 0; len = p.writeNext(slot)) sink += len;
      }, { iterations: frames.length * 2, runs: 61 });
      const result = withPeer('h264.packetize', 'ns/packet', perPacket(own, perFrame), undefined, undefined, { packetsPerGop, input: 'length-prefixed' });

      // imported here so that loading this file (for other benchmarks) does not load the native module
      const ndc = (await import('node-datachannel')).default as unknown as NdcModule;
      const pc = new ndc.PeerConnection('bench', { iceServers: [] });
      try {
        const withHandler = track(ndc, pc, '0', 1);
        withHandler.setMediaHandler(new ndc.H264RtpPacketizer('Length', new ndc.RtpPacketizationConfig(1, 'c', 96, 90000), 1200 - 12));
        const bare = track(ndc, pc, '1', 2);
        const send = (t: NdcTrack) => (i: number) => { try { t.sendMessageBinary(frameBuffers[i % frameBuffers.length]); } catch { sink++; } };
        const opts = { iterations: frames.length * 2, runs: 31 };
        const full = measureNs(send(withHandler), opts);
        const base = measureNs(send(bare), opts);
        const peer: Measurement = { median: round(full.median - base.median), min: round(full.min - base.max), max: round(full.max - base.min), runs: full.runs };
        return [withPeer('h264.packetize', 'ns/packet', result, 'libdatachannel H264RtpPacketizer', perPacket(peer, perFrame),
          { packetsPerGop, input: 'length-prefixed', peerMethod: 'send on a closed Track with minus without the handler' })];
      } finally {
        pc.close();
        ndc.cleanup();
      }
    },
  },
];

function serialize(p: RtpPacket): Uint8Array {
  const out = new Uint8Array(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  out[2] = p.sequenceNumber >> 8;
  out[3] = p.sequenceNumber & 0xff;
  new DataView(out.buffer).setUint32(4, p.timestamp);
  new DataView(out.buffer).setUint32(8, p.ssrc);
  out.set(p.payload, 12);
  return out;
}

interface NdcTrack { setMediaHandler(h: unknown): void; sendMessageBinary(b: Buffer): boolean }
interface NdcModule {
  PeerConnection: new (name: string, cfg: { iceServers: string[] }) => { addTrack(v: unknown): NdcTrack; close(): void };
  Video: new (mid: string, dir: string) => { addH264Codec(pt: number): void; addSSRC(ssrc: number, cname: string, msid: string, track: string): void };
  H264RtpPacketizer: new (sep: string, cfg: unknown, maxFragment: number) => unknown;
  RtpPacketizationConfig: new (ssrc: number, cname: string, pt: number, clock: number) => unknown;
  cleanup(): void;
}

function track(ndc: NdcModule, pc: { addTrack(v: unknown): NdcTrack }, mid: string, ssrc: number): NdcTrack {
  const v = new ndc.Video(mid, 'SendOnly');
  v.addH264Codec(96);
  v.addSSRC(ssrc, 'bench', 'bench', 'video');
  return pc.addTrack(v);
}

export const _sink = () => sink;
