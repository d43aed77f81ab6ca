/**
 * Outputs other than WebRTC viewers (the RTSP server's) on a Stream's video track: TrackSinks
 * added with addOutput, fed the same egress packets as the viewers' senders, keeping the source
 * running on demand; a stream made without a WebRTC transport refuses viewers.
 */
import t from 'tap';
import { readU32 } from '../../lib/rtp/packet.js';
import { seqAdd } from '../../lib/rtp/seq.js';
import { Stream } from '../../lib/gateway/stream.js';
import { GatewayError } from '../../lib/gateway/errors.js';
import type { CachedKeyframe } from '../../lib/gateway/keyframe-cache.js';
import type { SinkState, TrackSink } from '../../lib/gateway/track-sink.js';
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { FakeTransport, VirtualClock } from '../support/fake-transport.js';
import { createDeps } from '../../lib/gateway/default-deps.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

class ManualSource implements VideoSource {
  sink: SourceSink | undefined;
  starts = 0;
  stops = 0;
  ts = 0;
  start(sink: SourceSink): void {
    this.starts++;
    this.sink = sink;
    sink.onState('playing');
  }
  stop(): void {
    this.stops++;
    this.sink = undefined;
  }
  requestKeyframe(): void {}
  info(): SourceInfo {
    return { profileLevelId: '42e01f' };
  }
  stats() {
    return {};
  }
  frame(keyframe: boolean, size = 3000): void {
    const nalus = keyframe
      ? [new Uint8Array([0x67, 0x42, 0xe0, 0x1f]), new Uint8Array([0x68, 0xce]), new Uint8Array(size).fill(0x65, 0, 1)]
      : [new Uint8Array(size).fill(0x41, 0, 1)];
    const au: AccessUnit = { nalus, keyframe, timestamp: this.ts };
    this.ts = (this.ts + 3000) >>> 0;
    this.sink?.onAccessUnit(au);
  }
}

/** Records the egress numbering it is given (from the arguments: shared headers may be rewritten). */
class RecordingSink implements TrackSink {
  state: SinkState = 'connecting';
  seqs: number[] = [];
  headerSeqs: number[] = [];
  ticks = 0;
  waitForKeyframe(): void {
    this.state = 'waiting-keyframe';
  }
  startFromCache(cache: CachedKeyframe): void {
    this.state = 'playing';
    cache.packets.forEach((_, i) => this.seqs.push(seqAdd(cache.firstSeq, i)));
  }
  sendLive(packet: Uint8Array, seq: number, _ts: number, keyframeStart: boolean): void {
    if (this.state === 'waiting-keyframe' && keyframeStart) this.state = 'playing';
    if (this.state !== 'playing') return;
    this.seqs.push(seq);
    this.headerSeqs.push(readU32(packet, 0) & 0xffff);
  }
  tick(): void {
    this.ticks++;
  }
  close(): void {
    this.state = 'closed';
  }
}

function setup(transport: FakeTransport | undefined) {
  const clock = new VirtualClock();
  const source = new ManualSource();
  const stream = new Stream('cam', source, transport, createDeps({}, { clock }), { idleStopMs: 1000 });
  return { clock, source, stream };
}

t.test('an output starts the source, gets every packet after a keyframe, and keeps the source running', async (t) => {
  const { clock, source, stream } = setup(new FakeTransport());
  const out = new RecordingSink();
  stream.addOutput(out);
  t.equal(source.starts, 1, 'started for the output');
  t.equal(out.state, 'waiting-keyframe', 'nothing cached yet: it waits');
  source.frame(false);
  source.frame(true);
  source.frame(false);
  t.equal(out.state, 'playing');
  const first = out.seqs[0];
  t.same(out.seqs, out.seqs.map((_, i) => seqAdd(first, i)), 'every packet from the keyframe on, in order');
  stream.tick();
  t.equal(out.ticks, 1, 'ticked with the track');
  clock.advance(5000);
  stream.tick();
  t.equal(source.stops, 0, 'an output keeps an on-demand source running');
  stream.removeOutput(out);
  t.equal(out.state, 'closed');
  clock.advance(1000);
  stream.tick();
  t.equal(source.stops, 1, 'stopped idleStopMs after the last output left');
  t.ok(stream.idle);
});

t.test('a WebRTC viewer and an output share one egress numbering; the output reads it from the arguments', async (t) => {
  const transport = new FakeTransport();
  const { source, stream } = setup(transport);
  const viewer = await stream.addViewer(CHROMIUM_OFFER);
  transport.peers[0].open();
  const out = new RecordingSink();
  stream.addOutput(out);
  source.frame(true);
  for (let i = 0; i < 3; i++) source.frame(false);
  t.ok(out.seqs.length > 4);
  t.equal(viewer.sender('video')!.stats.packetsSent, out.seqs.length, 'the same packets');
  t.not(out.headerSeqs.join(), out.seqs.join(), "shared headers carry the viewer's own numbers by the time the output sees them");
});

t.test('a stream without a WebRTC transport refuses viewers with a typed error', async (t) => {
  const { stream } = setup(undefined);
  const err = await stream.addViewer(CHROMIUM_OFFER).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof GatewayError && err.code === 'TRANSPORT_CLOSED', `refused: ${String(err)}`);
  t.equal(stream.viewerCount, 0);
});
