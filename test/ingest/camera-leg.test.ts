import t from 'tap';
import fc from 'fast-check';
import { CameraLeg, attachCameraLeg, type CameraLegClient, type CameraLegUpstream } from '../../lib/ingest/camera-leg.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { ntpMiddle32FromMs, msToDlsr, type RtcpPacket } from '../../lib/rtcp/index.js';
import type { AccessUnit } from '../../lib/h264/index.js';
import type { RtspSessionInfo, RtspTrack, RtspTransportMode } from '../../lib/rtsp/client/types.js';
import { FakeTimers } from '../support/fake-clock.js';
import { SPS, PPS } from '../support/h264-synthetic.js';
import { key, run as simulate } from '../support/camera-sim.js';
import type { LinkProfile } from '../../lib/netsim/index.js';
import { EventEmitter } from 'node:events';

const FRAME_MS = 40;

/** Packets of `frames` frames (IDR every 10), 3 FU-A packets each, starting at `seq0`. */
function framePackets(frames: number, seq0: number, ssrc = 0x1234): RtpPacket[][] {
  const pz = new H264Packetizer({ ssrc, payloadType: 96, mtu: 1000, sequenceNumber: seq0, parameterSets: [SPS, PPS] });
  const out: RtpPacket[][] = [];
  const scratch = new Uint8Array(1000);
  for (let f = 0; f < frames; f++) {
    const nal = new Uint8Array(2500).fill(f & 0xff);
    nal[0] = f % 10 === 0 ? 0x65 : 0x41;
    pz.start(f % 10 === 0 ? [SPS, PPS, nal] : [nal], f * 3600);
    const pkts: RtpPacket[] = [];
    for (let n = pz.writeNext(scratch); n > 0; n = pz.writeNext(scratch)) pkts.push(parseRtp(scratch.slice(0, n)));
    out.push(pkts);
  }
  return out;
}

function session(transport: RtspTransportMode, seq: number, generation = 1): { info: RtspSessionInfo; track: RtspTrack } {
  const track = {
    index: 0, mediaType: 'video', codec: 'H264', payloadType: 96, clockRate: 90000, control: 'rtsp://x/demo/trackID=0',
    sdp: {
      formats: [{ payloadType: 96, h264: { parameterSets: [SPS, PPS] } }, { payloadType: 97, codec: 'rtx', fmtp: new Map([['apt', '96']]) }],
      payloadTypes: [96, 97],
    },
  } as unknown as RtspTrack;
  const info = { transport, tracks: [track], rtpInfo: [{ url: 'rtsp://x/demo/trackID=0', seq }], generation } as unknown as RtspSessionInfo;
  return { info, track };
}

/** A camera that answers NACKs from what it sent, after `delayMs`. */
class FakeCamera implements CameraLegUpstream {
  nacks: number[][] = [];
  plis = 0;
  leg: CameraLeg | undefined;
  answer = true;
  /** Resend as RTX (RFC 4588: PT 97, own SSRC and sequence numbers, original seq in front). */
  rtx = false;
  private rtxSeq = 65530;
  private readonly sent = new Map<number, RtpPacket>();
  constructor(private readonly clock: FakeTimers, private readonly delayMs = 5) {}
  remember(p: RtpPacket): void { this.sent.set(p.sequenceNumber, p); }
  sendNack(_track: number, seqs: readonly number[]): boolean {
    const copy = [...seqs];
    this.nacks.push(copy);
    if (this.answer) {
      this.clock.setTimer(this.delayMs, () => {
        for (const s of copy) {
          const p = this.sent.get(s);
          if (!p) continue;
          if (!this.rtx) {
            this.leg?.onRtp(p);
            continue;
          }
          const payload = new Uint8Array(p.payload.length + 2);
          payload[0] = s >> 8;
          payload[1] = s & 0xff;
          payload.set(p.payload, 2);
          this.leg?.onRtp({ ...p, payloadType: 97, ssrc: 0x9999, sequenceNumber: this.rtxSeq++ & 0xffff, payload });
        }
      });
    }
    return true;
  }
  requestKeyframe(): boolean { this.plis++; return true; }
}

interface Run { units: AccessUnit[]; leg: CameraLeg; camera: FakeCamera; packets: number; dropped: number; framesHit: number }
const complete = (units: AccessUnit[]) => units.filter((u) => u.complete).length;

