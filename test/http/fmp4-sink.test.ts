/**
 * The WebSocket fallback's sink on a real video track (frame forwarding, camwire's packetizer):
 * the init segment once SPS/PPS are known, one fragment per unit from the cached keyframe on;
 * a slow reader never holds more than maxBufferedBytes and resumes only on a keyframe; a stuck
 * one, or a stream without parameter sets, is given up after its named timeout.
 */
import t from 'tap';
import fc from 'fast-check';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { VideoTrack } from '../../lib/gateway/video-track.js';
import { Fmp4Session, FMP4_SESSION_DEFAULTS, type Fmp4GiveUpCode, type MessageChannel } from '../../lib/http/fmp4-session.js';
import { Fmp4VideoSink } from '../../lib/http/fmp4-video-sink.js';
import { VirtualClock } from '../support/fake-transport.js';
import { PPS, SPS } from '../support/h264-synthetic.js';
import { find, readBoxes, readFragment } from '../support/mp4-boxes.js';

/** A reader whose socket backlog the test drains at will. */
class SlowChannel implements MessageChannel {
  bufferedBytes = 0;
  peak = 0;
  readonly messages: Uint8Array[] = [];
  sendBinary(data: Uint8Array): void {
    this.messages.push(data);
    this.bufferedBytes += data.length;
    if (this.bufferedBytes > this.peak) this.peak = this.bufferedBytes;
  }
  drain(bytes: number): void {
    this.bufferedBytes = Math.max(0, this.bufferedBytes - bytes);
  }
}

const FRAME = 3000;

function setup(o: { maxBufferedBytes?: number; stallTimeoutMs?: number; initTimeoutMs?: number } = {}) {
  const clock = new VirtualClock();
  let keyframeRequests = 0;
  const track = new VideoTrack({
    packetizer: new H264Packetizer({ mtu: 1200 }), history: { put() {}, get: () => undefined }, clock, forwarding: 'frame',
    owner: { requestKeyframe: () => keyframeRequests++, keyframeSent: () => {} },
    keyframeCache: { maxAgeMs: 30_000, maxBytes: 8 << 20 }, keyframeOnJoin: true, timestampJumpMs: 10_000,
    firstSequenceNumber: 65500, firstTimestamp: 0xffff_0000, ssrc: 1,
  });
  const channel = new SlowChannel();
  const gaveUp: Fmp4GiveUpCode[] = [];
  const session = new Fmp4Session({
    clock, channel, requestKeyframe: () => keyframeRequests++, giveUp: (code) => void gaveUp.push(code),
  }, o);
  const sink = new Fmp4VideoSink(session);
  let n = 0;
  /** Unit `n` carries its index in its slice, and timestamp n * FRAME (from the camera's 0x7fff0000). */
  const unit = (keyframe: boolean, size = 2000, parameterSets = true) => {
    const slice = new Uint8Array(size).map((_, i) => ((i * 13) & 0xff) | 1);
    slice[0] = keyframe ? 0x65 : 0x41;
    slice[1] = n >> 8;
    slice[2] = n & 0xff;
    track.onAccessUnit({ nalus: keyframe && parameterSets ? [SPS, PPS, slice] : [slice], timestamp: (0x7fff_0000 + n * FRAME) >>> 0, keyframe });
    n++;
  };
  const join = () => {
    track.addSink(sink);
    track.open(sink);
  };
  return { clock, track, channel, session, sink, unit, join, gaveUp, keyframeRequests: () => keyframeRequests };
}

/** The unit indices each fragment carries (from the slice's marker bytes), and whether it holds an IDR. */
function fragmentUnits(messages: readonly Uint8Array[]): { unit: number; idr: boolean; decodeTime: number }[] {
  return messages.slice(1).map((m) => {
    const f = readFragment(m);
    const data = f.mdat.body;
    let unit = -1;
    let idr = false;
    for (let i = 0; i < data.length; ) {
      const len = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
      const type = data[i + 4] & 0x1f;
      if (type === 5 || type === 1) {
        idr ||= type === 5;
        unit = (data[i + 5] << 8) | data[i + 6];
      }
      i += 4 + len;
    }
    return { unit, idr, decodeTime: f.baseDecodeTime };
  });
}

