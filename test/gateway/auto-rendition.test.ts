import t from 'tap';
import { autoChooser } from '../../lib/gateway/auto-rendition.js';
import { AudioShare } from '../../lib/gateway/audio-share.js';
import { BandwidthEstimator } from '../../lib/congestion/index.js';
import type { BandwidthSource } from '../../lib/gateway/renditions.js';

/** An estimator that has had feedback and estimates `bps`, its untracked rate recorded. */
function source(bps: number): BandwidthSource & { untracked: number } {
  const real = new BandwidthEstimator();
  const s = {
    untracked: 0,
    // What Auto reads of the estimator: its estimate, stats, probe result, and the sound's rate it is told.
    estimator: {
      estimateBps: bps, lastProbe: undefined,
      stats: () => ({ ...real.stats(), feedbacks: 1 }),
      setUntrackedBps: (x: number) => { s.untracked = x; },
    },
    stats: () => ({ ...real.stats(), feedbackErrors: 0 }),
  };
  return s as never;
}

function run(audioBps: number): { target: number; untracked: number } {
  let now = 0;
  const audio = { packetsSent: 0, octetsSent: 0 };
  const bw = source(2_800_000);
  const list = [2_600_000, 420_000].map((b) => ({ bitrateBps: () => b, live: () => true }));
  const choose = autoChooser(list, { bandwidth: bw, now: () => now, audio: new AudioShare(() => audio) }, () => 0);
  const sw = { current: 0, target: 0 };
  for (; now <= 5000; now += 250) {
    audio.packetsSent += 12;
    audio.octetsSent += (audioBps / 8) * 0.25 - 12 * 12;
    sw.target = choose(sw);
  }
  return { target: sw.target, untracked: bw.untracked };
}

t.test('the sound is budgeted apart: a 2.8 Mbit/s estimate holds the 2.6 Mbit/s rendition alone, not with 0.5 Mbit/s of sound', (t) => {
  const alone = run(0);
  t.equal(alone.target, 0, 'no sound: the top fits');
  const withSound = run(500_000);
  t.equal(withSound.target, 1, 'with the sound the top does not fit what is left');
  t.ok(Math.abs(withSound.untracked - 500_000) < 1000, `the estimator is told the sound's rate (${withSound.untracked} bit/s)`);
  t.end();
});
