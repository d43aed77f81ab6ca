/** Property tests of the WebSocket frame codec: round trips in any chunking; arbitrary bytes give only WebSocketError. */
import t from 'tap';
import fc from 'fast-check';
import { encodeWsFrame, writeWsHeader, wsHeaderSize, WebSocketFrameDecoder, WebSocketError, WsOpcode } from '../../lib/http/websocket-frame.js';
import { maskFrame, chunked } from '../support/ws-mask.js';

interface Message { text: boolean; payload: Uint8Array; fragments: number[]; pingBefore: boolean }

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ text: fc.constant(true), payload: fc.string({ unit: 'grapheme', maxLength: 300 }).map((s) => new TextEncoder().encode(s)) }),
  fc.record({ text: fc.constant(false), payload: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 65530, max: 70000 }).map((n) => new Uint8Array(n).fill(7))) }),
).chain((m) => fc.record({
  text: fc.constant(m.text), payload: fc.constant(m.payload),
  fragments: fc.array(fc.integer({ min: 0, max: m.payload.length }), { maxLength: 3 }), pingBefore: fc.boolean(),
}));

/** The frames of one message, cut at `fragments` (a continuation may be empty), unmasked. */
function framesOf(m: Message): Uint8Array[] {
  const cuts = [...m.fragments].sort((a, b) => a - b);
  const bounds = [0, ...cuts, m.payload.length];
  const parts = bounds.slice(1).map((end, i) => m.payload.subarray(bounds[i], end));
  return parts.map((part, i) => {
    const opcode = i === 0 ? (m.text ? WsOpcode.Text : WsOpcode.Binary) : WsOpcode.Continuation;
    const frame = new Uint8Array(wsHeaderSize(part.length) + part.length);
    frame.set(part, writeWsHeader(frame, 0, opcode, part.length, i === parts.length - 1));
    return frame;
  });
}

t.test('property: masked messages, fragmented, with pings between fragments, in any chunking, decode to themselves', async (t) => {
  fc.assert(fc.property(
    fc.array(messageArb, { maxLength: 6 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 }),
    (messages, key, cuts) => {
      const wire: Uint8Array[] = [];
      for (const m of messages) {
        const frames = framesOf(m);
        frames.forEach((f, i) => {
          if (m.pingBefore && i === frames.length - 1) wire.push(maskFrame(encodeWsFrame(WsOpcode.Ping, Uint8Array.of(i)), key));
          wire.push(maskFrame(f, key));
        });
      }
      const bytes = Buffer.concat(wire);
      const got: Uint8Array[] = [];
      let pings = 0;
      const d = new WebSocketFrameDecoder({
        onText: (s) => got.push(new TextEncoder().encode(s)),
        onBinary: (b) => got.push(b.slice()),
        onPing: () => void pings++,
        onPong: () => { throw new Error('no pong was sent'); },
        onClose: () => { throw new Error('no close was sent'); },
      }, { maxMessageBytes: 70000 });
      for (const c of chunked(bytes, cuts.map((x) => x % (bytes.length + 1)))) d.push(c);
      if (pings !== messages.filter((m) => m.pingBefore).length) return false;
      return got.length === messages.length && got.every((g, i) => Buffer.compare(g, messages[i].payload) === 0);
    },
  ), { numRuns: 150 });
});

const neverThrowsElse = (bytes: Uint8Array, cuts: number[], max: number): boolean => {
  const d = new WebSocketFrameDecoder({
    onText: (s) => { if (new TextEncoder().encode(s).length > max) throw new Error('text over the bound'); },
    onBinary: (b) => { if (b.length > max) throw new Error('binary over the bound'); },
    onPing: (b) => { if (b.length > 125) throw new Error('long ping'); },
    onPong: (b) => { if (b.length > 125) throw new Error('long pong'); },
    onClose: () => undefined,
  }, { maxMessageBytes: max });
  try {
    for (const c of chunked(bytes, cuts)) d.push(c);
  } catch (e) {
    if (!(e instanceof WebSocketError)) throw e;
  }
  return true;
};

t.test('property: arbitrary bytes in arbitrary chunkings throw nothing but WebSocketError, and stay within bounds', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat({ max: 600 }), { maxLength: 20 }), (bytes, cuts) => neverThrowsElse(bytes, cuts, 256)));
});

t.test('property: arbitrary bytes after valid frames (masked headers, so they get past the first checks)', async (t) => {
  const masked = fc.tuple(fc.constantFrom(0x01, 0x02, 0x81, 0x82, 0x80, 0x00, 0x88, 0x89, 0x8a), fc.integer({ min: 0, max: 127 }), fc.uint8Array({ maxLength: 300 }))
    .map(([b0, len, rest]) => Uint8Array.from([b0, 0x80 | len, ...rest]));
  fc.assert(fc.property(fc.array(masked, { maxLength: 6 }), fc.array(fc.nat({ max: 2000 }), { maxLength: 20 }), (parts, cuts) => neverThrowsElse(Buffer.concat(parts), cuts, 200)));
});
