import t from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RtspMessageParser,
  RtspHeaders,
  serializeRequest,
  serializeResponse,
  serializeInterleavedFrame,
  bodyText,
  type RtspMessage,
  type RtspParserLimits,
} from '../../lib/rtsp/protocol/index.js';
import { RtspParseError } from '../../lib/rtsp/protocol/errors.js';
import { corpusFile, interleavedFrames, readCorpus } from '../support/env.js';

type Item = { kind: 'msg'; m: object } | { kind: 'frame'; channel: number; hex: string };

function plain(m: RtspMessage): object {
  const base = { headers: m.headers.entries().map(([n, v]) => [n, v]), body: Buffer.from(m.body).toString('hex') };
  return m.type === 'request'
    ? { type: m.type, method: m.method, url: m.url, version: m.version, ...base }
    : { type: m.type, status: m.status, reason: m.reason, version: m.version, ...base };
}

function parseChunks(chunks: Uint8Array[], limits?: Partial<RtspParserLimits>): Item[] {
  const out: Item[] = [];
  const p = new RtspMessageParser(
    {
      onMessage: (m) => out.push({ kind: 'msg', m: plain(m) }),
      onFrame: (channel, data) => out.push({ kind: 'frame', channel, hex: Buffer.from(data).toString('hex') }),
    },
    limits,
  );
  for (const c of chunks) p.push(c);
  return out;
}

function split(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const one = (s: string | Uint8Array): RtspMessage => {
  const msgs: RtspMessage[] = [];
  new RtspMessageParser({ onMessage: (m) => msgs.push(m), onFrame: () => {} }).push(typeof s === 'string' ? bytes(s) : s);
  if (msgs.length !== 1) throw new Error(`expected one message, got ${msgs.length}`);
  return msgs[0];
};

function cameraExchanges(): { name: string; buf: Uint8Array }[] {
  const dir = corpusFile('cameras');
  if (!dir.path) return [];
  return readdirSync(dir.path)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => ({ name: f, buf: new Uint8Array(readFileSync(join(dir.path!, f))) }))
    .filter(({ buf }) => /^(RTSP\/|[A-Z_]+ )/.test(Buffer.from(buf.subarray(0, 16)).toString('latin1')));
}

t.test('every camera exchange in the corpus parses to one message, whatever the chunking', async (t) => {
  const files = cameraExchanges();
  if (files.length === 0) {
    t.comment('skip: ' + corpusFile('cameras').skip);
    return;
  }
  t.ok(files.length >= 30, `${files.length} exchanges`);
  for (const { name, buf } of files) {
    const whole = parseChunks([buf]);
    t.equal(whole.length, 1, `${name}: one message`);
    const m = (whole[0] as { m: { headers: string[][] } }).m;
    t.ok(m.headers.some(([n]) => n.toLowerCase() === 'cseq'), `${name}: has CSeq`);
    const bytewise = parseChunks([...buf].map((b) => Uint8Array.of(b)));
    t.same(bytewise, whole, `${name}: one byte at a time`);
  }
  fc.assert(
    fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.array(fc.nat(), { maxLength: 40 }), (k, cuts) => {
      const { buf } = files[k];
      t.same(parseChunks(split(buf, cuts)), parseChunks([buf]));
    }),
    { numRuns: 300 },
  );
});

t.test('Wowza bunny capture: control exchange then 371 interleaved frames, any chunking', async (t) => {
  const cap = readCorpus('bunny.rtsp');
  const play = readCorpus('cameras/bunny_play.txt');
  if (!cap || !play) {
    t.comment('skip: corpus absent');
    return;
  }
  const stream = new Uint8Array(Buffer.concat([play, cap]));
  const expected = interleavedFrames(cap);
  const whole = parseChunks([stream]);
  t.equal(whole.length, 1 + expected.length);
  t.equal(whole[0].kind, 'msg');
  t.same(
    whole.slice(1),
    expected.map((f) => ({ kind: 'frame', channel: f.channel, hex: Buffer.from(f.data).toString('hex') })),
  );
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 200 }), (cuts) => {
      t.same(parseChunks(split(stream, cuts)), whole);
    }),
    { numRuns: 50 },
  );
});

t.test('frames inside one chunk are views into it (no copy)', async (t) => {
  const frame = serializeInterleavedFrame(2, Uint8Array.of(1, 2, 3, 4, 5));
  const chunk = new Uint8Array(Buffer.concat([frame, frame]));
  const seen: Uint8Array[] = [];
  const p = new RtspMessageParser({ onMessage: () => {}, onFrame: (_c, d) => seen.push(d) });
  p.push(chunk);
  t.equal(seen.length, 2);
  t.equal(seen[0].buffer, chunk.buffer, 'view shares the chunk buffer');
  t.equal(seen[1].byteOffset, chunk.byteOffset + frame.length + 4);
  t.equal(p.stats.framesCopied, 0);
  p.push(frame.subarray(0, 3));
  p.push(frame.subarray(3));
  t.equal(p.stats.framesCopied, 1, 'a frame split across chunks is assembled once');
  t.same([...seen[2]], [1, 2, 3, 4, 5]);
});