/** Plays frames through a leg: `drop(seq)` loses a packet's first transmission, `swap` reverses each frame's packets. */
async function play(o: {
  transport: RtspTransportMode; seq0: number; frames: number; drop?: (seq: number) => boolean; swap?: boolean; nack?: boolean; reorder?: boolean | 'always'; rtx?: boolean;
  dropIncomplete?: boolean;
}): Promise<Run> {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock);
  camera.rtx = o.rtx ?? false;
  const units: AccessUnit[] = [];
  const leg = new CameraLeg({ clock, upstream: camera, onAccessUnit: (au) => units.push(au), nack: o.nack, reorder: o.reorder, dropIncomplete: o.dropIncomplete });
  camera.leg = leg;
  const s = session(o.transport, o.seq0);
  leg.start(s.info, s.track);
  leg.setRttMs(10);
  let packets = 0;
  let dropped = 0;
  let framesHit = 0;
  for (const pkts of framePackets(o.frames, o.seq0)) {
    const order = o.swap ? [...pkts].reverse() : pkts;
    let hit = false;
    for (const p of order) {
      camera.remember(p);
      packets++;
      if (!o.drop?.(p.sequenceNumber)) leg.onRtp(p);
      else {
        dropped++;
        hit = true;
      }
    }
    if (hit) framesHit++;
    await clock.advance(FRAME_MS);
  }
  await clock.advance(1000);
  leg.stop();
  return { units, leg, camera, packets, dropped, framesHit };
}

const everyTenth = (seq: number) => seq % 10 === 3;

t.test('UDP: lost first transmissions are NACKed, resent and the access units come out whole (across the wrap)', async (t) => {
  const { units, leg, camera, dropped, packets } = await play({ transport: 'udp', seq0: 65500, frames: 40, drop: everyTenth });
  const s = leg.stats();
  t.ok(dropped >= 12, `${dropped} of ${packets} dropped`);
  t.equal(s.lost, 0);
  t.equal(s.recovered, dropped, 'every dropped packet came back after a NACK');
  t.equal(s.delivered, packets);
  t.ok(camera.nacks.length > 0);
  t.ok(camera.nacks.every((n) => n.every(everyTenth)), 'only missing packets requested');
  t.equal(units.length, 40);
  t.equal(units.filter((u) => !u.complete).length, 0);
  t.equal(s.accessUnits, 40);
  t.equal(s.incompleteAccessUnits, 0);
  t.equal(camera.plis, 0);
});

t.test('GStreamer-style RTX answers (own PT, SSRC, sequence space crossing the wrap) are unwrapped and fill the gaps', async (t) => {
  const { units, leg, dropped, packets } = await play({ transport: 'udp', seq0: 65500, frames: 40, drop: everyTenth, rtx: true });
  const s = leg.stats();
  t.equal(s.rtxReceived, dropped);
  t.equal(s.recovered, dropped);
  t.equal(s.lost, 0);
  t.equal(s.delivered, packets);
  t.equal(complete(units), 40);
  t.equal(s.foreign, 0);
  leg.onRtp({ ...framePackets(1, 1)[0][0], payloadType: 100 });
  t.equal(leg.stats().foreign, 0, 'stopped: ignored');
});

t.test('UDP with --no-nack: the same drops are lost and break their access units', async (t) => {
  const { units, leg, camera, dropped, framesHit } = await play({ transport: 'udp', seq0: 65500, frames: 40, drop: everyTenth, nack: false });
  const s = leg.stats();
  t.equal(s.lost, dropped);
  t.equal(s.recovered, 0);
  t.equal(camera.nacks.length, 0);
  t.equal(s.nack, false);
  // A lost last packet of a frame also taints the next one (no proof where the frame ended).
  t.ok(complete(units) <= 40 - framesHit, `${complete(units)} whole; every frame that lost a packet is incomplete or dropped`);
});

t.test('reordered packets are put back in order; with --no-reorder they break access units', async (t) => {
  const on = await play({ transport: 'udp', seq0: 65530, frames: 20, swap: true, nack: false });
  t.equal(on.units.length, 20);
  t.equal(on.units.filter((u) => !u.complete).length, 0);
  t.equal(on.leg.stats().lost, 0);
  const off = await play({ transport: 'udp', seq0: 65530, frames: 20, swap: true, nack: false, reorder: false });
  t.equal(off.leg.stats().reorder, false);
  t.ok(complete(off.units) < 10, `only ${complete(off.units)} whole: out-of-order packets dropped by the depacketizer`);
});

