/**
 * TranscodeTimeline: Opus packets land on the camera's timeline scaled to 48 kHz, pre-skip
 * removed, exactly (no drift over hours), across the 2^32 wrap, and across jumps.
 */
import t from 'tap';
import fc from 'fast-check';
import { scaleTimestampTo48k, TranscodeTimeline } from '../../lib/audio/transcode-timeline.js';
import { tsAdd } from '../../lib/rtp/seq.js';

const PRE_SKIP = 312; // libopus's lookahead at 48 kHz, as ffmpeg's OpusHead announces it

t.test('a known input timestamp gives the expected output timestamps (16 kHz AAC)', async (t) => {
  const tl = new TranscodeTimeline(16_000, 1024);
  tl.input(1000, false); // 1000 ticks at 16 kHz = 3000 at 48 kHz
  tl.input(2024, false);
  tl.startOutput(PRE_SKIP);
  t.equal(tl.output(960), 3000 - 312, 'first packet starts pre-skip before the first sample');
  t.equal(tl.output(960), 3000 - 312 + 960);
  t.equal(tl.output(960), 3000 - 312 + 1920);
});

t.test('scaling wraps consistently for clock rates dividing 48000', async (t) => {
  t.equal(scaleTimestampTo48k(0xffffffff, 16_000), 0xfffffffd, '(2^32 - 1) * 3 mod 2^32');
  t.equal(scaleTimestampTo48k(0xffffffff, 48_000), 0xffffffff);
  t.equal(scaleTimestampTo48k(441, 44_100), 480);
  for (const rate of [8000, 12_000, 16_000, 24_000, 48_000]) {
    t.equal(tsAdd(scaleTimestampTo48k(0xfffffc00, rate), (1024 * 48_000) / rate), scaleTimestampTo48k(0, rate), `${rate}: one frame across the wrap`);
  }
});

t.test('a jump in the camera timestamps moves the packets after it by the same amount (no drift)', async (t) => {
  const tl = new TranscodeTimeline(48_000, 1024);
  tl.input(5000, false);
  tl.input(6024, false);
  tl.input(50_000, true); // a loss: pipe position 2048 is camera time 50000
  tl.input(51_024, false);
  tl.startOutput(0);
  t.equal(tl.output(960), 5000);
  t.equal(tl.output(960), 5960, 'pipe 960..1919: before the jump');
  t.equal(tl.output(960), 6920, 'pipe 1920: starts before the jump, so on the old timeline');
  t.equal(tl.output(960), 50_000 + (2880 - 2048), 'pipe 2880: after the jump, on the new timeline');
  t.equal(tl.stats.discontinuities, 1);
});

t.test('reset: a new encoder pipe starts at the next access unit', async (t) => {
  const tl = new TranscodeTimeline(16_000, 1024);
  tl.input(0, false);
  tl.startOutput(PRE_SKIP);
  tl.output(960);
  tl.reset();
  tl.input(4096, false);
  tl.startOutput(PRE_SKIP);
  t.equal(tl.output(960), 4096 * 3 - PRE_SKIP);
});

t.test('anchors are bounded: past maxAnchors the oldest is dropped and counted', async (t) => {
  const tl = new TranscodeTimeline(48_000, 1024, { maxAnchors: 2 });
  for (let i = 0; i < 5; i++) tl.input(i * 100_000, false);
  t.equal(tl.stats.anchorsDropped, 3);
  tl.startOutput(0);
  t.equal(tl.output(960), tsAdd(300_000, -3072), 'the oldest kept anchor maps the early output back linearly');
});

/** Which access unit pipe position `q48` (48 kHz) is in, and the expected timestamp there. */
function expectedAt(q48: number, aus: readonly number[], frame48: number, rate: number): number {
  const i = Math.max(0, Math.min(aus.length - 1, Math.floor(q48 / frame48)));
  return tsAdd(scaleTimestampTo48k(aus[i], rate), q48 - i * frame48);
}

t.test('property: every packet maps through the access unit it starts in, whatever the jumps and the wrap', async (t) => {
  const arb = fc.record({
    rate: fc.constantFrom(8000, 16_000, 24_000, 48_000),
    frameTicks: fc.constantFrom(960, 1024),
    ts0: fc.integer({ min: 0, max: 0xffffffff }),
    // per access unit: 0 continues, otherwise a jump (a loss of n frames, or any other value)
    jumps: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 50 }), fc.integer({ min: -0x7fffffff, max: 0x7fffffff })), { minLength: 1, maxLength: 300 }),
    preSkip: fc.constantFrom(0, 312, 120),
    packet: fc.constantFrom(960, 480, 1920),
  });
  fc.assert(fc.property(arb, ({ rate, frameTicks, ts0, jumps, preSkip, packet }) => {
    const frame48 = (frameTicks * 48_000) / rate;
    const tl = new TranscodeTimeline(rate, frameTicks);
    const aus: number[] = [];
    let ts = ts0;
    for (const j of jumps) {
      const jumpTicks = j === 0 ? 0 : Math.abs(j) <= 50 ? j * frameTicks : j;
      if (aus.length > 0) ts = tsAdd(ts, frameTicks + jumpTicks);
      aus.push(ts);
      tl.input(ts, false);
    }
    tl.startOutput(preSkip);
    for (let q = -preSkip; q < aus.length * frame48; q += packet) {
      const got = tl.output(packet);
      if (got !== expectedAt(q, aus, frame48, rate)) return false;
    }
    return true;
  }), { numRuns: 300 });
});

t.test('property: 44.1 kHz (no integer ratio): within a segment packets are exactly 960 apart over an hour', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (ts0) => {
    const tl = new TranscodeTimeline(44_100, 1024);
    const frames = Math.ceil((3600 * 44_100) / 1024);
    for (let i = 0; i < frames; i++) tl.input(tsAdd(ts0, i * 1024), false);
    tl.startOutput(PRE_SKIP);
    const first = tl.output(960);
    if (first !== tsAdd(scaleTimestampTo48k(ts0, 44_100), -PRE_SKIP)) return false;
    for (let k = 1; k < 180_000; k++) if (tl.output(960) !== tsAdd(first, k * 960)) return false;
    return true;
  }), { numRuns: 5 });
});
