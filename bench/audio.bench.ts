/**
 * Audio per-packet costs: the RFC 3640 depacketizer on a camera's AAC stream (48 kHz AAC-LC at
 * ~128 kbit/s: 340-byte AUs, one per packet as Axis and GStreamer send them), and the RED
 * encoder on Opus (20 ms packets of ~120 bytes, each carrying the one before). No peer: the
 * TypeScript libraries at hand have neither.
 */
import { Rfc3640Depacketizer } from '../lib/audio/rfc3640.js';
import { RedEncoder } from '../lib/audio/red.js';
import { AAC_HBR_LAYOUT } from '../lib/audio/au-headers.js';
import { packetizeRfc3640 } from '../test/support/audio-packetizers.js';
import { bytesPerCall, measureNs, withPeer, type Benchmark } from './harness.js';
import { pseudoRandomBytes } from './fixtures.js';

const FRAMES = 1000;
let sink = 0;

export const benchmarks: Benchmark[] = [
  {
    name: 'audio.rfc3640.depacketize',
    run() {
      const aus = Array.from({ length: FRAMES }, (_, i) => {
        const au = pseudoRandomBytes(300 + ((i * 37) % 80), i + 1);
        au[0] = 0x21; // a raw AAC element, not an ADTS sync word
        return au;
      });
      const payloads = packetizeRfc3640(aus).map((p) => p.payload);
      const d = new Rfc3640Depacketizer((f) => { sink += f.data.length; }, { layout: AAC_HBR_LAYOUT, frameTicks: 1024 });
      // sequence numbers and timestamps continue across laps, so the stream never looks replayed
      let next = 0;
      const push = () => {
        d.pushPayload(payloads[next % FRAMES], next & 0xffff, (next * 1024) >>> 0, true);
        next++;
      };
      const m = measureNs(push, { iterations: FRAMES * 4, runs: 31, warmup: FRAMES * 10 });
      const allocated = bytesPerCall(push, FRAMES * 4);
      const errors = d.stats.malformed + d.stats.framesDropped + d.stats.lostPackets;
      return [withPeer('audio.rfc3640.depacketize', 'ns/packet', m, undefined, undefined, { bytesPerPacket: allocated, errors, auBytes: '300-379' })];
    },
  },
  {
    name: 'audio.red.encode',
    run() {
      const opus = Array.from({ length: 50 }, (_, i) => pseudoRandomBytes(100 + ((i * 13) % 40), i + 7));
      const red = new RedEncoder({ payloadType: 111 });
      let next = 0;
      const encode = () => {
        sink += red.encode(opus[next % opus.length], (next * 960) >>> 0).length;
        next++;
      };
      const m = measureNs(encode, { iterations: 20_000, runs: 31 });
      const allocated = bytesPerCall(encode, 20_000);
      return [withPeer('audio.red.encode', 'ns/packet', m, undefined, undefined, { bytesPerPacket: allocated, withRedundancy: red.stats.withRedundancy, packets: red.stats.packets })];
    },
  },
];

export const _sink = () => sink;