t.test('init segment first, then a fragment per unit from the cached keyframe on; nothing held back', async (t) => {
  const s = setup();
  s.unit(true);
  s.unit(false);
  s.join();
  t.equal(s.channel.messages.length, 2, 'the init segment and the cached keyframe at once');
  t.ok(find(readBoxes(s.channel.messages[0]), 'moov/trak/mdia/minf/stbl/stsd/avc1/avcC'), 'the first message is the init segment');
  for (let i = 0; i < 5; i++) s.unit(i === 3);
  const got = fragmentUnits(s.channel.messages);
  t.same(got.map((g) => g.unit), [0, 2, 3, 4, 5, 6], 'the cached keyframe, then every live unit as it comes');
  t.same(got.map((g) => g.idr), [true, false, false, false, true, false]);
  t.same(got.map((g) => g.decodeTime), [0, 1, 2, 3, 4, 5].map((k) => k * FRAME), 'the cached keyframe stamped as the newest unit, then the camera\'s steps');
  t.equal(s.session.stats.initSegments, 1);
});

t.test('no keyframe with SPS/PPS yet: the viewer waits, sends nothing broken, and is given up after initTimeoutMs', async (t) => {
  const s = setup({ initTimeoutMs: 2000 });
  s.join();
  s.unit(false);
  s.unit(true, 2000, false);
  s.unit(false);
  t.equal(s.channel.messages.length, 0, 'no init segment without parameter sets');
  t.equal(s.session.stats.keyframesWithoutParameterSets, 1);
  s.clock.advance(1999);
  s.sink.tick();
  t.same(s.gaveUp, []);
  s.unit(true);
  t.equal(s.channel.messages.length, 2, 'a keyframe with them starts it');
  s.clock.advance(10);
  s.sink.tick();
  t.same(s.gaveUp, [], 'started in time: never given up for it');

  const late = setup({ initTimeoutMs: 2000 });
  late.join();
  late.unit(true, 2000, false);
  late.clock.advance(2000);
  late.sink.tick();
  late.sink.tick();
  t.same(late.gaveUp, ['WS_NO_PARAMETER_SETS'], 'given up once');
});

t.test('a reader that never reads is dropped after stallTimeoutMs, holding at most maxBufferedBytes', async (t) => {
  const s = setup({ maxBufferedBytes: 64 * 1024, stallTimeoutMs: 5000 });
  s.join();
  for (let i = 0; i < 300; i++) {
    s.unit(i % 30 === 0, 3000);
    s.clock.advance(33);
    s.sink.tick();
  }
  t.ok(s.channel.peak <= 64 * 1024, `peak backlog ${s.channel.peak}`);
  t.ok(s.session.stats.overflows >= 1);
  t.same(s.gaveUp, ['WS_STALLED']);
});

t.test('property: under any slow reader the backlog stays bounded, and after every skip the next fragment is a keyframe', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ drain: fc.nat({ max: 40_000 }), size: fc.integer({ min: 200, max: 20_000 }) }), { minLength: 20, maxLength: 250 }),
      fc.integer({ min: 2, max: 40 }),
      fc.integer({ min: 16 * 1024, max: 256 * 1024 }),
      (steps, gop, bound) => {
        const s = setup({ maxBufferedBytes: bound, stallTimeoutMs: 1e9 });
        s.unit(true);
        s.join();
        steps.forEach((step, i) => {
          s.unit((i + 1) % gop === 0, step.size);
          s.channel.drain(step.drain);
        });
        if (s.channel.peak > bound + s.channel.messages[0].length) return false;
        const got = fragmentUnits(s.channel.messages);
        for (let k = 1; k < got.length; k++) {
          if (got[k].unit <= got[k - 1].unit) return false;
          if (got[k].unit !== got[k - 1].unit + 1 && !got[k].idr) return false;
          if (got[k].decodeTime !== got[k].unit * FRAME) return false;
        }
        // a reader that caught up is playing again by the next keyframe
        for (let k = 0; k <= gop; k++) {
          s.channel.drain(Infinity);
          s.unit(k === 0);
        }
        return fragmentUnits(s.channel.messages).at(-1)!.unit === steps.length + gop + 1;
      },
    ),
    { numRuns: 150 },
  );
});

t.test('defaults', async (t) => {
  t.same(FMP4_SESSION_DEFAULTS, { maxBufferedBytes: 2 * 1024 * 1024, stallTimeoutMs: 10_000, initTimeoutMs: 10_000 });
  t.ok(Object.isFrozen(FMP4_SESSION_DEFAULTS));
});
