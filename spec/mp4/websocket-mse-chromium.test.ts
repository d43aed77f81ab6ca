/**
 * The fallback's two pure layers against a real browser: a node:http server on loopback upgrades
 * with lib/http/websocket-handshake, frames the muxer's init segment and fragments with
 * lib/http/websocket-frame, and decodes what Chromium sends back (masked text and binary, its
 * close). Chromium feeds the fragments to Media Source Extensions and plays them to the end.
 */
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { parseSps, profileLevelId } from '../../lib/h264/sps.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { validateUpgradeRequest, upgradeResponse, WebSocketHandshakeError } from '../../lib/http/websocket-handshake.js';
import { encodeWsFrame, encodeWsClose, WebSocketFrameDecoder, WebSocketError, WsOpcode } from '../../lib/http/websocket-frame.js';
import { missingTool } from '../../test/support/env.js';
import { demoClip } from '../../test/support/demo-clip.js';
import { launchChromium, type Chromium } from '../../test/support/chromium.js';

const BIG_TEXT = 'x'.repeat(70_000); // a 64-bit length frame

interface PageResult { supported: boolean; errors: string[]; firstText: number; binaries: number; ended: boolean; width: number; closeCode: number; wasClean: boolean }

t.test('fMP4 over camwire\'s WebSocket framing plays in Chromium MSE; client frames decode; close handshake is clean', async (t) => {
  const why = missingTool('chromium', '--version');
  if (why) { t.comment('skip: ' + why); return; }
  const source = await demoClip();
  if (!source.path) { t.comment('skip: ' + source.skip); return; }
  const clip = loadH264Clip(splitAnnexB(readFileSync(source.path)));
  const sps = parseSps(clip.sps);
  const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264' }]);
  const segments: Uint8Array[] = [];
  clip.frames.forEach((frame, i) => {
    const f = muxer.pushVideo(0, { nalus: frame.nalus, timestamp: (0xffff_0000 + i * 3000) >>> 0, keyframe: frame.keyframe });
    if (i === 0) segments.push(muxer.initSegment()); // learnt from the first keyframe
    if (f) segments.push(f);
  });
  segments.push(muxer.flush(0) as Uint8Array);

  const received: { texts: string[]; binaries: number[]; closes: [number | undefined, string][]; errors: string[] } = { texts: [], binaries: [], closes: [], errors: [] };
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>fallback</title>');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    let accept: string;
    try {
      accept = validateUpgradeRequest(req.headers).accept;
    } catch (e) {
      received.errors.push(e instanceof WebSocketHandshakeError ? e.code : String(e));
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    socket.write(upgradeResponse(accept));
    const decoder = new WebSocketFrameDecoder({
      onText: (s) => received.texts.push(s),
      onBinary: (b) => received.binaries.push(b.length),
      onPing: (p) => socket.write(encodeWsFrame(WsOpcode.Pong, p)),
      onPong: () => undefined,
      onClose: (code, reason) => {
        received.closes.push([code, reason]);
        socket.end(encodeWsClose(code));
      },
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (e) {
        received.errors.push(e instanceof WebSocketError ? e.code : String(e));
        socket.end(encodeWsClose(e instanceof WebSocketError ? e.closeCode : 1011));
      }
    });
    socket.on('error', (e) => received.errors.push(String(e)));
    socket.write(encodeWsFrame(WsOpcode.Text, Buffer.from(BIG_TEXT)));
    for (const s of segments) socket.write(encodeWsFrame(WsOpcode.Binary, s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  let browser: Chromium | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const result = await page.evaluate(async ({ url, mime, count }): Promise<PageResult> => {
      const g = globalThis as any; // the browser's globals (this file compiles without the DOM types)
      const errors: string[] = [];
      const r: PageResult = { supported: g.MediaSource.isTypeSupported(mime), errors, firstText: -1, binaries: 0, ended: false, width: 0, closeCode: 0, wasClean: false };
      const video = g.document.createElement('video');
      video.muted = true;
      g.document.body.append(video);
      const ms = new g.MediaSource();
      video.src = URL.createObjectURL(ms);
      await new Promise((res) => ms.addEventListener('sourceopen', res, { once: true }));
      const sb = ms.addSourceBuffer(mime);
      const queue: ArrayBuffer[] = [];
      const feed = () => { if (!sb.updating && queue.length) sb.appendBuffer(queue.shift()); };
      sb.addEventListener('updateend', () => {
        if (queue.length) feed();
        else if (r.binaries === count && ms.readyState === 'open') ms.endOfStream();
      });
      const ws = new g.WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const closed = new Promise<void>((res) => { ws.onclose = (e: any) => { r.closeCode = e.code; r.wasClean = e.wasClean; res(); }; });
      const allIn = new Promise<void>((res) => {
        ws.onmessage = (e: any) => {
          if (typeof e.data === 'string') {
            r.firstText = e.data.length;
            ws.send(`got ${e.data.length}`);
            return;
          }
          r.binaries++;
          queue.push(e.data);
          feed();
          if (r.binaries === count) res();
        };
      });
      ws.onerror = () => errors.push('websocket error');
      await allIn;
      const ended = new Promise<boolean>((res) => { video.onended = () => res(true); setTimeout(() => res(false), 15_000); });
      video.playbackRate = 4;
      await video.play().catch((e: unknown) => errors.push(`play: ${String(e)}`));
      r.ended = await ended;
      r.width = video.videoWidth;
      ws.send(new Uint8Array(300)); // a 16-bit length from the client
      ws.close(4000, 'done');
      await closed;
      return r;
    }, { url: `ws://127.0.0.1:${port}/live`, mime: `video/mp4; codecs="avc1.${profileLevelId(sps)}"`, count: segments.length });
    t.ok(result.supported);
    t.same(result.errors, [], 'no error in the page');
    t.equal(result.firstText, BIG_TEXT.length, 'a 70000-byte text frame arrived whole');
    t.equal(result.binaries, segments.length, 'every segment arrived as one message');
    t.ok(result.ended, 'MSE played the fragments to the end');
    t.equal(result.width, sps.width);
    t.same([result.closeCode, result.wasClean], [4000, true], 'the close handshake completed');
    t.same(received, { texts: [`got ${BIG_TEXT.length}`], binaries: [300], closes: [[4000, 'done']], errors: [] }, 'the server decoded Chromium\'s masked frames');
  } finally {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
