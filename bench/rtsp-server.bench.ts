/**
 * The RTSP server's per-packet cost: one clip mount (a stream's video track: packetize once,
 * one copy per packet) fanned out to N interleaved (TCP) or UDP viewers whose sockets are stand-ins that only count bytes, on virtual
 * time, so what is measured is camwire's own work per frame, not the kernel's.
 */
import { loadH264Clip } from '../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../lib/rtsp/server/media-source.js';
import { clipMount } from '../lib/rtsp/server/clip-mount.js';
import { InterleavedOutput, UdpOutput } from '../lib/rtsp/server/outputs.js';
import { VirtualScheduler } from '../test/support/virtual-clock.js';
import { syntheticNalus } from '../test/support/h264-synthetic.js';
import { measureNs, withPeer, type Benchmark, type BenchResult } from './harness.js';

class CountingWriter {
  writableLength = 0;
  bytes = 0;
  write(chunk: Uint8Array): boolean {
    this.bytes += chunk.length;
    return true;
  }
}

function fanout(viewers: number, kind: 'tcp' | 'udp'): BenchResult {
  const clock = new VirtualScheduler();
  // ~2 Mbit/s at 25 fps: 60 KB IDR every second, 9 KB P-frames
  const source = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 50, gop: 25, idrBytes: 60000, sliceBytes: 9000 })), 25);
  const stream = clipMount('bench', source, { clock: clock });
  const udpSink = { send: () => {} };
  for (let i = 0; i < viewers; i++) {
    stream.attach(kind === 'tcp'
      ? new InterleavedOutput(stream, new CountingWriter(), { rtpChannel: 0, rtcpChannel: 1, disconnect: () => {} })
      : new UdpOutput(stream, udpSink, udpSink, '127.0.0.1', 5000, 5001));
  }
  clock.advance(1000); // past the start-up keyframe
  const before = stream.stats().packets;
  const perFrame = measureNs(() => clock.advance(40), { iterations: 500, runs: 7, warmup: 100 });
  const frames = 500 * 7 + 100;
  const packetsPerFrame = (stream.stats().packets - before) / frames;
  const nsPerPacketViewer = Math.round((perFrame.median / packetsPerFrame / viewers) * 10) / 10;
  return withPeer(`rtsp-server.fanout.${kind}.${viewers}`, 'ns/frame', perFrame, undefined, undefined, {
    viewers, packetsPerFrame: Math.round(packetsPerFrame * 10) / 10, nsPerPacketPerViewer: nsPerPacketViewer,
  });
}

export const benchmarks: Benchmark[] = [
  {
    name: 'rtsp-server.fanout',
    run: () => {
      fanout(10, 'tcp'); // JIT warm-up of the whole path, discarded
      return [fanout(1, 'tcp'), fanout(10, 'tcp'), fanout(10, 'udp')];
    },
  },
];
