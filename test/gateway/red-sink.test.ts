import t from 'tap';
import fc from 'fast-check';
import { parseRed } from '../../lib/audio/index.js';
import { RedSink } from '../../lib/gateway/red-sink.js';
import type { CachedKeyframe } from '../../lib/gateway/keyframe-cache.js';
import type { SinkState, TrackSink } from '../../lib/gateway/track-sink.js';

class Recorder implements TrackSink {
  state: SinkState = 'playing';
  sent: { packet: Uint8Array; seq: number; ts: number }[] = [];
  waitForKeyframe(): void {}
  startFromCache(_c: CachedKeyframe): void {}
  sendLive(packet: Uint8Array, seq: number, ts: number): void {
    this.sent.push({ packet: packet.slice(), seq, ts });
  }
  tick(): void {}
  close(): void {}
}

function rtp(payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(12 + payload.length);
  p[0] = 0x80;
  p.set(payload, 12);
  return p;
}

t.test('RED per viewer: every packet parses to its own frame last, after the previous one when it fits RFC 2198 fields', (t) => {
  fc.assert(
    fc.property(fc.array(fc.record({ size: fc.integer({ min: 1, max: 1400 }), step: fc.integer({ min: 1, max: 20000 }) }), { minLength: 1, maxLength: 40 }), (frames) => {
      const inner = new Recorder();
      const red = new RedSink(inner, 111);
      let ts = 0xfffff000;
      const sent: { data: Uint8Array; ts: number }[] = [];
      frames.forEach((f, i) => {
        const data = new Uint8Array(f.size).fill(i & 0xff);
        red.sendLive(rtp(data), i, ts, true);
        sent.push({ data, ts });
        ts = (ts + f.step) >>> 0;
      });
      if (inner.sent.length !== frames.length) return false;
      return inner.sent.every((out, i) => {
        const blocks = parseRed(out.packet.subarray(12));
        const primary = blocks[blocks.length - 1];
        if (primary.payloadType !== 111 || !Buffer.from(primary.data).equals(Buffer.from(sent[i].data)) || out.seq !== i) return false;
        if (blocks.length === 1) return i === 0 || frames[i - 1].size > 1023 || frames[i - 1].step > 0x3fff || 5 + frames[i - 1].size + frames[i].size > 1488;
        const prev = blocks[0];
        return blocks.length === 2 && prev.timestampOffset === frames[i - 1].step && Buffer.from(prev.data).equals(Buffer.from(sent[i - 1].data));
      });
    }),
    { numRuns: 200 },
  );
  t.end();
});
