/**
 * fMP4 muxing cost per fragment on 1080p30-sized access units, one sample per fragment (the
 * live fallback's shape): a 15 KB P frame, and a 150 KB IDR with its SPS and PPS. Each push
 * stages the unit (one copy into the reused staging buffer) and hands out the previous one as a
 * fragment (one exact-size allocation, one copy). `copyNs` is the floor for context: allocating
 * one buffer of the fragment's size and copying the unit into it once.
 */
import { Mp4Muxer } from '../lib/mp4/muxer.js';
import { measureNs, withPeer, type Benchmark, type BenchResult } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';

const SPS = Uint8Array.from([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x84]);
const PPS = Uint8Array.from([0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]);

function slice(header: number, size: number, seed: number): Uint8Array {
  const out = pseudoRandomBytes(size, seed);
  out[0] = header;
  return out;
}

let sink = 0;

function fragmentRow(name: string, nalus: Uint8Array[], keyframe: boolean, iterations: number): BenchResult {
  const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264', sps: SPS, pps: PPS }]);
  let ts = 0;
  // always a keyframe first, so the P-frame row's units are not dropped as undecodable
  muxer.pushVideo(0, { nalus: [SPS, PPS, slice(0x65, 1000, 1)], timestamp: ts, keyframe: true });
  const push = () => {
    ts = (ts + 3000) >>> 0;
    const f = muxer.pushVideo(0, { nalus, timestamp: ts, keyframe });
    sink += f ? f.length : 0;
  };
  const own = measureNs(push, { iterations, runs: 31, warmup: iterations });
  const unitBytes = nalus.reduce((s, n) => s + 4 + n.length, 0);
  const fragmentBytes = unitBytes + 88 + 16 + 8;
  const source = new Uint8Array(unitBytes);
  const copy = measureNs(() => {
    const out = new Uint8Array(fragmentBytes);
    out.set(source, 112);
    sink += out[0];
  }, { iterations, runs: 31, warmup: iterations });
  return withPeer(name, 'ns/fragment', own, undefined, undefined, { fragmentBytes, copyNs: copy.median, sink: sink > 0 });
}

export const benchmarks: Benchmark[] = [
  {
    name: 'mp4.fragment',
    run() {
      return [
        fragmentRow('mp4.fragment.p-frame', [slice(0x41, 15_000, 7)], false, 20_000),
        fragmentRow('mp4.fragment.keyframe', [SPS, PPS, slice(0x65, 150_000, 9)], true, 2_000),
      ];
    },
  },
];
