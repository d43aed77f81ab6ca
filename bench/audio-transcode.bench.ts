/**
 * CPU per transcoded AAC -> Opus stream, fed in real time: camwire's process plus its ffmpeg
 * child, as % of one core over the input's duration, for a 16 kHz mono and a 48 kHz stereo
 * camera (pink noise: as hard to encode as audio gets). Peer: the same ffmpeg command alone, fed
 * the same ADTS frames at the same pace, its own CPU only; speedup < 1 is camwire's overhead
 * (ratio = 1 / speedup). Needs ffmpeg with libopus; without it the benchmark says why on stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AAC_TO_OPUS_DEFAULTS, createAacToOpusTranscoder, ffmpegTranscodeArgs } from '../lib/audio/index.js';
import { parseAdts, type AdtsStream } from '../test/support/adts.js';
import { runTool } from '../test/support/spawn-tool.js';
import { quick, round, summarize, withPeer, type Benchmark, type BenchResult } from './harness.js';

const SECONDS = quick ? 1 : 10;
const RUNS = quick ? 1 : 3;
/** Linux clock ticks per second in /proc/<pid>/stat. */
const CLOCK_TICKS = 100;

/** CPU milliseconds of this process's child named ffmpeg (utime + stime), 0 when none is found. */
function childFfmpegCpuMs(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(ffmpeg)') && Number(fields[1]) === process.pid) return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      // the process ended while the directory was listed
    }
  }
  return 0;
}

/**
 * Calls `push(i)` for each frame at its real-time due instant, one timer per frame as a camera's
 * packets wake a gateway; resolves when all are pushed.
 */
function paced(frames: number, frameMs: number, push: (i: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    let next = 0;
    const tick = () => {
      const due = Math.min(frames, Math.floor((performance.now() - start) / frameMs) + 1);
      while (next < due) push(next++);
      if (next >= frames) resolve();
      else setTimeout(tick, Math.max(0, start + next * frameMs - performance.now()));
    };
    tick();
  });
}

/** CPU % of this process for the pacing alone (timers, no transcoder): what a gateway spends anyway. */
async function pacingOnlyPct(frames: number, frameMs: number): Promise<number> {
  const c0 = process.cpuUsage();
  await paced(frames, frameMs, () => undefined);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000 / (frames * frameMs)) * 100;
}

interface RunCost { totalPct: number; nodePct: number; ffmpegPct: number; packets: number }

async function camwireRun(s: AdtsStream, frames: number): Promise<RunCost> {
  let packets = 0;
  const tc = createAacToOpusTranscoder({ audioSpecificConfig: s.audioSpecificConfig, clockRate: s.sampleRate, channels: s.channels }, {
    opus: () => packets++,
    failed: (e) => { throw e; },
  });
  const frameMs = (1024 * 1000) / s.sampleRate;
  const c0 = process.cpuUsage();
  await paced(frames, frameMs, (i) => tc.push(s.frames[i % s.frames.length], (i * 1024) >>> 0, false));
  const c = process.cpuUsage(c0);
  const ffmpegMs = childFfmpegCpuMs();
  tc.close();
  const wallMs = frames * frameMs;
  const nodeMs = (c.user + c.system) / 1000;
  return { totalPct: ((nodeMs + ffmpegMs) / wallMs) * 100, nodePct: (nodeMs / wallMs) * 100, ffmpegPct: (ffmpegMs / wallMs) * 100, packets };
}

async function ffmpegAloneRun(s: Source, frames: number): Promise<number> {
  const channels = Math.min(2, s.channels);
  const child = spawn('ffmpeg', ffmpegTranscodeArgs({ ...AAC_TO_OPUS_DEFAULTS, bitrate: AAC_TO_OPUS_DEFAULTS.bitratePerChannel * channels, channels }), { stdio: ['pipe', 'ignore', 'ignore'] });
  const adts = (i: number) => {
    const f = s.frames[i % s.frames.length];
    const out = new Uint8Array(7 + f.length);
    // the ADTS header of the source file's first frame, its length field rewritten
    out.set(s.header);
    const len = out.length;
    out[3] = (out[3] & 0xfc) | (len >> 11);
    out[4] = (len >> 3) & 0xff;
    out[5] = ((len & 7) << 5) | (out[5] & 0x1f);
    out.set(f, 7);
    return out;
  };
  const frameMs = (1024 * 1000) / s.sampleRate;
  await paced(frames, frameMs, (i) => child.stdin.write(adts(i)));
  const ffmpegMs = childFfmpegCpuMs();
  child.kill('SIGKILL');
  return (ffmpegMs / (frames * frameMs)) * 100;
}

type Source = AdtsStream & { header: Uint8Array };

async function makeSource(dir: string, rate: number, channels: number): Promise<Source | string> {
  const file = join(dir, `noise-${rate}-${channels}.aac`);
  const r = await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.3:sample_rate=${rate}:duration=10`, '-ac', String(channels), '-c:a', 'aac', '-b:a', `${48 * channels}k`, file]);
  if (r.code !== 0) return `ffmpeg cannot make the AAC source: ${r.stderr.slice(-200) || 'not installed'}`;
  const bytes = readFileSync(file);
  return { ...parseAdts(bytes), header: bytes.subarray(0, 7) };
}

function transcodeBench(rate: number, channels: number): Benchmark {
  const name = `audio.transcode.${rate / 1000}k-${channels === 1 ? 'mono' : 'stereo'}`;
  return {
    name,
    async run(): Promise<BenchResult[]> {
      const dir = mkdtempSync(join(tmpdir(), 'camwire-bench-aac-'));
      try {
        const s = await makeSource(dir, rate, channels);
        if (typeof s === 'string') {
          process.stderr.write(`${name}: skipped, ${s}\n`);
          return [];
        }
        const frames = Math.round((SECONDS * rate) / 1024);
        const own: RunCost[] = [];
        const peer: number[] = [];
        const pacing = await pacingOnlyPct(Math.round(frames / 2), (1024 * 1000) / rate);
        for (let r = 0; r < RUNS; r++) {
          own.push(await camwireRun(s, frames));
          peer.push(await ffmpegAloneRun(s, frames));
        }
        const median = (xs: number[]) => summarize(xs).median;
        const m = summarize(own.map((o) => o.totalPct));
        return [withPeer(name, '% core', m, 'ffmpeg alone', summarize(peer), {
          seconds: SECONDS, pacingOnlyPct: round(pacing), nodePct: round(median(own.map((o) => o.nodePct))), ffmpegPct: round(median(own.map((o) => o.ffmpegPct))),
          ratioToFfmpegAlone: round(m.median / median(peer)), opusPackets: own[0].packets, input: `${rate} Hz ${channels} ch AAC-LC pink noise`,
        })];
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const benchmarks: Benchmark[] = [transcodeBench(16_000, 1), transcodeBench(48_000, 2)];
