import t from 'tap';
import { InterleavedOutput, UdpOutput, type OutputHost, type StreamWriter } from '../../lib/rtsp/server/outputs.js';

/** A socket whose kernel never drains unless told to. */
class StuckWriter implements StreamWriter {
  writableLength = 0;
  written: Uint8Array[] = [];
  write(chunk: Uint8Array): boolean {
    this.written.push(chunk);
    this.writableLength += chunk.length;
    return true;
  }
  drain(): void {
    this.writableLength = 0;
  }
}

function packet(size: number, tag: number): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = 0x80;
  p[12] = tag;
  return p;
}

/** A mount stand-in: packets pass as they are, SRs are tagged 9, keyframe requests counted. */
function host(now: () => number = () => 0): OutputHost & { asked: number } {
  return {
    asked: 0,
    clock: { now, wallClock: now, setTimer: () => ({ cancel: () => {} }) },
    senderReportIntervalMs: 5000,
    copy: (p) => p,
    senderReport: () => packet(40, 9),
    resendCopy: () => undefined,
    requestKeyframe() { this.asked++; },
  };
}

t.test('a new viewer waits for a keyframe, then gets every packet $-framed on its channel', (t) => {
  const w = new StuckWriter();
  const v = new InterleavedOutput(host(), w, { rtpChannel: 2, rtcpChannel: 3, disconnect: () => {} });
  v.waitForKeyframe();
  v.sendLive(packet(100, 1), 1, 0, false);
  v.sendLive(packet(100, 2), 2, 0, false);
  v.tick(0);
  t.equal(w.written.length, 0, 'nothing before the first keyframe (RTCP neither)');
  v.sendLive(packet(100, 3), 3, 0, true);
  v.sendLive(packet(100, 4), 4, 0, false);
  v.sendLive(packet(100, 5), 5, 0, false);
  v.tick(0);
  t.same(w.written.map((b) => [b[0], b[1], (b[2] << 8) | b[3], b[4 + 12]]), [
    [0x24, 2, 100, 3],
    [0x24, 2, 100, 4],
    [0x24, 2, 100, 5],
    [0x24, 3, 40, 9],
  ]);
  t.equal(v.stats.packetsDropped, 2);
  t.end();
});

t.test('a slow TCP viewer never queues more than maxQueueBytes: it skips to the next keyframe', (t) => {
  const w = new StuckWriter();
  let dropped = 0;
  let now = 0;
  const h = host(() => now);
  const v = new InterleavedOutput(h, w, { rtpChannel: 0, rtcpChannel: 1, maxQueueBytes: 10_000, stallTimeoutMs: 5000, disconnect: () => dropped++ });
  v.waitForKeyframe();
  // 100 frames of 5 packets of 1000 bytes; keyframe every 25 frames
  for (let f = 0; f < 100; f++) {
    now = f * 40;
    for (let p = 0; p < 5; p++) {
      v.sendLive(packet(1000, f), f * 5 + p, f, p === 0 && f % 25 === 0);
      if (!t.ok(w.writableLength <= 10_000, 'bounded')) t.bailout?.();
    }
    if (f === 30) w.drain();
  }
  t.ok(v.stats.overflows >= 2, 'overflowed more than once');
  t.ok(h.asked >= 1, 'asked the stream for a keyframe once drained');
  t.equal(dropped, 0, 'not stalled long enough to be dropped');
  t.ok(v.peakQueueBytes <= 10_000);
  // after the drain at frame 30, the next frame written starts a keyframe
  const afterDrain = w.written.filter((b) => b[4 + 12] > 30);
  t.ok(afterDrain.length > 0 && afterDrain[0][4 + 12] % 25 === 0, `resumed on keyframe frame ${afterDrain[0]?.[4 + 12]}`);
  t.end();
});

t.test('a viewer stuck past stallTimeoutMs is disconnected, once', (t) => {
  const w = new StuckWriter();
  let dropped = 0;
  let now = 0;
  const v = new InterleavedOutput(host(() => now), w, { rtpChannel: 0, rtcpChannel: 1, maxQueueBytes: 5000, stallTimeoutMs: 2000, disconnect: () => dropped++ });
  v.waitForKeyframe();
  for (let f = 0; f < 200; f++) {
    now = f * 40;
    v.sendLive(packet(1000, f & 0xff), f * 2, f, f % 10 === 0);
    v.sendLive(packet(1000, f & 0xff), f * 2 + 1, f, false);
  }
  t.equal(dropped, 1);
  t.ok(w.writableLength <= 5000);
  t.end();
});

t.test('UDP viewer sends RTP and RTCP to the client port pair', (t) => {
  const sent: [number, number, string][] = [];
  const sock = { send: (m: Uint8Array, port: number, addr: string) => { sent.push([m[12], port, addr]); } };
  const v = new UdpOutput(host(), sock, sock, '127.0.0.1', 4000, 4001);
  v.waitForKeyframe();
  v.sendLive(packet(50, 1), 1, 0, false);
  v.sendLive(packet(50, 2), 2, 0, true);
  v.tick(0);
  t.same(sent, [[2, 4000, '127.0.0.1'], [9, 4001, '127.0.0.1']]);
  t.end();
});