t.test('TCP: straight through, no NACK, no clock', async (t) => {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock);
  const units: AccessUnit[] = [];
  const leg = new CameraLeg({ clock, upstream: camera, onAccessUnit: (au) => units.push(au) });
  const s = session('tcp', 100);
  leg.start(s.info, s.track);
  const frames = framePackets(5, 100);
  const total = frames.flat().length;
  const victim = frames[2][1].sequenceNumber;
  for (const pkts of frames) for (const p of pkts) if (p.sequenceNumber !== victim) leg.onRtp(p);
  await clock.advance(1000);
  t.equal(clock.pendingCount, 0);
  t.equal(camera.nacks.length, 0);
  leg.stop();
  t.equal(complete(units), 4, 'frames 0, 1, 3, 4 whole; 2 lost a packet');
  const st = leg.stats();
  t.equal(st.reorder, false);
  t.equal(st.nack, false);
  t.equal(st.delivered, total - 1);
  t.equal(st.lost, 1, 'the depacketizer saw the gap');
});

t.test('camera restart: a new session resets the stream state and keeps counting', async (t) => {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock);
  const units: AccessUnit[] = [];
  const client = Object.assign(new EventEmitter(), { sendNack: camera.sendNack.bind(camera), requestKeyframe: () => true, sessionInfo: undefined });
  const { leg, detach } = attachCameraLeg(client as unknown as CameraLegClient, { clock, onAccessUnit: (au) => units.push(au) });
  camera.leg = leg;
  const a = session('udp', 40000, 1);
  client.emit('session', a.info);
  const first = framePackets(5, 40000, 1);
  const second = framePackets(5, 7, 2);
  for (const pkts of first) {
    for (const p of pkts) client.emit('rtp', p, a.track);
    await clock.advance(FRAME_MS);
  }
  // A half-sent frame, then the camera restarts with a new SSRC and sequence space.
  const b = session('udp', 7, 2);
  client.emit('session', b.info);
  for (const pkts of second) {
    for (const p of pkts) client.emit('rtp', p, b.track);
    await clock.advance(FRAME_MS);
  }
  await clock.advance(500);
  const s = leg.stats();
  t.equal(s.sessions, 2);
  t.equal(s.lost, 0, 'the jump to the new sequence space is no loss');
  t.equal(camera.nacks.length, 0, 'nothing requested across the restart');
  t.ok(units.length >= 9);
  t.equal(units.filter((u) => !u.complete).length, 0);
  const other = { ...b.track, index: 1 } as RtspTrack;
  client.emit('rtp', framePackets(1, 9)[0][0], other);
  t.equal(leg.stats().received, first.flat().length + second.flat().length, 'other tracks ignored');
  detach();
  t.equal(client.listenerCount('rtp'), 0);
});

t.test('RTT from a report block about us (LSR/DLSR) sets the retry pace', async (t) => {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock);
  const leg = new CameraLeg({ clock, upstream: camera, onAccessUnit: () => {}, ourSsrc: 77 });
  const s = session('udp', 1);
  leg.start(s.info, s.track);
  const now = clock.now();
  const block = (ssrc: number) => ({ ssrc, fractionLost: 0, cumulativeLost: 0, highestSeq: 0, jitter: 0, lsr: ntpMiddle32FromMs(now - 50), dlsr: msToDlsr(10) });
  leg.onRtcp([{ type: 'rr', ssrc: 5, reports: [block(99)], profileExtension: new Uint8Array(0) } as unknown as RtcpPacket]);
  t.equal(leg.stats().rttMs, null, 'a block about someone else');
  leg.onRtcp([{ type: 'sr', ssrc: 5, reports: [block(77)] } as unknown as RtcpPacket]);
  t.ok(Math.abs(leg.stats().rttMs! - 40) < 0.1, `rtt ${leg.stats().rttMs}`);
  t.equal(leg.stats().holdMs, 20 + 3 * leg.stats().rttMs! , 'hold = first NACK delay + 3 RTT');
});

