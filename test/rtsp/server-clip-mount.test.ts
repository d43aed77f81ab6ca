import t from 'tap';
import fc from 'fast-check';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { clipMount } from '../../lib/rtsp/server/clip-mount.js';
import type { RtspMount } from '../../lib/rtsp/server/mount.js';
import { UdpOutput } from '../../lib/rtsp/server/outputs.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { seqAdd, tsDistance } from '../../lib/rtp/seq.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { describeFirstPacket, sliceFrameNumber, syntheticNalus } from '../support/h264-synthetic.js';

const RTP_PORT = 4000;

/** A UDP output whose socket records what it is given: RTP with when, and whether it starts a (key)frame. */
class Recorder {
  rtp: { pkt: Uint8Array; at: number; frameStart: boolean; keyframe: boolean }[] = [];
  rtcp: Uint8Array[] = [];
  readonly output: UdpOutput;
  private frameEnded = true;
  constructor(clock: VirtualScheduler, mount: RtspMount) {
    const socket = {
      send: (pkt: Uint8Array, port: number) => {
        if (port !== RTP_PORT) return void this.rtcp.push(pkt);
        const frameStart = this.frameEnded;
        this.frameEnded = (pkt[1] & 0x80) !== 0;
        this.rtp.push({ pkt, at: clock.now(), frameStart, keyframe: frameStart && describeFirstPacket(pkt).keyframe });
      },
    };
    this.output = new UdpOutput(mount, socket, socket, '127.0.0.1', RTP_PORT, RTP_PORT + 1);
  }
}

/** Random numbers that pin SSRC, first sequence number and first timestamp. */
function pinned(ssrc: number, seq: number, ts: number): () => number {
  const v = [ssrc / 2 ** 32, seq / 65536, ts / 2 ** 32];
  let i = 0;
  return () => v[i++ % 3];
}

function stream(clock: VirtualScheduler, frames = 10, gop = 5, random = pinned(0x11223344, 65530, 0xffffff00)) {
  const source = new LoopingClipSource(loadH264Clip(syntheticNalus({ frames, gop, idrBytes: 3000 })), 25);
  return { source, s: clipMount('demo', source, { clock, random }) };
}

t.test('sequence numbers and timestamps continue across loops and across the 16-bit wrap', (t) => {
  const clock = new VirtualScheduler();
  const { s, source } = stream(clock);
  const r = new Recorder(clock, s);
  s.attach(r.output);
  clock.advance(40 * 25); // 25 frames: two and a half loops of a 10-frame clip
  t.ok(source.stats.loops >= 2);
  const pkts = r.rtp.map((x) => parseRtp(x.pkt));
  t.equal(pkts[0].sequenceNumber, 65530);
  t.equal(pkts[0].ssrc, 0x11223344);
  let wrapped = false;
  for (let i = 1; i < pkts.length; i++) {
    if (!t.equal(pkts[i].sequenceNumber, seqAdd(pkts[i - 1].sequenceNumber, 1), 'no gap')) t.bailout?.();
    if (pkts[i].sequenceNumber < pkts[i - 1].sequenceNumber) wrapped = true;
    const d = tsDistance(pkts[i - 1].timestamp, pkts[i].timestamp);
    t.ok(d === 0 || d === 3600, 'timestamp steps by one frame');
    if (d !== 0) t.ok(pkts[i - 1].marker, 'the marker ends each frame');
  }
  t.ok(wrapped, 'crossed 65535 -> 0');
  t.ok(pkts.some((p, i) => i > 0 && p.timestamp < pkts[i - 1].timestamp), 'crossed the 32-bit timestamp wrap');
  t.end();
});

t.test('paced by timestamps: each frame goes out when its timestamp is due, on virtual time', (t) => {
  const clock = new VirtualScheduler();
  const { s } = stream(clock);
  const r = new Recorder(clock, s);
  const t0 = clock.now();
  s.attach(r.output);
  clock.advance(400);
  const starts = r.rtp.filter((x) => x.frameStart);
  t.equal(starts.length, 11, 'frames at 0, 40, ... 400 ms');
  starts.forEach((x, i) => t.equal(x.at - t0, i * 40));
  t.end();
});

t.test('PLI/FIR: the next frame is a keyframe; requests are rate-limited (1 s, the stream\'s KeyframePolicy) but never lost', (t) => {
  const clock = new VirtualScheduler();
  const { s } = stream(clock, 50, 25);
  const r = new Recorder(clock, s);
  s.attach(r.output);
  clock.advance(40 * 30); // past the rate limit of the keyframe forced for this viewer's start
  r.rtp = [];
  s.requestKeyframe();
  clock.advance(40);
  const first = r.rtp.find((x) => x.frameStart)!;
  t.ok(first.keyframe, 'the very next frame is an IDR with SPS/PPS first');
  r.rtp = [];
  s.requestKeyframe('fir'); // within the interval of the forced one
  clock.advance(40);
  t.notOk(r.rtp.find((x) => x.frameStart)!.keyframe, 'a second request 40 ms later waits');
  clock.advance(1000);
  const keys = r.rtp.filter((x) => x.frameStart && x.keyframe);
  t.equal(keys.length, 1, 'but is answered once the interval has passed');
  t.equal(s.stats().keyframesForced, 3, 'the new viewer, then the two requests');
  t.equal(s.stats().keyframeRequests, 2, 'the two requests from viewers (the start is the track\'s)');
  t.end();
});

