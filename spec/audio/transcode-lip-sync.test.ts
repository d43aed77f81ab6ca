/**
 * Lip sync through the transcoder, to the sample: a beep that starts at a known point of the
 * AAC stream (ffmpeg decodes the ADTS itself to find it) must start at the same instant on the
 * 48 kHz timeline the Opus packets' timestamps give, across the 2^32 wrap. The remaining error
 * is the codecs' own smearing of an onset, well under a video frame.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaleTimestampTo48k } from '../../lib/audio/index.js';
import { tsAdd, tsDistance } from '../../lib/rtp/index.js';
import { parseAdts } from '../../test/support/adts.js';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { decodeOpus, onset, transcodeAll } from '../../test/support/transcode-run.js';

/** Allowed onset error: 1 ms (a video frame at 30 fps is 33 ms; the lip sync target is 40 ms). */
const TOLERANCE_48K = 48;
const BEEP_AT_SECONDS = 0.5;
const THRESHOLD = 8000;

async function ffmpegBeep(dir: string, rate: number, channels: number): Promise<{ adts: Uint8Array; pcm: Int16Array }> {
  const aac = join(dir, `beep${rate}.aac`);
  const raw = join(dir, `beep${rate}.raw`);
  const expr = `if(gte(t\\,${BEEP_AT_SECONDS})\\,0.8*sin(2*PI*1000*t)\\,0)`;
  const enc = await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=${expr}:s=${rate}:d=1.5`, '-ac', String(channels), '-c:a', 'aac', '-b:a', '96k', aac]);
  if (enc.code !== 0) throw new Error(enc.stderr);
  const dec = await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'aac', '-i', aac, '-ac', '1', '-f', 's16le', raw]);
  if (dec.code !== 0) throw new Error(dec.stderr);
  const bytes = readFileSync(raw);
  return { adts: readFileSync(aac), pcm: new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1) };
}

const why = missingTool('ffmpeg');
if (why) {
  t.comment('skip: ' + why);
} else {
  for (const c of [{ rate: 16_000, channels: 1 }, { rate: 48_000, channels: 2 }]) {
    t.test(`${c.rate / 1000} kHz ${c.channels === 1 ? 'mono' : 'stereo'}: the beep starts where the camera's timestamps say`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'camwire-sync-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const { adts, pcm: reference } = await ffmpegBeep(dir, c.rate, c.channels);
      const stream = parseAdts(adts);
      const ts0 = 0xffffffff - 5 * 1024; // wraps within the first frames
      const frames = stream.frames.map((data, i) => ({ data, timestamp: tsAdd(ts0, i * 1024) }));
      const { packets, timestamps } = await transcodeAll({ audioSpecificConfig: stream.audioSpecificConfig, clockRate: c.rate, channels: c.channels, frames });
      const { pcm } = await decodeOpus(packets, c.channels);

      const inOnset = onset(reference, THRESHOLD);
      const outOnset = onset(pcm, THRESHOLD);
      t.ok(inOnset > 0 && outOnset > 0, 'the beep is found in both');
      const expected = tsAdd(scaleTimestampTo48k(ts0, c.rate), Math.round((inOnset * 48_000) / c.rate));
      const got = tsAdd(timestamps[0], outOnset);
      const error = tsDistance(expected, got);
      t.comment(`onset error ${error} samples at 48 kHz (${(error / 48).toFixed(2)} ms)`);
      t.ok(Math.abs(error) <= TOLERANCE_48K, `onset at ${got}, expected ${expected}: ${error} samples apart`);
    });
  }
}

if (!why) {
  t.test('five access units lost: the packets after the loss move by exactly the gap, the ones before stay', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'camwire-gap-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const stream = parseAdts((await ffmpegBeep(dir, 16_000, 1)).adts);
    const ts0 = 0xfffff000;
    const LOST_FROM = 10;
    const LOST = 5;
    const frames = stream.frames.map((data, i) => ({ data, timestamp: tsAdd(ts0, i * 1024) })).filter((_, i) => i < LOST_FROM || i >= LOST_FROM + LOST);
    const { timestamps, transcoder } = await transcodeAll({ audioSpecificConfig: stream.audioSpecificConfig, clockRate: 16_000, channels: 1, frames });
    t.equal(transcoder.stats.discontinuities, 1);
    // packet k starts at pipe sample k * 960 - pre-skip; the pipe holds the frames end to end
    const anchor48 = LOST_FROM * 3072;
    const wrong = timestamps.findIndex((ts, k) => {
      const q = k * 960 - 312;
      const expected = q < anchor48 ? tsAdd(scaleTimestampTo48k(ts0, 16_000), q) : tsAdd(scaleTimestampTo48k(tsAdd(ts0, (LOST_FROM + LOST) * 1024), 16_000), q - anchor48);
      return ts !== expected;
    });
    t.equal(wrong, -1, `all ${timestamps.length} packets where the camera's timestamps put them`);
  });
}
