/**
 * The WebSocket fallback's fan-out cost: one video track (frame forwarding, camwire's
 * packetizer) fanned out to N WebSocket viewers (Fmp4VideoSink + Fmp4Session each, writing to
 * stand-in connections that only count bytes), against the same track with N sinks that do
 * nothing (the track's own work), on virtual time: CPU per delivered fragment and per egress
 * packet per viewer, and the bytes each viewer is sent beside the RTP a WebRTC viewer gets.
 */
import { H264Packetizer } from '../lib/h264/packetizer.js';
import { VideoTrack } from '../lib/gateway/video-track.js';
import type { TrackSink } from '../lib/gateway/track-sink.js';
import { Fmp4Session, type MessageChannel } from '../lib/http/fmp4-session.js';
import { Fmp4VideoSink } from '../lib/http/fmp4-video-sink.js';
import { VirtualClock } from '../test/support/fake-transport.js';
import { PPS, SPS } from '../test/support/h264-synthetic.js';
import { measureNs, withPeer, type Benchmark, type BenchResult } from './harness.js';

class CountingChannel implements MessageChannel {
  readonly bufferedBytes = 0;
  bytes = 0;
  messages = 0;
  sendBinary(data: Uint8Array): void {
    this.bytes += data.length;
    this.messages++;
  }
}

class NullSink implements TrackSink {
  state: TrackSink['state'] = 'connecting';
  packets = 0;
  bytes = 0;
  waitForKeyframe(): void {
    this.state = 'playing';
  }
  startFromCache(): void {
    this.state = 'playing';
  }
  sendLive(packet: Uint8Array): void {
    this.packets++;
    this.bytes += packet.length;
  }
  tick(): void {}
  close(): void {}
}

const FPS = 25;
const GOP = 25;

/** ~2 Mbit/s at 25 fps: a 60 KB IDR every second, 9 KB P-frames (as the RTSP server's bench). */
function makeFeed(track: VideoTrack) {
  const idr = new Uint8Array(60_000).map((_, i) => ((i * 13) & 0xff) | 1);
  idr[0] = 0x65;
  const p = new Uint8Array(9_000).map((_, i) => ((i * 7) & 0xff) | 1);
  p[0] = 0x41;
  let n = 0;
  return () => {
    const key = n % GOP === 0;
    track.onAccessUnit({ nalus: key ? [SPS, PPS, idr] : [p], timestamp: (n * (90_000 / FPS)) >>> 0, keyframe: key });
    n++;
  };
}

function run(viewers: number, kind: 'websocket' | 'null') {
  const clock = new VirtualClock();
  const track = new VideoTrack({
    packetizer: new H264Packetizer({ mtu: 1200 }), history: { put() {}, get: () => undefined }, clock, forwarding: 'frame',
    owner: { requestKeyframe: () => {}, keyframeSent: () => {} },
    keyframeCache: { maxAgeMs: 30_000, maxBytes: 8 << 20 }, keyframeOnJoin: false, timestampJumpMs: 10_000,
    firstSequenceNumber: 1, firstTimestamp: 0, ssrc: 1,
  });
  const feed = makeFeed(track);
  const channels: CountingChannel[] = [];
  const nulls: NullSink[] = [];
  for (let i = 0; i < viewers; i++) {
    let sink: TrackSink;
    if (kind === 'websocket') {
      const channel = new CountingChannel();
      channels.push(channel);
      sink = new Fmp4VideoSink(new Fmp4Session({ clock, channel, requestKeyframe: () => {}, giveUp: () => {} }));
    } else {
      sink = new NullSink();
      nulls.push(sink as NullSink);
    }
    track.addSink(sink);
    track.open(sink);
  }
  feed(); // the first keyframe starts every viewer
  const packetsBefore = track.stats().packetsOut;
  const iterations = 250;
  const runs = 7;
  const warmup = 50;
  const perFrame = measureNs(() => feed(), { iterations, runs, warmup });
  const frames = iterations * runs + warmup;
  const packetsPerFrame = (track.stats().packetsOut - packetsBefore) / frames;
  return { perFrame, packetsPerFrame, frames, channels, nulls, track };
}

function fanout(viewers: number): BenchResult {
  const ws = run(viewers, 'websocket');
  const base = run(viewers, 'null');
  const extraPerFrame = ws.perFrame.median - base.perFrame.median;
  const c = ws.channels[0];
  const rtpBytesPerFrame = base.nulls[0].bytes / base.nulls[0].packets * base.packetsPerFrame;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return withPeer(`websocket.fanout.${viewers}`, 'ns/frame', ws.perFrame, 'null sinks (the track alone)', base.perFrame, {
    viewers,
    packetsPerFrame: round1(ws.packetsPerFrame),
    /** CPU of one viewer per fragment it was sent (one fragment per frame), beyond the track's own. */
    nsPerFragmentPerViewer: round1(extraPerFrame / viewers),
    nsPerPacketPerViewer: round1(extraPerFrame / viewers / ws.packetsPerFrame),
    /** What one viewer is sent per second, and the RTP (headers included) a WebRTC viewer gets. */
    bytesPerViewerPerSecond: Math.round((c.bytes / (c.messages || 1)) * FPS),
    rtpBytesPerViewerPerSecond: Math.round(rtpBytesPerFrame * FPS),
  });
}

export const benchmarks: Benchmark[] = [
  {
    name: 'websocket.fanout',
    run: () => {
      fanout(10); // JIT warm-up of the whole path, discarded
      return [fanout(1), fanout(10), fanout(50)];
    },
  },
];