t.test('the RTSP control round trip paces the first retries instead of the 100 ms guess', async (t) => {
  const clock = new FakeTimers();
  const asked: number[] = [];
  const upstream: CameraLegUpstream = {
    sendNack: (_track, seqs) => { if (seqs.includes(510)) asked.push(clock.now()); return true; },
    requestKeyframe: () => true,
  };
  const leg = new CameraLeg({ clock, upstream, onAccessUnit: () => {} });
  const s = session('udp', 500);
  leg.start({ ...s.info, controlRttMs: 30 }, s.track);
  t.equal(leg.stats().learnedRttMs, null);
  t.equal(leg.stats().holdMs, 200, 'the hold keeps its margin');
  for (const pkts of framePackets(6, 500)) {
    for (const p of pkts) if (p.sequenceNumber !== 510) leg.onRtp(p);
    await clock.advance(FRAME_MS);
  }
  t.ok(asked.length >= 3, `seq 510 requested ${asked.length} times`);
  t.ok(asked.slice(1).every((x, i) => Math.abs(x - asked[i] - 30) <= 5), `about 30 ms apart, not 100 (${asked.map((x) => x - asked[0])})`);
});

t.test('a packet never resent: given up, counted lost, keyframe requested', async (t) => {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock);
  camera.answer = false;
  const units: AccessUnit[] = [];
  const leg = new CameraLeg({ clock, upstream: camera, onAccessUnit: (au) => units.push(au), recovery: { nack: { maxTries: 2 } } });
  camera.leg = leg;
  const s = session('udp', 500);
  leg.start(s.info, s.track);
  leg.setRttMs(10);
  for (const pkts of framePackets(30, 500)) {
    for (const p of pkts) if (p.sequenceNumber !== 510) leg.onRtp(p);
    await clock.advance(FRAME_MS);
  }
  const st = leg.stats();
  t.equal(st.lost, 1);
  t.equal(st.recovered, 0);
  t.ok(st.nackedSeqs >= 1 && st.nackedSeqs <= 2, `requested ${st.nackedSeqs} times (maxTries 2)`);
  t.equal(complete(units), 29, 'the frame that lost a packet is not whole');
});

t.test('dropIncomplete: a session starts by asking for a keyframe; nothing before one comes out', async (t) => {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock);
  const units: AccessUnit[] = [];
  const leg = new CameraLeg({ clock, upstream: camera, onAccessUnit: (au) => units.push(au), dropIncomplete: true });
  // Joining mid-GOP: frames 5..14 of a GOP of 10.
  const frames = framePackets(15, 100).slice(5);
  const s = session('tcp', frames[0][0].sequenceNumber);
  leg.start(s.info, s.track);
  await clock.advance(1);
  t.equal(camera.plis, 1, 'PLI at session start, TCP too');
  for (const pkts of frames) for (const p of pkts) leg.onRtp(p);
  await clock.advance(100);
  const st = leg.stats();
  t.equal(st.waitingDropped, 5, 'the P frames before the IDR');
  t.equal(st.accessUnits, 5);
  t.ok(units[0].keyframe && units.every((u) => u.complete));
  t.equal(camera.plis, 1, 'no more requests once the keyframe came');
  leg.start(s.info, s.track);
  await clock.advance(1);
  t.equal(camera.plis, 2, 'a new session asks again');
});

t.test('dropIncomplete, UDP --no-nack: a unit that lost packets and what follows it until the next IDR are dropped, one PLI per break', async (t) => {
  // Lose a middle packet of frames 2 and 4 (one GOP) and 23.
  const pkts = framePackets(40, 65500);
  const victims = new Set([2, 4, 23].map((f) => pkts[f][1].sequenceNumber));
  const { units, leg, camera } = await play({ transport: 'udp', seq0: 65500, frames: 40, drop: (q) => victims.has(q), nack: false, dropIncomplete: true });
  const st = leg.stats();
  t.ok(units.every((u) => u.complete), 'only whole units');
  t.equal(st.incompleteDropped, 3, 'frames 2, 4 and 23');
  t.equal(st.waitingDropped, 6 + 6, 'frames 3, 5..9 and 24..29');
  t.equal(units.length, 40 - 3 - 12);
  t.equal(st.accessUnits, units.length);
  t.equal(st.keyframes, 4);
  t.equal(camera.plis, 1 + 2, 'the session start, then one per break');
});

t.test("dropIncomplete with reorder 'always': the reorder buffer runs on TCP, NACKs do not", async (t) => {
  const { units, leg, camera } = await play({ transport: 'tcp', seq0: 10, frames: 20, swap: true, reorder: 'always', dropIncomplete: true });
  const st = leg.stats();
  t.equal(st.reorder, true);
  t.equal(st.nack, false);
  t.equal(units.length, 20, 'reversed frames put back in order');
  t.equal(camera.nacks.length, 0);
});

