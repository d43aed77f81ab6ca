/**
 * RTSP stream parser on a TCP-interleaved stream (1200-byte RTP frames with an RTSP response
 * every 500 frames, read in 64 KiB chunks like a socket delivers them), against a floor that
 * only walks the `$` headers and takes views.
 */
import { RtspMessageParser } from '../lib/rtsp/protocol/message-parser.js';
import { serializeInterleavedFrame, serializeResponse, RtspHeaders } from '../lib/rtsp/protocol/index.js';
import { measureNs, withPeer, type Benchmark } from './harness.js';
import { rtpPackets } from './fixtures.js';

function stream(): { chunks: Uint8Array[]; frames: number; bytes: number } {
  const parts: Uint8Array[] = [];
  let frames = 0;
  const packets = rtpPackets(2000);
  packets.forEach((p, i) => {
    parts.push(serializeInterleavedFrame(i % 2 === 0 ? 0 : 1, p));
    frames++;
    if (i % 500 === 499) parts.push(serializeResponse({ status: 200, headers: new RtspHeaders({ CSeq: String(i), Session: '12345678;timeout=60' }) }));
  });
  const all = new Uint8Array(Buffer.concat(parts));
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < all.length; o += 65536) chunks.push(all.subarray(o, Math.min(all.length, o + 65536)));
  return { chunks, frames, bytes: all.length };
}

let sink = 0;

/** Floor: `$` headers walked in one contiguous buffer (no chunk boundaries, no messages). */
function floorWalk(buf: Uint8Array): number {
  let i = 0;
  let n = 0;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0x24) {
      i++;
      continue;
    }
    const len = (buf[i + 2] << 8) | buf[i + 3];
    n += buf.subarray(i + 4, i + 4 + len).length;
    i += 4 + len;
  }
  return n;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'rtsp.interleaved',
    run() {
      const s = stream();
      const whole = new Uint8Array(Buffer.concat(s.chunks));
      const parser = new RtspMessageParser({ onMessage: () => sink++, onFrame: (_c, d) => (sink += d.length) });
      const own = measureNs(() => {
        for (const c of s.chunks) parser.push(c);
      }, { iterations: 20, runs: 9, warmup: 5 });
      const floor = measureNs(() => {
        sink += floorWalk(whole);
      }, { iterations: 20, runs: 9, warmup: 5 });
      const perFrame = { median: own.median / s.frames, min: own.min / s.frames, max: own.max / s.frames, runs: own.runs };
      const mbPerS = Math.round((s.bytes / (own.median / 1e9) / 1e6) * 10) / 10;
      const copiedShare = Math.round((parser.stats.framesCopied / parser.stats.frames) * 1000) / 1000;
      return [
        withPeer('rtsp.interleaved', 'ns/frame', perFrame, undefined, undefined, {
          megabytesPerSecond: mbPerS,
          floorNsPerFrame: Math.round((floor.median / s.frames) * 1000) / 1000,
          framesCopiedShare: copiedShare,
        }),
      ];
    },
  },
];

export const _sink = () => sink;