t.test('sloppy framing seen on cameras', async (t) => {
  const lf = one('RTSP/1.0 200 OK\nCSeq: 3\nSession: 12345678\nTransport: RTP/AVP;unicast;client_port=5000-5001\n\n');
  t.equal(lf.headers.get('session'), '12345678', 'bare LF line ends (janus#1922 camera)');

  const noReason = one('RTSP/1.0 200\r\nCSeq: 1\r\n\r\n');
  t.match(noReason, { type: 'response', status: 200, reason: '' }, 'status line without reason phrase');
  t.match(one('RTSP/1.0 200 \r\nCSeq: 1\r\n\r\n'), { status: 200, reason: '' }, 'empty reason phrase');

  const longse = one('RTSP/1.0 401 Unauthorized\r\nCSeq: 1 \r\nWWW-Authenticate: Digest realm="Surveillance Server", nonce="98481030"\r\n\r\n');
  t.equal(longse.headers.get('CSeq'), '1', 'Longse: trailing space after CSeq is trimmed');

  const hik = one('RTSP/1.0 200 OK\r\nCseq: 4\r\nSession:        708345999;timeout=60\r\nDate:  Wed, Jan 01\r\n\r\n');
  t.equal(hik.headers.get('CSEQ'), '4', 'header names in any case');
  t.equal(hik.headers.get('session'), '708345999;timeout=60', 'Hikvision: padded Session value');

  const folded = one('RTSP/1.0 200 OK\r\nCSeq: 5\r\nPublic: OPTIONS, DESCRIBE,\r\n  SETUP, PLAY\r\n\tTEARDOWN\r\n\r\n');
  t.equal(folded.headers.get('public'), 'OPTIONS, DESCRIBE, SETUP, PLAY TEARDOWN', 'folded value');

  const luma = one('RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 1\r\n \r\nRTP-Info: url=rtsp://x/track1;seq=1\r\n\r\n');
  t.equal(luma.headers.get('rtp-info'), 'url=rtsp://x/track1;seq=1', 'Luma x20: a line of one space does not end the block');

  const req = one('GET_PARAMETER rtsp://10.0.0.1/stream RTSP/1.0\r\nCSeq: 9\r\nContent-length: 4\r\n\r\n$99\n');
  t.match(req, { type: 'request', method: 'GET_PARAMETER', url: 'rtsp://10.0.0.1/stream' });
  t.equal(bodyText(req), '$99\n', 'a $ inside a body is body (curl test571)');

  const items = parseChunks([bytes('\r\n\r\nRTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n\r\n$\x01\x00\x02ab\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n')]);
  t.same(
    items.map((i) => i.kind),
    ['msg', 'frame', 'msg'],
    'stray line ends between messages, then a frame, then a server request',
  );
});

t.test('bounds and malformed input give typed errors', async (t) => {
  const code = (s: string | Uint8Array, limits?: Partial<RtspParserLimits>) => {
    try {
      parseChunks([typeof s === 'string' ? bytes(s) : s], limits);
      return 'none';
    } catch (e) {
      return e instanceof RtspParseError ? e.code : `untyped ${e}`;
    }
  };
  t.equal(code('HELLO\r\n\r\n'), 'RTSP_BAD_START_LINE');
  t.equal(code('HTTP/1.1 200 OK\r\n\r\n'), 'RTSP_BAD_START_LINE');
  t.equal(code('RTSP/1.0 200 OK\r\nno colon here\r\n\r\n'), 'RTSP_BAD_HEADER_LINE');
  t.equal(code('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n'), 'RTSP_BAD_CONTENT_LENGTH');
  t.equal(code('RTSP/1.0 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'), 'RTSP_BAD_CONTENT_LENGTH');
  t.equal(code('RTSP/1.0 200 OK\r\nContent-Length: 101\r\n\r\n', { maxBodyBytes: 100 }), 'RTSP_BODY_TOO_LARGE');
  t.equal(code('RTSP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n', { maxBodyBytes: 100 }), 'none');
  const many = (k: number) => 'RTSP/1.0 200 OK\r\n' + 'X-A: 1\r\n'.repeat(k) + '\r\n';
  t.equal(code(many(10), { maxHeaderCount: 10 }), 'none');
  t.equal(code(many(11), { maxHeaderCount: 10 }), 'RTSP_TOO_MANY_HEADERS');
  t.equal(code('RTSP/1.0 200 OK\r\nX-Big: ' + 'a'.repeat(2000) + '\r\n\r\n', { maxHeaderBytes: 1024 }), 'RTSP_HEADER_TOO_LARGE');
  t.equal(code('RTSP/1.0 200 OK\r\nX: \x00\r\n\r\n'), 'RTSP_BAD_HEADER_LINE');

  const p = new RtspMessageParser({ onMessage: () => {}, onFrame: () => {} });
  t.throws(() => p.push(bytes('junk junk\r\n')), { code: 'RTSP_BAD_START_LINE' });
  t.throws(() => p.push(bytes('RTSP/1.0 200 OK\r\n\r\n')), { code: 'RTSP_PARSER_FAILED' }, 'stays failed');
  p.reset();
  p.push(bytes('RTSP/1.0 200 OK\r\n\r\n'));
  t.equal(p.stats.messages, 1, 'usable again after reset');
});