t.test('dropIncomplete: whatever the link does, only whole, unchanged frames come out, in order, restarting at keyframes', (t) => {
  fc.assert(
    fc.property(
      fc.record({
        loss: fc.double({ min: 0, max: 0.15, noNaN: true }),
        reorder: fc.double({ min: 0, max: 0.2, noNaN: true }),
        duplicate: fc.double({ min: 0, max: 0.05, noNaN: true }),
        jitter: fc.integer({ min: 0, max: 15 }),
      }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.array(fc.integer({ min: 50, max: 6000 }), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      (p, seed, sizes, nack) => {
        const { emitted, index, original } = simulate(
          { loss: p.loss, reorder: { probability: p.reorder, depth: 5 }, duplicate: p.duplicate, delay: { delayMs: 10, jitterMs: p.jitter } },
          seed, 45, 15, sizes, nack,
        );
        let last = -1;
        for (const au of emitted) {
          const i = index.get(au.timestamp);
          if (i === undefined || i <= last) return false;
          if (key(au) !== key(original[i])) return false;
          if (i !== last + 1 && !au.keyframe) return false;
          if (last === -1 && !au.keyframe) return false;
          last = i;
        }
        return true;
      },
    ),
    { numRuns: 40 },
  );
  t.end();
});

t.test('dropIncomplete: reordering and duplication alone lose nothing', (t) => {
  const r = simulate({ reorder: { probability: 0.1, depth: 4 }, duplicate: 0.02, delay: { delayMs: 5, jitterMs: 5 } }, 7, 60, 30, [800, 3000, 9000], true);
  t.equal(r.emitted.length, 60, 'every frame delivered');
  t.equal(r.leg.stats().incompleteDropped, 0);
  t.end();
});

t.test('dropIncomplete, 5% loss: NACKs to the camera recover the frames; without them frames are dropped until a keyframe', (t) => {
  const profile: LinkProfile = { loss: 0.05, delay: { delayMs: 10, jitterMs: 2 } };
  const withNack = simulate(profile, 42, 90, 30, [1500, 4000, 12000], true);
  const without = simulate(profile, 42, 90, 30, [1500, 4000, 12000], false);
  t.comment(`with NACK: ${withNack.emitted.length}/90 frames, recovered ${withNack.leg.stats().recovered}; without: ${without.emitted.length}/90, keyframe requests ${without.keyframeRequests}`);
  t.ok(withNack.emitted.length >= 85, 'nearly every frame recovered');
  t.ok(without.emitted.length < withNack.emitted.length, 'loss costs frames without NACK');
  t.ok(without.keyframeRequests > 1, 'beyond the one every session starts with, lost frames ask the camera for keyframes');
  t.end();
});

t.test('observer: the leg names what became of each packet and the NACKs it sent, counted as its stats count them', async (t) => {
  const clock = new FakeTimers();
  const camera = new FakeCamera(clock, 5);
  const notes: string[] = [];
  const leg = new CameraLeg({ clock, upstream: camera, onAccessUnit: () => {}, observer: { note: (n) => notes.push(n.kind) } });
  camera.leg = leg;
  const s = session('udp', 500);
  leg.start(s.info, s.track);
  const frames = framePackets(6, 500);
  for (const p of frames.flat()) camera.remember(p);
  const victim = frames[2][1].sequenceNumber;
  for (const pkts of frames) {
    for (const p of pkts) if (p.sequenceNumber !== victim) leg.onRtp(p);
    await clock.advance(FRAME_MS);
  }
  leg.onRtp(frames[3][0]); // a second copy
  await clock.advance(1000);
  const st = leg.stats();
  t.ok(st.recovered > 0, 'the camera resent the victim');
  t.equal(notes.filter((k) => k === 'recovered').length, st.recovered, 'one "recovered" note per repair');
  t.equal(notes.filter((k) => k === 'nack-sent').length, st.nacksSent, 'one note per NACK sent');
  t.equal(notes.filter((k) => k === 'dropped-duplicate').length, st.duplicates, 'one note per duplicate');
  t.equal(notes.filter((k) => k === 'pli-own').length, st.keyframeRequests, 'one note per PLI the leg sent');
  leg.stop();
});
