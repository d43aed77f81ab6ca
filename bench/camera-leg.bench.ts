/**
 * Camera leg per packet, in order over UDP (jitter + reorder buffer + NACK generator +
 * H.264 depacketizer) against the depacketizer alone (what TCP costs), on 1000-byte FU-A packets.
 */
import { CameraLeg } from '../lib/ingest/camera-leg.js';
import { H264Depacketizer, H264Packetizer } from '../lib/h264/index.js';
import { parseRtp, type RtpPacket } from '../lib/rtp/packet.js';
import type { RtspSessionInfo, RtspTrack } from '../lib/rtsp/client/types.js';
import { measureNs, withPeer, type Benchmark } from './harness.js';

let sink = 0;

/** 1024 packets (FU-A, 4 per frame); each use rewrites seq and timestamp so the stream never repeats. */
function packets(): RtpPacket[] {
  const pz = new H264Packetizer({ mtu: 1000, sequenceNumber: 0 });
  const out: RtpPacket[] = [];
  const scratch = new Uint8Array(1000);
  for (let f = 0; out.length < 1024; f++) {
    const nal = new Uint8Array(3500).fill(7);
    nal[0] = 0x41;
    pz.start([nal], f * 3000);
    for (let n = pz.writeNext(scratch); n > 0; n = pz.writeNext(scratch)) out.push(parseRtp(scratch.slice(0, n)));
  }
  return out.slice(0, 1024);
}

const noTimers = { now: () => clock, wallClock: () => clock, setTimer: () => ({ cancel() {} }) };
let clock = 0;

export const benchmarks: Benchmark[] = [
  {
    name: 'camera-leg.in-order',
    run() {
      const pkts = packets();
      const track = { index: 0, payloadType: 96, clockRate: 90000, control: 'x', sdp: { formats: [] } } as unknown as RtspTrack;
      const info = { transport: 'udp', tracks: [track], rtpInfo: [] } as unknown as RtspSessionInfo;
      const leg = new CameraLeg({ clock: noTimers, upstream: { sendNack: () => true, requestKeyframe: () => true }, onAccessUnit: (au) => { sink += au.size; } });
      leg.start(info, track);
      let n = 0;
      // A running counter, not the harness's index (which restarts each run): the stream never jumps back.
      const feed = (_: number, push: (p: RtpPacket) => void) => {
        const i = n++;
        const p = pkts[i & 1023];
        p.sequenceNumber = i & 0xffff;
        p.timestamp = ((i >> 2) * 3000) >>> 0;
        p.marker = (i & 3) === 3;
        clock = i * 0.05;
        push(p);
      };
      const opts = { iterations: 200_000, runs: 9 };
      const own = measureNs((i) => feed(i, (p) => leg.onRtp(p)), opts);
      n = 0;
      const dep = new H264Depacketizer((au) => { sink += au.size; });
      const plain = measureNs((i) => feed(i, (p) => dep.push(p)), opts);
      return [withPeer('camera-leg.in-order', 'ns/packet', own, 'depacketizer alone', plain, { sink: sink > 0 })];
    },
  },
];