t.test('arbitrary bytes only ever give RtspParseError', async (t) => {
  const pieces = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom('RTSP/1.0 200 OK\r\n', 'CSeq: 1\r\n', '\r\n', '\n', 'Content-Length: 5\r\n', '$', 'OPTIONS * RTSP/1.0\n', ' x\r\n').map(bytes),
  );
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), (parts, cuts) => {
      const buf = new Uint8Array(Buffer.concat(parts));
      try {
        parseChunks(split(buf, cuts), { maxHeaderBytes: 512, maxBodyBytes: 256, maxHeaderCount: 16 });
      } catch (e) {
        if (!(e instanceof RtspParseError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

t.test('serialize then parse round-trips requests, responses and frames', async (t) => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/);
  const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
  const headers = fc.array(fc.tuple(token.filter((n) => n.toLowerCase() !== 'content-length'), value), { maxLength: 8 });
  const body = fc.uint8Array({ maxLength: 300 });
  const msg = fc.oneof(
    fc.record({ method: token, url: fc.stringMatching(/^rtsp:\/\/[a-z0-9.]{1,10}\/[\x21-\x7e]{0,20}$/), headers, body }).map((r) => ({
      bytes: serializeRequest({ method: r.method, url: r.url, headers: new RtspHeaders(r.headers), body: r.body }),
      want: { type: 'request', method: r.method, url: r.url, headers: r.headers, body: r.body },
    })),
    fc.record({ status: fc.integer({ min: 100, max: 999 }), reason: fc.option(value, { nil: undefined }), headers, body }).map((r) => ({
      bytes: serializeResponse({ status: r.status, reason: r.reason, headers: new RtspHeaders(r.headers), body: r.body }),
      want: { type: 'response', status: r.status, reason: r.reason, headers: r.headers, body: r.body },
    })),
    fc.record({ channel: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 2000 }) }).map((f) => ({
      bytes: serializeInterleavedFrame(f.channel, f.data),
      want: { type: 'frame', channel: f.channel, body: f.data },
    })),
  );
  fc.assert(
    fc.property(fc.array(msg, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (msgs, cuts) => {
      const stream = new Uint8Array(Buffer.concat(msgs.map((m) => m.bytes)));
      const got: object[] = [];
      const p = new RtspMessageParser({
        onMessage: (m) => {
          const headers = m.headers.entries().filter(([n]) => n !== 'Content-Length').map(([n, v]) => [n, v]);
          got.push(m.type === 'request'
            ? { type: 'request', method: m.method, url: m.url, headers, body: [...m.body] }
            : { type: 'response', status: m.status, reason: m.reason, headers, body: [...m.body] });
        },
        onFrame: (channel, data) => got.push({ type: 'frame', channel, body: [...data] }),
      });
      for (const c of split(stream, cuts)) p.push(c);
      const want = msgs.map(({ want: w }) => {
        const o: Record<string, unknown> = { ...w, body: [...w.body] };
        if (w.type === 'response' && (w as { reason?: string }).reason === undefined) delete o.reason;
        return o;
      });
      t.equal(got.length, want.length);
      for (let k = 0; k < want.length; k++) t.match(got[k], want[k]);
    }),
    { numRuns: 300 },
  );
  t.throws(() => serializeRequest({ method: 'OPTIONS', url: 'rtsp://x/', headers: new RtspHeaders([['X', 'a\r\nInjected: 1']]) }), { code: 'RTSP_BAD_FIELD' });
  t.equal(Buffer.from(serializeResponse({ status: 454 })).toString(), 'RTSP/1.0 454 Session Not Found\r\n\r\n');
});
