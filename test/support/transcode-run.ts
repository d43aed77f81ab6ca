/**
 * Runs AAC access units through a real transcoder (ffmpeg) and collects what comes out, for the
 * transcoder specs and the bench: Opus packets with their timestamps, then PCM decoded by ffmpeg
 * from an Ogg/Opus file of those packets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAacToOpusTranscoder, type AacToOpusOptions, type AacToOpusTranscoder } from '../../lib/audio/index.js';
import { writeOggOpus } from './ogg-opus.js';
import { runTool } from './spawn-tool.js';

export interface AacInput {
  audioSpecificConfig: Uint8Array;
  clockRate: number;
  channels: number;
  frames: readonly { data: Uint8Array; timestamp: number }[];
}

export interface TranscodeResult {
  packets: Uint8Array[];
  timestamps: number[];
  transcoder: AacToOpusTranscoder;
}

/**
 * Pushes every frame (at once, with a queue large enough for all, or one every `paceMs`), then
 * waits until the output goes quiet.
 */
export async function transcodeAll(input: AacInput, options: AacToOpusOptions = {}, paceMs = 0, quietMs = 600, timeoutMs = 15_000): Promise<TranscodeResult> {
  const packets: Uint8Array[] = [];
  const timestamps: number[] = [];
  let failure: Error | undefined;
  const transcoder = createAacToOpusTranscoder(input, {
    opus: (p, ts) => {
      packets.push(p.slice());
      timestamps.push(ts);
    },
    failed: (e) => (failure = e),
  }, { maxQueuedAccessUnits: input.frames.length, ...options });
  for (const f of input.frames) {
    transcoder.push(f.data, f.timestamp, false);
    if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
  }
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline && !failure) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (packets.length > 0 && packets.length === seen) break;
    seen = packets.length;
  }
  transcoder.close();
  if (failure) throw failure;
  return { packets, timestamps, transcoder };
}

/** The packets as an Ogg/Opus file, decoded by ffmpeg to 48 kHz mono s16 samples. */
export async function decodeOpus(packets: readonly Uint8Array[], channels: number): Promise<{ pcm: Int16Array; probedSeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-opus-'));
  try {
    const file = join(dir, 'out.opus');
    writeFileSync(file, writeOggOpus(packets, channels));
    const probe = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
    const raw = join(dir, 'out.raw');
    const dec = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 's16le', raw]);
    if (dec.code !== 0 || dec.stderr.trim()) throw new Error(`ffmpeg could not decode the Ogg/Opus file: ${dec.stderr.slice(-300)}`);
    const bytes = readFileSync(raw);
    return { pcm: new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1), probedSeconds: Number(probe.stdout.trim()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Frequency of a steady tone from its zero crossings over samples [from, to). */
export function toneFrequency(pcm: Int16Array, rate: number, from: number, to: number): number {
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if ((pcm[i - 1] < 0) !== (pcm[i] < 0)) crossings++;
  return crossings / 2 / ((to - from) / rate);
}

/** Index of the first sample whose magnitude reaches `threshold` (the onset of a beep). */
export function onset(pcm: Int16Array, threshold: number): number {
  for (let i = 0; i < pcm.length; i++) if (Math.abs(pcm[i]) >= threshold) return i;
  return -1;
}