t.test('sender reports carry the SSRC, the RTP time of the wall clock, and the counts', (t) => {
  const clock = new VirtualScheduler();
  const { s } = stream(clock);
  const r = new Recorder(clock, s);
  s.attach(r.output);
  clock.advance(5100);
  t.ok(r.rtcp.length >= 2, 'one at the first tick after the start, then every 5 s');
  const sr = Buffer.from(r.rtcp[r.rtcp.length - 1]);
  t.equal(sr[1], 200);
  t.equal(sr.readUInt32BE(4), 0x11223344);
  const ntpSeconds = sr.readUInt32BE(8) - 2208988800;
  t.equal(ntpSeconds, Math.floor(clock.now() / 1000));
  const rtpTs = sr.readUInt32BE(16);
  t.equal(tsDistance(0xffffff00, rtpTs), 5100 * 90, 'RTP time advanced 90 kHz x 5.1 s since the first frame');
  t.equal(sr.readUInt32BE(20), s.stats().packets);
  t.equal(sr[28 + 1], 202, 'SDES follows');
  t.end();
});

t.test('stops when the last viewer leaves; on restart RTP time jumps by the idle time and seq continues', (t) => {
  const clock = new VirtualScheduler();
  const { s } = stream(clock);
  const r = new Recorder(clock, s);
  s.attach(r.output);
  clock.advance(200);
  s.detach(r.output);
  t.equal(s.stream.sourceState, 'idle', 'the source stopped');
  const last = parseRtp(r.rtp[r.rtp.length - 1].pkt);
  const n = r.rtp.length;
  clock.advance(10000);
  t.equal(r.rtp.length, n, 'nothing sent while idle');
  t.equal(clock.waiting, 0, 'no timer left running');
  const r2 = new Recorder(clock, s);
  s.attach(r2.output);
  clock.advance(1);
  const first = parseRtp(r2.rtp[0].pkt);
  t.equal(first.sequenceNumber, seqAdd(last.sequenceNumber, 1));
  t.ok(Math.abs(tsDistance(last.timestamp, first.timestamp) - 10040 * 90) <= 3600, 'RTP clock kept pace with wall time');
  t.ok(r2.rtp[0].keyframe, 'a new viewer starts on a keyframe');
  t.end();
});

t.test('every viewer gets the same packet buffers (one packetization, one copy per packet)', (t) => {
  const clock = new VirtualScheduler();
  const { s } = stream(clock);
  const a = new Recorder(clock, s);
  const b = new Recorder(clock, s);
  s.attach(a.output);
  s.attach(b.output);
  clock.advance(200);
  t.equal(a.rtp.length, b.rtp.length);
  t.ok(a.rtp.every((x, i) => x.pkt === b.rtp[i].pkt));
  t.equal(s.stats().viewers, 2);
  const frames = a.rtp.map((x) => sliceFrameNumber(x.pkt)).filter((x) => x !== undefined);
  t.same(frames.map((f) => f!.frame), [0, 1, 2, 3, 4, 5], "clip order");
  t.end();
});

t.test('a viewer joining just after a keyframe starts on the cached one at once; later, on the next keyframe', (t) => {
  const clock = new VirtualScheduler();
  const { s } = stream(clock, 50, 25);
  const a = new Recorder(clock, s);
  s.attach(a.output);
  clock.advance(20); // the IDR went out at 0, the next frame is due at 40
  const b = new Recorder(clock, s);
  s.attach(b.output);
  t.ok(b.rtp.length > 0 && b.rtp[0].keyframe, 'started on the cached keyframe');
  t.equal(b.output.startedAt?.seq, parseRtp(a.rtp[0].pkt).sequenceNumber, 'with its own sequence numbers');
  clock.advance(200);
  t.same(b.rtp.map((x) => parseRtp(x.pkt).sequenceNumber), a.rtp.map((x) => parseRtp(x.pkt).sequenceNumber), 'then live, without a gap');
  const c = new Recorder(clock, s);
  s.attach(c.output);
  t.equal(c.rtp.length, 0, 'frames followed the cached keyframe: wait for the next one');
  clock.advance(1000);
  t.ok(c.rtp.length > 0 && c.rtp[0].keyframe, 'then start on it');
  t.end();
});

t.test('property: whenever viewers join and leave, each starts on a keyframe and then misses no packet', (t) => {
  fc.assert(fc.property(
    fc.array(fc.record({ at: fc.integer({ min: 0, max: 3000 }), stay: fc.integer({ min: 1, max: 2000 }) }), { minLength: 1, maxLength: 6 }),
    (joins) => {
      const clock = new VirtualScheduler();
      const { s } = stream(clock, 30, 10);
      const t0 = clock.now();
      const events = joins.flatMap((j, i) => [{ at: j.at, i, join: true }, { at: j.at + j.stay, i, join: false }]).sort((a, b) => a.at - b.at || Number(a.join) - Number(b.join));
      const recorders = joins.map(() => new Recorder(clock, s));
      for (const e of events) {
        clock.advance(t0 + e.at - clock.now());
        if (e.join) s.attach(recorders[e.i].output);
        else s.detach(recorders[e.i].output);
      }
      for (const r of recorders) {
        if (r.rtp.length === 0) continue;
        if (!r.rtp[0].keyframe) return false;
        for (let k = 1; k < r.rtp.length; k++) {
          if (parseRtp(r.rtp[k].pkt).sequenceNumber !== seqAdd(parseRtp(r.rtp[k - 1].pkt).sequenceNumber, 1)) return false;
        }
      }
      return true;
    },
  ), { numRuns: 60 });
  t.pass('held for every schedule');
  t.end();
});
