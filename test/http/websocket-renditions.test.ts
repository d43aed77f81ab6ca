/**
 * A WebSocket fallback viewer of a stream with renditions, on a gateway with two hand-driven
 * camera profiles (1920x1080 baseline and 1366x768 high, so a switch changes the frame size
 * and the codec string) and a fake socket whose send backlog the test controls. The viewer is
 * told the renditions, pins one with a text message, and is switched at the target's keyframe:
 * a new init segment (the target's avcC and size), then fragments whose decode times go on
 * without a jump. On Auto, a backlog that keeps growing moves it down; an empty one, after the
 * chooser's trial wait, back up.
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Gateway } from '../../lib/gateway/gateway.js';
import { createDeps } from '../../lib/gateway/wiring.js';
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../../lib/gateway/source.js';
import { acceptWebSocket, WebSocketViewers } from '../../lib/http/websocket-route.js';
import { renderMetrics } from '../../lib/http/metrics.js';
import { encodeWsFrame, WsOpcode } from '../../lib/http/websocket-frame.js';
import { FakeTransport, VirtualClock } from '../support/fake-transport.js';
import { GOOD_UPGRADE } from '../support/ws-client.js';
import { maskFrame } from '../support/ws-mask.js';
import { find, readBoxes, readFragment } from '../support/mp4-boxes.js';
import { PPS, SPS_1080P_BASELINE, SPS_1366X768_HIGH } from '../mp4/fixtures.js';

const FRAME_MS = 1000 / 30;

class ProfileSource implements VideoSource {
  sink: SourceSink | undefined;
  keyframeRequests = 0;
  private ts: number;
  constructor(readonly sps: Uint8Array, firstTs: number) {
    this.ts = firstTs;
  }
  start(sink: SourceSink): void {
    this.sink = sink;
    sink.onState('playing');
  }
  stop(): void {
    this.sink = undefined;
  }
  requestKeyframe(): void {
    this.keyframeRequests++;
  }
  info(): SourceInfo {
    return {};
  }
  stats() {
    return {};
  }
  frame(keyframe: boolean, size: number): void {
    const slice = new Uint8Array(size).fill(0x5a);
    slice[0] = keyframe ? 0x65 : 0x41;
    const au: AccessUnit = { nalus: keyframe ? [this.sps, PPS, slice] : [slice], keyframe, timestamp: this.ts };
    this.ts = (this.ts + 3000) >>> 0;
    this.sink?.onAccessUnit(au);
  }
}

/** The socket of an upgraded request: records what camwire writes; `backlog` is what it has not sent yet. */
class FakeSocket extends EventEmitter {
  readonly written: Buffer[] = [];
  writableLength = 0;
  destroyed = false;
  write(chunk: Uint8Array | string): boolean {
    const b = Buffer.from(chunk);
    this.written.push(b);
    this.writableLength += b.length;
    return true;
  }
  /** The link takes `bytes` of the backlog. */
  drain(bytes: number): void {
    this.writableLength = Math.max(0, this.writableLength - bytes);
  }
  end(data?: Uint8Array | string): void {
    if (data) this.write(data);
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  cork(): void {}
  uncork(): void {}
  unshift(): void {}

  /** The server's messages so far: text as strings, binary as bytes. */
  messages(): (string | Uint8Array)[] {
    const all = Buffer.concat(this.written);
    let i = all.indexOf('\r\n\r\n') + 4;
    const out: (string | Uint8Array)[] = [];
    while (i + 2 <= all.length) {
      const opcode = all[i] & 0x0f;
      let len = all[i + 1] & 0x7f;
      let at = i + 2;
      if (len === 126) {
        len = all.readUInt16BE(at);
        at += 2;
      } else if (len === 127) {
        len = Number(all.readBigUInt64BE(at));
        at += 8;
      }
      const payload = all.subarray(at, at + len);
      out.push(opcode === WsOpcode.Text ? payload.toString() : payload);
      i = at + len;
    }
    return out;
  }

  /** A text message from the page. */
  sendText(text: string): void {
    this.emit('data', maskFrame(encodeWsFrame(WsOpcode.Text, Buffer.from(text)), Uint8Array.of(1, 2, 3, 4)));
  }
}

function setup(o: { maxBufferedBytes?: number; stallTimeoutMs?: number } = {}) {
  const clock = new VirtualClock();
  const sources: Record<string, ProfileSource> = {};
  const gw = new Gateway(
    {
      streams: { cam: { renditions: [{ name: '1080p', url: 'rtsp://cam.invalid/main' }, { name: '768p', url: 'rtsp://cam.invalid/sub' }] } },
      tickMs: 3_600_000,
    },
    new FakeTransport(),
    createDeps({}, { clock }),
    (_name, cfg) => {
      const sub = cfg.url.endsWith('/sub');
      return (sources[sub ? 'sub' : 'main'] = new ProfileSource(sub ? SPS_1366X768_HIGH : SPS_1080P_BASELINE, sub ? 0xffff0000 : 77));
    },
  );
  const stream = gw.stream('cam')!;
  const viewers = new WebSocketViewers(clock);
  const socket = new FakeSocket();
  const req = { method: 'GET', headers: { ...GOOD_UPGRADE, host: 'x' }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  acceptWebSocket(gw, viewers, req, socket as unknown as Duplex, new Uint8Array(0), ['ws', 'cam'], new URL('http://x/ws/cam'), o);
  let n = 0;
  /** `seconds` of both profiles at 30 fps, keyframes every second; the link takes `linkBps` of the backlog. */
  const run = (seconds: number, linkBps = Infinity) => {
    for (let i = 0; i < seconds * 30; i++, n++) {
      sources.main.frame(n % 30 === 0, n % 30 === 0 ? 20_000 : 4000);
      sources.sub.frame(n % 30 === 0, n % 30 === 0 ? 4000 : 800);
      clock.advance(FRAME_MS);
      socket.drain((linkBps / 8) * (FRAME_MS / 1000));
      if (n % 3 === 0) stream.tick();
    }
  };
  const info = () => viewers.info('cam')[0];
  return { gw, stream, socket, run, info, sources, viewers };
}

/** Width of an init segment's avc1 entry, and its avcC's profile byte. */
function initOf(m: Uint8Array): { width: number; profile: number } {
  const avc1 = find(readBoxes(m), 'moov/trak/mdia/minf/stbl/stsd/avc1');
  const avcC = find(readBoxes(m), 'moov/trak/mdia/minf/stbl/stsd/avc1/avcC');
  return { width: (avc1.body[24] << 8) | avc1.body[25], profile: avcC.body[1] };
}

const isInit = (m: string | Uint8Array): m is Uint8Array => typeof m !== 'string' && Buffer.from(m.subarray(4, 8)).toString() === 'ftyp';

/** The decode time steps between consecutive fragments (ticks of 90 kHz). */
function decodeSteps(messages: readonly (string | Uint8Array)[]): number[] {
  const times = messages.filter((m): m is Uint8Array => typeof m !== 'string' && !isInit(m)).map((m) => readFragment(m).baseDecodeTime);
  return times.slice(1).map((x, i) => x - times[i]);
}

t.test('pinned from the page: a new init segment at the target\'s keyframe, decode times going on without a jump', async (t) => {
  const s = setup();
  s.run(3);
  let msgs = s.socket.messages();
  t.same(JSON.parse(msgs[0] as string), { renditions: ['1080p', '768p'] }, 'the page is told the renditions first');
  t.match(JSON.parse(msgs[1] as string), { rendition: { current: '1080p', target: '1080p', mode: 'auto' } });
  t.same(initOf(msgs.find(isInit)!), { width: 1920, profile: 0x42 }, 'it starts on the best rendition');

  s.socket.sendText('{"rendition":"768p"}');
  s.run(2);
  msgs = s.socket.messages();
  const inits = msgs.filter(isInit);
  t.equal(inits.length, 2, 'one more init segment');
  t.same(initOf(inits[1]), { width: 1366, profile: 0x64 }, 'with the target\'s size and profile');
  t.ok(msgs.some((m) => typeof m === 'string' && JSON.parse(m).rendition?.current === '768p'), 'the page is told what plays now');
  t.match(s.info().rendition, { current: '768p', mode: '768p', switches: 1, switchesDown: 1, controlErrors: 0 });

  s.socket.sendText('{"rendition":"auto"}');
  s.socket.sendText('{"rendition":"4k"}');
  s.socket.sendText('not json');
  s.run(2);
  // Auto knows only that the link carries 768p: it steps up by its trial, later
  t.match(s.info().rendition, { current: '768p', mode: 'auto', controlErrors: 2 }, 'Auto; an unknown rendition and a non-JSON message are counted and dropped');
  s.socket.sendText('{"rendition":"1080p"}');
  s.run(2);
  msgs = s.socket.messages();
  t.equal(msgs.filter(isInit).length, 3, 'pinned back to the best: switched at its keyframe');
  t.same(initOf(msgs.filter(isInit)[2]), { width: 1920, profile: 0x42 });
  t.match(s.info().rendition, { current: '1080p', switches: 2, switchesUp: 1 });
  const metrics = renderMetrics(s.gw, s.viewers);
  t.match(metrics, /camwire_viewer_rendition_switches\{stream="cam"\} 2/, '/metrics counts the fallback viewer\'s switches');
  t.match(metrics, /camwire_rendition_viewers\{stream="cam",rendition="1080p"\} 1/);

  const steps = decodeSteps(msgs);
  t.ok(steps.length > 150, `${steps.length} fragments`);
  t.ok(steps.every((d) => d > 0 && d <= 3100), `decode times step by about a frame across both switches (${Math.min(...steps)}..${Math.max(...steps)})`);
  await s.gw.close();
});

t.test('Auto by the send backlog: down when it keeps growing, up by the trial after a time with it empty', async (t) => {
  const s = setup();
  s.run(4);
  t.match(s.info().rendition, { current: '1080p', switches: 0 }, 'a fast link keeps the best');
  // 1080p is ~1.2 Mbit/s, 768p ~0.24: a 0.6 Mbit/s link carries only the second
  s.run(6, 600_000);
  const down = s.info();
  t.match(down.rendition, { current: '768p', switchesDown: 1 }, `down by the backlog (${JSON.stringify(down.backlog)})`);
  t.ok(down.backlog.congestedWindows >= 1);
  s.run(20, 600_000);
  t.equal(s.info().rendition?.current, '768p', 'and stays there while the link is narrow');
  t.ok(s.info().bufferedBytes < 64 * 1024, 'its backlog drained');
  s.run(35);
  t.match(s.info().rendition, { current: '1080p', switchesUp: 1 }, 'a wide link again: back up by the trial');
  t.equal(s.info().overflows, 0, 'never near the session\'s hard bound');
  const steps = decodeSteps(s.socket.messages());
  t.ok(steps.every((d) => d > 0 && d <= 3100), 'decode times without a jump');
  await s.gw.close();
});

t.test('bounded as before: a viewer whose link takes nothing is cut by the session\'s bound, and its switch leaves the renditions', async (t) => {
  const s = setup({ maxBufferedBytes: 512 * 1024, stallTimeoutMs: 3000 });
  s.run(2);
  t.same(s.stream.stats().renditions!.map((r) => r.viewers), [1, 0], 'on 1080p');
  s.run(20, 0);
  t.equal(s.viewers.count('cam'), 0, 'given up');
  t.equal(s.viewers.dropped, 1);
  t.ok(s.socket.writableLength <= 512 * 1024 + 64 * 1024, `its backlog never passed the bound by more than a fragment (${s.socket.writableLength})`);
  t.same(s.stream.stats().renditions!.map((r) => r.viewers), [0, 0], 'its switch is gone');
  await s.gw.close();
});
