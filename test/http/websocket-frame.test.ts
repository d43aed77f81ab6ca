/** RFC 6455 framing: the RFC's own examples, the encoder's bounds, the decoder's typed errors. */
import t from 'tap';
import { encodeWsFrame, encodeWsClose, writeWsHeader, wsHeaderSize, WebSocketFrameDecoder, WebSocketError, WsOpcode, WEBSOCKET_DEFAULTS, type WebSocketFrameHandler } from '../../lib/http/websocket-frame.js';
import { maskFrame } from '../support/ws-mask.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const KEY = hex('37fa213d');
const HELLO = new TextEncoder().encode('Hello');

type Event = [string, ...unknown[]];
function recorder(options?: { maxMessageBytes?: number }): { d: WebSocketFrameDecoder; events: Event[] } {
  const events: Event[] = [];
  const h: WebSocketFrameHandler = {
    onText: (s) => events.push(['text', s]),
    onBinary: (b) => events.push(['binary', toHex(b)]),
    onPing: (b) => events.push(['ping', toHex(b)]),
    onPong: (b) => events.push(['pong', toHex(b)]),
    onClose: (code, reason) => events.push(['close', code, reason]),
  };
  return { d: new WebSocketFrameDecoder(h, options), events };
}

function errorOf(bytes: Uint8Array, options?: { maxMessageBytes?: number }): WebSocketError {
  const { d } = recorder(options);
  try {
    d.push(bytes);
  } catch (e) {
    if (e instanceof WebSocketError) return e;
    throw e;
  }
  throw new Error('no error');
}

t.test('RFC 6455 5.7 examples, server side', async (t) => {
  t.equal(toHex(encodeWsFrame(WsOpcode.Text, HELLO)), '810548656c6c6f', 'unmasked text');
  t.equal(toHex(encodeWsFrame(WsOpcode.Ping, HELLO)), '890548656c6c6f', 'unmasked ping');
  t.equal(toHex(encodeWsFrame(WsOpcode.Binary, new Uint8Array(256)).subarray(0, 4)), '827e0100', '256 bytes: 16-bit length');
  t.equal(toHex(encodeWsFrame(WsOpcode.Binary, new Uint8Array(65536)).subarray(0, 10)), '827f0000000000010000', '64 KiB: 64-bit length');
  t.equal(toHex(maskFrame(encodeWsFrame(WsOpcode.Text, HELLO), KEY)), '818537fa213d7f9f4d5158', 'the test masker gives the RFC\'s masked frame');
  const { d, events } = recorder();
  d.push(hex('818537fa213d7f9f4d5158')); // masked "Hello"
  d.push(maskFrame(hex('010348656c'), KEY)); // fragmented: "Hel"
  d.push(maskFrame(hex('80026c6f'), KEY)); // ... "lo"
  d.push(hex('8a8537fa213d7f9f4d5158')); // masked pong "Hello"
  t.same(events, [['text', 'Hello'], ['text', 'Hello'], ['pong', toHex(HELLO)]]);
  t.same(d.stats, { frames: 4, messages: 2, controlFrames: 1, bytesAfterClose: 0 });
});

t.test('header sizes at the length boundaries; fragmented server messages', async (t) => {
  t.same([0, 125, 126, 65535, 65536, 2 ** 40].map(wsHeaderSize), [2, 2, 4, 4, 10, 10]);
  const out = new Uint8Array(10);
  t.equal(writeWsHeader(out, 0, WsOpcode.Binary, 2 ** 40 + 3, false), 10);
  t.equal(toHex(out), '027f0000010000000003', 'no FIN, 64-bit length above 2^32');
  t.equal(writeWsHeader(out, 2, WsOpcode.Continuation, 126), 4);
  t.equal(toHex(out.subarray(2, 6)), '807e007e');
  const into = new Uint8Array(64).fill(0xee);
  const frame = encodeWsFrame(WsOpcode.Binary, hex('0102'), into);
  t.equal(frame.buffer, into.buffer, 'written into the caller\'s buffer');
  t.equal(toHex(frame), '82020102');
});

t.test('encoder refuses what may not be sent', async (t) => {
  t.throws(() => encodeWsFrame(WsOpcode.Ping, new Uint8Array(126)), { code: 'WS_CONTROL_TOO_LARGE' });
  t.throws(() => writeWsHeader(new Uint8Array(2), 0, WsOpcode.Close, 0, false), { code: 'WS_FRAGMENTED_CONTROL' });
  t.throws(() => encodeWsFrame(3 as WsOpcode, HELLO), { code: 'WS_BAD_OPCODE' });
  t.throws(() => encodeWsFrame(WsOpcode.Binary, HELLO, new Uint8Array(6)), { code: 'WS_BUFFER_TOO_SMALL' });
  t.throws(() => writeWsHeader(new Uint8Array(3), 0, WsOpcode.Binary, 126), { code: 'WS_BUFFER_TOO_SMALL' });
  t.throws(() => writeWsHeader(new Uint8Array(10), 0, WsOpcode.Binary, -1), { code: 'WS_BAD_LENGTH' });
  t.throws(() => encodeWsClose(1005), { code: 'WS_BAD_CLOSE' }, '1005 is never on the wire');
  t.throws(() => encodeWsClose(5000), { code: 'WS_BAD_CLOSE' });
});

