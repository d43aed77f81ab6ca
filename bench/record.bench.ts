/**
 * What recording costs on the packet path, per 1080p30-sized access unit: the Segmenter
 * staging it in its segment's muxer, and every 30th unit (1 s fragments) building the fragment
 * and handing it to the RecordQueue (the disk write is asynchronous, off this path: here the
 * queue is drained at once). A 15 KB P frame, a keyframe (150 KB with SPS/PPS) every 2 s.
 * `peer`: the live fallback's muxer alone (one fragment per unit), the same units.
 */
import { Mp4Muxer } from '../lib/mp4/muxer.js';
import { RecordQueue } from '../lib/record/record-queue.js';
import { Segmenter } from '../lib/record/segmenter.js';
import { measureNs, withPeer, type Benchmark } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';

const SPS = Uint8Array.from([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x84]);
const PPS = Uint8Array.from([0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]);

function slice(header: number, size: number, seed: number): Uint8Array {
  const out = pseudoRandomBytes(size, seed);
  out[0] = header;
  return out;
}

const P = [slice(0x41, 15_000, 7)];
const IDR = [SPS, PPS, slice(0x65, 150_000, 9)];
let sink = 0;

function unit(i: number) {
  return { nalus: i % 60 === 0 ? IDR : P, timestamp: (i * 3000) >>> 0, keyframe: i % 60 === 0 };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'record.segmenter',
    run() {
      const queue = new RecordQueue(64 << 20);
      const seg = new Segmenter(queue, { segmentSeconds: 60, fragmentSeconds: 1, wallClock: () => 0 });
      let n = 0;
      const own = measureNs(() => {
        seg.pushVideo(unit(n++));
        while (queue.pending > 0) {
          const op = queue.take();
          if (op?.kind === 'data') sink += op.bytes.length;
        }
      }, { iterations: 6000, runs: 21, warmup: 600 });
      const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264' }]);
      let m = 0;
      const live = measureNs(() => {
        muxer.pushVideo(0, unit(m++));
        sink += muxer.flush(0)?.length ?? 0;
      }, { iterations: 6000, runs: 21, warmup: 600 });
      return [withPeer('record.segmenter.1080p30', 'ns/unit', own, 'live fallback muxer, a fragment per unit', live, { segments: seg.stats.segments, fragments: seg.stats.fragments, sink: sink > 0 })];
    },
  },
];
