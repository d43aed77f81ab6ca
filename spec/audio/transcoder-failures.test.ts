/**
 * What the transcoder does when its encoder is missing, broken, dying or stalled: a typed
 * failure naming what to install, bounded restarts then `failed`, a bounded queue that drops
 * its oldest entries. Stand-ins for ffmpeg are small shell scripts.
 */
import t, { type Test } from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAacToOpusTranscoder, type AacToOpusOptions, type AudioTranscoderError, type AudioTranscoderFactory } from '../../lib/audio/index.js';

const AAC_LC_16K_MONO = Uint8Array.of(0x14, 0x08);

function fakeFfmpeg(t: Test, script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-fake-ffmpeg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ffmpeg');
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Pushes `count` access units and resolves with the failure (or undefined after `waitMs`). */
function runUntilFailed(options: AacToOpusOptions, count = 1, waitMs = 5000, config = AAC_LC_16K_MONO) {
  return new Promise<{ error: AudioTranscoderError | undefined; transcoder: ReturnType<typeof createAacToOpusTranscoder> }>((resolve) => {
    const timer = setTimeout(() => resolve({ error: undefined, transcoder }), waitMs);
    const transcoder = createAacToOpusTranscoder({ audioSpecificConfig: config, clockRate: 16_000, channels: 1 }, {
      opus: () => undefined,
      failed: (error) => {
        clearTimeout(timer);
        resolve({ error: error as AudioTranscoderError, transcoder });
      },
    }, options);
    for (let i = 0; i < count; i++) transcoder.push(new Uint8Array(300).fill(i & 0xff), i * 1024, false);
  });
}

t.test('no ffmpeg: AUDIO_TRANSCODER_MISSING telling what to install, no restart', async (t) => {
  const { error, transcoder } = await runUntilFailed({ ffmpegPath: '/nonexistent/ffmpeg' });
  t.equal(error?.code, 'AUDIO_TRANSCODER_MISSING');
  t.match(error?.message, /^AUDIO_TRANSCODER_MISSING: install ffmpeg \(apt-get install ffmpeg\)/);
  t.equal(transcoder.state, 'failed');
  t.equal(transcoder.failure, error?.message);
  t.equal(transcoder.stats.restarts, 0);
  transcoder.push(Uint8Array.of(1), 0, false);
  t.equal(transcoder.stats.accessUnitsIn, 1, 'a failed transcoder ignores input');
});

t.test('ffmpeg without libopus: AUDIO_TRANSCODER_MISSING naming libopus', async (t) => {
  const path = fakeFfmpeg(t, `echo "Unknown encoder 'libopus'" >&2; exit 1`);
  const { error } = await runUntilFailed({ ffmpegPath: path });
  t.equal(error?.code, 'AUDIO_TRANSCODER_MISSING');
  t.match(error?.message, /no libopus encoder/);
});

t.test('an encoder that keeps dying: restarted maxRestarts times, then AUDIO_TRANSCODER_FAILED with its last words', async (t) => {
  const path = fakeFfmpeg(t, 'sleep 0.05; echo "pipe:0: Invalid data found" >&2; exit 1');
  const { error, transcoder } = await runUntilFailed({ ffmpegPath: path, maxRestarts: 2, restartDelayMs: 20 });
  t.equal(error?.code, 'AUDIO_TRANSCODER_FAILED');
  t.match(error?.message, /exited with 1: pipe:0: Invalid data found \(2 restarts within 60000 ms\)/);
  t.equal(transcoder.stats.restarts, 2);
  t.equal(transcoder.state, 'failed');
});

t.test('a stalled encoder: the queue keeps its bound by dropping the oldest, counted; close ends it', async (t) => {
  const path = fakeFfmpeg(t, 'exec sleep 30');
  const { error, transcoder } = await runUntilFailed({ ffmpegPath: path, maxQueuedAccessUnits: 8 }, 1, 300);
  t.equal(error, undefined, 'not failed');
  // the pipe and the stream's buffer take the first ~80 KB; past that the queue fills
  for (let i = 1; i < 2000; i++) transcoder.push(new Uint8Array(500), i * 1024, false);
  t.equal(transcoder.stats.accessUnitsIn, 2000);
  t.ok(transcoder.stats.accessUnitsDropped > 1500, `${transcoder.stats.accessUnitsDropped} dropped`);
  t.equal(transcoder.state, 'starting', 'no packet has come out');
  transcoder.close();
  t.equal(transcoder.state, 'closed');
});

t.test('a config ffmpeg cannot be fed (channel configuration 0): AUDIO_TRANSCODER_BAD_INPUT, after the factory returns', async (t) => {
  let called = false;
  const transcoder = createAacToOpusTranscoder({ audioSpecificConfig: Uint8Array.of(0x14, 0x00), clockRate: 16_000, channels: 1 }, {
    opus: () => t.fail('no output'),
    failed: (e) => {
      called = true;
      t.equal((e as AudioTranscoderError).code, 'AUDIO_TRANSCODER_BAD_INPUT');
    },
  });
  t.equal(transcoder.state, 'failed');
  t.match(transcoder.failure, /AAC config cannot be transcoded/);
  t.notOk(called, 'not called back from inside the factory');
  await Promise.resolve();
  t.ok(called);
});

t.test('the factory is the contract\'s AudioTranscoderFactory; nothing starts before the first access unit', async (t) => {
  const factory: AudioTranscoderFactory = createAacToOpusTranscoder;
  const tc = factory({ audioSpecificConfig: AAC_LC_16K_MONO, clockRate: 16_000, channels: 1 }, { opus: () => undefined, failed: () => t.fail('nothing ran') });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(tc.state, 'starting');
  tc.close();
  t.equal(tc.state, 'closed');
});

t.test('options out of range throw at once (they are the embedder\'s, not the camera\'s)', async (t) => {
  const make = (o: AacToOpusOptions) => () => createAacToOpusTranscoder({ audioSpecificConfig: AAC_LC_16K_MONO, clockRate: 16_000, channels: 1 }, { opus: () => undefined, failed: () => undefined }, o);
  t.throws(make({ complexity: 11 }), { code: 'AUDIO_TRANSCODER_BAD_INPUT' });
  t.throws(make({ expectedLossPercent: 0 }), { code: 'AUDIO_TRANSCODER_BAD_INPUT' }, 'libopus FEC needs a loss hint');
  t.throws(make({ maxQueuedAccessUnits: 0 }), { code: 'AUDIO_TRANSCODER_BAD_INPUT' });
  t.equal(make({ complexity: 10, bitratePerChannel: 64_000 })().state, 'starting');
});