t.test('close frames: status and reason, the reason cut at a character boundary', async (t) => {
  t.equal(toHex(encodeWsClose()), '8800');
  t.equal(toHex(encodeWsClose(1000, 'bye')), '880503e8627965');
  const long = encodeWsClose(1001, 'é'.repeat(100)); // 200 bytes of UTF-8
  t.equal(long[1], 2 + 122, '61 two-byte characters fit in 123 bytes');
  const { d, events } = recorder();
  d.push(maskFrame(long, KEY));
  t.same(events, [['close', 1001, 'é'.repeat(61)]]);
  t.ok(d.isClosed);
  d.push(hex('818537fa213d7f9f4d5158'));
  t.equal(d.stats.bytesAfterClose, 11, 'bytes after the close frame are ignored');
  const empty = recorder();
  empty.d.push(maskFrame(encodeWsClose(), KEY));
  t.same(empty.events, [['close', undefined, '']]);
});

t.test('control frames inside a fragmented message; empty messages', async (t) => {
  const { d, events } = recorder();
  const frames = [hex('0103616263'), encodeWsFrame(WsOpcode.Ping, hex('01')), hex('0000'), hex('800164'), encodeWsFrame(WsOpcode.Binary, new Uint8Array(0)), encodeWsFrame(WsOpcode.Text, new Uint8Array(0))];
  for (const f of frames) d.push(maskFrame(f, KEY));
  t.same(events, [['ping', '01'], ['text', 'abcd'], ['binary', ''], ['text', '']]);
});

t.test('decoder: every protocol violation is a WebSocketError with its close code, and stays one', async (t) => {
  const masked = (s: string) => maskFrame(hex(s), KEY);
  const cases: [string, Uint8Array, string, number][] = [
    ['unmasked', hex('810548656c6c6f'), 'WS_UNMASKED', 1002],
    ['RSV1 without an extension', masked('c10548656c6c6f'), 'WS_RESERVED_BITS', 1002],
    ['opcode 3', masked('8300'), 'WS_BAD_OPCODE', 1002],
    ['opcode 0xB', masked('8b00'), 'WS_BAD_OPCODE', 1002],
    ['ping without FIN', masked('0900'), 'WS_FRAGMENTED_CONTROL', 1002],
    ['ping of 126 bytes', hex('89fe007e'), 'WS_CONTROL_TOO_LARGE', 1002],
    ['continuation first', masked('8000'), 'WS_UNEXPECTED_CONTINUATION', 1002],
    ['new message inside a fragmented one', Buffer.concat([masked('0100'), masked('8100')]), 'WS_EXPECTED_CONTINUATION', 1002],
    ['16-bit length under 126', hex('82fe007d 37fa213d'), 'WS_BAD_LENGTH', 1002],
    ['64-bit length under 65536', hex('82ff000000000000ffff 37fa213d'), 'WS_BAD_LENGTH', 1002],
    ['64-bit length with its top bit', hex('82ff8000000000010000 37fa213d'), 'WS_BAD_LENGTH', 1002],
    ['message over the bound, refused at its header', hex('82ff0000000000010001 37fa213d'), 'WS_MESSAGE_TOO_BIG', 1009],
    ['text that is not UTF-8', masked('8102c328'), 'WS_INVALID_UTF8', 1007],
    ['close with one byte', masked('880103'), 'WS_BAD_CLOSE', 1002],
    ['close status 1005', masked('880203ed'), 'WS_BAD_CLOSE', 1002],
    ['close status 999', masked('880203e7'), 'WS_BAD_CLOSE', 1002],
    ['close reason not UTF-8', masked('880303e8ff'), 'WS_INVALID_UTF8', 1007],
  ];
  for (const [name, bytes, code, closeCode] of cases) {
    const e = errorOf(bytes);
    t.same([e.code, e.closeCode], [code, closeCode], name);
  }
  const { d } = recorder();
  const first = t.throws(() => d.push(hex('8100')));
  t.equal(t.throws(() => d.push(hex('818537fa213d7f9f4d5158'))), first, 'the same error again, whatever comes next');
});

t.test('maxMessageBytes bounds a message across its fragments', async (t) => {
  t.ok(Object.isFrozen(WEBSOCKET_DEFAULTS));
  t.equal(WEBSOCKET_DEFAULTS.maxMessageBytes, 65536);
  const { d, events } = recorder({ maxMessageBytes: 200 });
  d.push(maskFrame(encodeWsFrame(WsOpcode.Binary, new Uint8Array(200)), KEY));
  t.equal(events.length, 1, '200 bytes pass');
  const frag = new Uint8Array(4 + 150);
  writeWsHeader(frag, 0, WsOpcode.Binary, 150, false);
  d.push(maskFrame(frag, KEY));
  const cont = new Uint8Array(2 + 51);
  writeWsHeader(cont, 0, WsOpcode.Continuation, 51);
  t.throws(() => d.push(maskFrame(cont, KEY)), { code: 'WS_MESSAGE_TOO_BIG' });
  t.throws(() => recorder({ maxMessageBytes: 100 }), { code: 'WS_BAD_OPTION' });
});
